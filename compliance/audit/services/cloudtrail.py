"""CloudTrail: trails; ENC-08 (trail key, ``controls.enc_08``), LOG-01 (trail configuration, data events), RET-05 (log retention).

LOG-01's data-event checks judge every bucket (a trail's own log bucket is not
a data store) and every table by the selectors of every audited trail
(``controls.log_01``); RET-05 reads the trail's log group and its bucket's
lifecycle (``controls.ret_05``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.dynamodb import TABLE, tables
from compliance.audit.services.logs import log_groups_named
from compliance.audit.services.s3 import BUCKET, buckets, lifecycle_rules
from controls import enc_08, log_01, ret_05
from controls.values import lookup

TRAIL = "aws:cloudtrail/trail:Trail"


@listing(TRAIL)
def trails(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Trails whose home is ``region`` (a multi-region trail is audited once, where it lives)."""
    answer = inventory.aws.call("cloudtrail", region, "DescribeTrails", includeShadowTrails=False)
    for trail in answer["trailList"]:  # always answered (empty when there is none): its absence is an error
        def read(arn: str = trail["TrailARN"]) -> dict[str, str]:
            listed = list(inventory.aws.pages("cloudtrail", region, "ListTags", "ResourceTagList",
                                              ResourceIdList=[arn]))
            return tag_dict(listed[0].get("TagsList") if listed else [])

        yield inventory.keep(TRAIL, region, trail["Name"], (trail["TrailARN"],), trail, read,
                             resource_id=trail["TrailARN"])


def selectors(ctx: CheckContext, trail: Resource) -> dict[str, Any]:
    return ctx.inventory.memo.get(("GetEventSelectors", trail.id), lambda: ctx.aws.call(
        "cloudtrail", trail.ref.region, "GetEventSelectors", TrailName=trail.id))


@live_check("ENC-08", "enc-08-cloudtrail-key", resource_type=TRAIL)
def trail_keys(ctx: CheckContext):
    def evaluate(trail: Resource) -> Outcome:
        evidence: dict[str, Any] = {"cloudtrail:DescribeTrails": pick(trail.data, "KmsKeyId")}
        facts = enc_08.Trail(key_ref(ctx, trail.data.get("KmsKeyId"), evidence))
        return verdict_outcome(trail, enc_08.decide(facts), evidence)

    return ctx.each(trails(ctx.inventory, ctx.region), evaluate)


def trail_facts(ctx: CheckContext, trail: Resource) -> tuple[log_01.Trail, dict[str, Any]]:
    """LOG-01's facts of one trail (DescribeTrails, GetTrailStatus, GetInsightSelectors, GetEventSelectors) and evidence."""
    region = trail.ref.region
    status = ctx.inventory.memo.get(("GetTrailStatus", trail.id), lambda: ctx.aws.call(
        "cloudtrail", region, "GetTrailStatus", Name=trail.id))
    insights = ctx.inventory.memo.get(("GetInsightSelectors", trail.id), lambda: ctx.aws.call(
        "cloudtrail", region, "GetInsightSelectors", TrailName=trail.id, absent=("InsightNotEnabledException",))) or {}
    answer = selectors(ctx, trail)
    facts = log_01.Trail(
        trail.name, lookup(trail.data, "IsMultiRegionTrail"), lookup(trail.data, "LogFileValidationEnabled"),
        bool(status.get("IsLogging")), log_01.read_insights(insights.get("InsightSelectors"), log_01.API),
        log_01.read_selectors(answer.get("EventSelectors"), answer.get("AdvancedEventSelectors"), log_01.API))
    evidence = {"cloudtrail:DescribeTrails": pick(trail.data, "IsMultiRegionTrail", "LogFileValidationEnabled"),
                "cloudtrail:GetTrailStatus": pick(status, "IsLogging"),
                "cloudtrail:GetInsightSelectors": {"InsightTypes": list(facts.insights)},
                "cloudtrail:GetEventSelectors": pick(answer, "EventSelectors", "AdvancedEventSelectors")}
    return facts, evidence


@live_check("LOG-01", "log-01-trail-configuration", resource_type=TRAIL)
def trail_configuration(ctx: CheckContext):
    def evaluate(trail: Resource) -> Outcome:
        facts, evidence = trail_facts(ctx, trail)
        return verdict_outcome(trail, log_01.decide_trail(facts), evidence)

    return ctx.each(trails(ctx.inventory, ctx.region), evaluate)


def data_event_outcomes(ctx: CheckContext, stores: list[tuple[Resource, log_01.Store]]) -> list[Outcome]:
    """Each store judged on the selectors of every audited trail, in every audited region."""
    every_trail = [t for region in ctx.regions for t in trails(ctx.inventory, region)]
    facts = [trail_facts(ctx, t)[0] for t in every_trail]
    evidence = {"cloudtrail:GetEventSelectors": {"Trails": sorted(t.name for t in every_trail)}}
    return [verdict_outcome(resource, log_01.decide_store(store, facts), evidence) for resource, store in stores]


@live_check("LOG-01", "log-01-data-events-buckets", resource_type=BUCKET)
def bucket_data_events(ctx: CheckContext):
    log_buckets = {t.data.get("S3BucketName") for region in ctx.regions for t in trails(ctx.inventory, region)}
    return data_event_outcomes(ctx, [
        (b, log_01.Store(b.id, log_01.S3_OBJECT, b.name, b.name, b.name in log_buckets))
        for b in buckets(ctx.inventory, ctx.region)])


@live_check("LOG-01", "log-01-data-events-tables", resource_type=TABLE)
def table_data_events(ctx: CheckContext):
    return data_event_outcomes(ctx, [(t, log_01.Store(t.id, log_01.DYNAMODB_TABLE, t.name, t.name))
                                     for t in tables(ctx.inventory, ctx.region)])


@live_check("RET-05", "ret-05-cloudtrail-log-retention", resource_type=TRAIL)
def trail_retention(ctx: CheckContext):
    minimum = int(ctx.parameters.get("minDays", 90))

    def evaluate(trail: Resource) -> Outcome:
        evidence: dict[str, Any] = {"cloudtrail:DescribeTrails": pick(trail.data, "S3BucketName",
                                                                      "CloudWatchLogsLogGroupArn")}
        group_arn = lookup(trail.data, "CloudWatchLogsLogGroupArn")
        groups = log_groups_named(ctx, group_arn.split(":log-group:", 1)[-1].removesuffix(":*")) \
            if isinstance(group_arn, str) else []
        evidence["logs:DescribeLogGroups"] = [pick(g, "logGroupName", "retentionInDays") for g in groups]
        bucket = trail.data.get("S3BucketName")
        rules = lifecycle_rules(ctx, bucket) if bucket else []
        expirations = tuple(r["Expiration"]["Days"] for r in rules if (r.get("Expiration") or {}).get("Days") is not None)
        evidence["s3:GetBucketLifecycleConfiguration"] = {"Bucket": bucket, "ExpirationDays": list(expirations)}
        facts = ret_05.Trail(trail.name, group_arn,
                             tuple(ret_05.LogGroup(g["logGroupName"], lookup(g, "retentionInDays")) for g in groups),
                             lookup(trail.data, "S3BucketName"),
                             (ret_05.Bucket(bucket, expirations),) if bucket else ())
        return verdict_outcome(trail, ret_05.decide(facts, minimum), evidence)

    return ctx.each(trails(ctx.inventory, ctx.region), evaluate)
