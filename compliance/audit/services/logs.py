"""CloudWatch Logs: log groups; ENC-07 (log group key, ``controls.enc_07``) and RET-04 (retention)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing
from compliance.audit.registry import CheckContext, Outcome, live_check
from controls import enc_07, ret_04
from controls.values import lookup

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


@listing(LOG_GROUP)
def log_groups(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    for group in inventory.aws.pages("logs", region, "DescribeLogGroups", "logGroups"):
        arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")

        def read(resource_arn: str = arn) -> dict[str, str]:
            return inventory.tags_of(region, resource_arn)

        yield inventory.keep(LOG_GROUP, region, group["logGroupName"], (arn, group.get("arn")), group, read,
                             resource_id=arn)


def log_groups_named(ctx: CheckContext, name: str) -> list[dict[str, Any]]:
    """The log group called ``name`` in the check's region, read on its own, whatever the scope ([] if none)."""
    return [g for g in ctx.aws.pages("logs", ctx.region, "DescribeLogGroups", "logGroups", logGroupNamePrefix=name)
            if g["logGroupName"] == name]


@live_check("ENC-07", "enc-07-log-group-key", resource_type=LOG_GROUP)
def log_group_keys(ctx: CheckContext):
    def evaluate(group: Resource) -> Outcome:
        evidence: dict[str, Any] = {"logs:DescribeLogGroups": pick(group.data, "kmsKeyId")}
        facts = enc_07.LogGroup(key_ref(ctx, group.data.get("kmsKeyId"), evidence))
        return verdict_outcome(group, enc_07.decide(facts), evidence)

    return ctx.each(log_groups(ctx.inventory, ctx.region), evaluate)


@live_check("RET-04", "ret-04-log-group-retention", resource_type=LOG_GROUP)
def log_retention(ctx: CheckContext):
    minimum = int(ctx.parameters.get("minDays", 30))

    def evaluate(group: Resource) -> Outcome:
        decided = ret_04.decide(ret_04.Retention(lookup(group.data, "retentionInDays")), minimum)
        return verdict_outcome(group, decided, {"logs:DescribeLogGroups": pick(group.data, "retentionInDays")})

    return ctx.each(log_groups(ctx.inventory, ctx.region), evaluate)
