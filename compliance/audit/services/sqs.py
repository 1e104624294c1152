"""SQS: queues; ENC-09 (queue key)."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.audit.common import customer_key_on
from compliance.audit.inventory import Inventory, Resource, listing
from compliance.audit.registry import CheckContext, live_check

QUEUE = "aws:sqs/queue:Queue"


@listing(QUEUE)
def queues(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Queues with all their attributes and their URL."""
    for url in inventory.aws.pages("sqs", region, "ListQueues", "QueueUrls"):
        attributes = inventory.aws.call("sqs", region, "GetQueueAttributes", QueueUrl=url,
                                        AttributeNames=["All"])["Attributes"]

        def read(queue_url: str = url) -> dict[str, str]:
            return inventory.aws.call("sqs", region, "ListQueueTags", QueueUrl=queue_url).get("Tags", {})

        name = url.rstrip("/").rsplit("/", 1)[-1]
        yield inventory.keep(QUEUE, region, name, (attributes["QueueArn"], url), {**attributes, "QueueUrl": url},
                             read, resource_id=attributes["QueueArn"])


@live_check("ENC-09", "enc-09-sqs-queue-key", resource_type=QUEUE)
def queue_keys(ctx: CheckContext):
    return customer_key_on(ctx, queues(ctx.inventory, ctx.region), "sqs:GetQueueAttributes", "KmsMasterKeyId",
                           "the queue", shown=("SqsManagedSseEnabled",))
