"""SQS: queues; ENC-09 (queue key, ``controls.enc_09``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing
from compliance.audit.registry import CheckContext, Outcome, live_check
from controls import enc_09
from controls.values import MISSING

QUEUE = "aws:sqs/queue:Queue"


@listing(QUEUE)
def queues(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Queues with all their attributes and their URL."""
    for url in inventory.aws.pages("sqs", region, "ListQueues", "QueueUrls"):
        attributes = inventory.aws.call("sqs", region, "GetQueueAttributes", QueueUrl=url,
                                        AttributeNames=["All"])["Attributes"]

        def read(arn: str = attributes["QueueArn"]) -> dict[str, str]:
            return inventory.tags_of(region, arn)

        name = url.rstrip("/").rsplit("/", 1)[-1]
        yield inventory.keep(QUEUE, region, name, (attributes["QueueArn"], url), {**attributes, "QueueUrl": url},
                             read, resource_id=attributes["QueueArn"])


@live_check("ENC-09", "enc-09-sqs-queue-key", resource_type=QUEUE)
def queue_keys(ctx: CheckContext):
    def evaluate(queue: Resource) -> Outcome:
        evidence: dict[str, Any] = {"sqs:GetQueueAttributes": pick(queue.data, "KmsMasterKeyId",
                                                                    "SqsManagedSseEnabled")}
        facts = enc_09.Queue(key_ref(ctx, queue.data.get("KmsMasterKeyId"), evidence),
                             queue.data.get("SqsManagedSseEnabled", MISSING))
        return verdict_outcome(queue, enc_09.decide(facts), evidence)

    return ctx.each(queues(ctx.inventory, ctx.region), evaluate)
