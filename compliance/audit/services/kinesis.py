"""Kinesis: the stream listing and the live check on streams (ENC-01, decided by ``controls.enc_01``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from controls import enc_01
from controls.values import MISSING

STREAM = "aws:kinesis/stream:Stream"


@listing(STREAM)
def streams(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Streams with their DescribeStreamSummary (read only for the streams in scope)."""
    for summary in inventory.aws.pages("kinesis", region, "ListStreams", "StreamSummaries"):
        name, arn = summary["StreamName"], summary["StreamARN"]
        kept = inventory.keep(STREAM, region, name, (arn,), {}, lambda n=name: stream_tags(inventory, region, n),
                              resource_id=arn)
        if kept:
            description = inventory.aws.call("kinesis", region, "DescribeStreamSummary", StreamName=name)
            yield dataclasses.replace(kept, data=description["StreamDescriptionSummary"])


def stream_tags(inventory: Inventory, region: str, name: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    params: dict[str, Any] = {"StreamName": name}
    while True:  # ListTagsForStream has no botocore paginator
        page = inventory.aws.call("kinesis", region, "ListTagsForStream", **params)
        tags.update(tag_dict(page.get("Tags")))
        if not page.get("HasMoreTags") or not page.get("Tags"):
            return tags
        params["ExclusiveStartTagKey"] = page["Tags"][-1]["Key"]


@live_check("ENC-01", "enc-01-kinesis-stream-key", resource_type=STREAM)
def kinesis_streams(ctx: CheckContext):
    def evaluate(stream: Resource) -> Outcome:
        evidence: dict[str, Any] = {"kinesis:DescribeStreamSummary": pick(stream.data, "EncryptionType", "KeyId")}
        facts = enc_01.Stream(stream.data.get("EncryptionType") or MISSING,
                              key_ref(ctx, stream.data.get("KeyId"), evidence))
        return verdict_outcome(stream, enc_01.decide(facts), evidence)

    return ctx.each(streams(ctx.inventory, ctx.region), evaluate)
