"""CloudTrail: trails; ENC-08 (trail key, ``controls.enc_08``), LOG-01 (trail configuration, data events), RET-05 (log retention).

LOG-01's data-event checks judge the raw archive bucket and every table (the
stores whose access must be recorded) by the selectors of every audited trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.dynamodb import TABLE, tables
from compliance.audit.services.logs import log_groups_named, retention_problem
from compliance.audit.services.s3 import BUCKET, buckets, is_raw_archive, lifecycle_rules
from controls import enc_08

TRAIL = "aws:cloudtrail/trail:Trail"
REQUIRED_INSIGHTS = ("ApiCallRateInsight", "ApiErrorRateInsight")
S3_OBJECT = "AWS::S3::Object"
DYNAMODB_TABLE = "AWS::DynamoDB::Table"


@listing(TRAIL)
def trails(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Trails whose home is ``region`` (a multi-region trail is audited once, where it lives)."""
    answer = inventory.aws.call("cloudtrail", region, "DescribeTrails", includeShadowTrails=False)
    for trail in answer.get("trailList", []):
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


@live_check("LOG-01", "log-01-trail-configuration", resource_type=TRAIL)
def trail_configuration(ctx: CheckContext):
    def evaluate(trail: Resource) -> Outcome:
        status = ctx.call("cloudtrail", "GetTrailStatus", Name=trail.id)
        insights = ctx.call("cloudtrail", "GetInsightSelectors", TrailName=trail.id,
                            absent=("InsightNotEnabledException",)) or {}
        enabled_insights = sorted(s.get("InsightType") for s in insights.get("InsightSelectors") or [])
        evidence = {"cloudtrail:DescribeTrails": pick(trail.data, "IsMultiRegionTrail", "LogFileValidationEnabled"),
                    "cloudtrail:GetTrailStatus": pick(status, "IsLogging"),
                    "cloudtrail:GetInsightSelectors": {"InsightTypes": enabled_insights}}
        problems = []
        if not status.get("IsLogging"):
            problems.append("logging is stopped: start logging")
        if not trail.data.get("IsMultiRegionTrail"):
            problems.append("single-region: set isMultiRegionTrail")
        if not trail.data.get("LogFileValidationEnabled"):
            problems.append("log file validation is off: enable it")
        missing = [i for i in REQUIRED_INSIGHTS if i not in enabled_insights]
        if missing:
            problems.append(f"Insights {', '.join(missing)} not enabled: add the insight selectors")
        return verdict(trail, problems, "logging, multi-region, log file validation, API call and error rate "
                       "Insights", evidence)

    return ctx.each(trails(ctx.inventory, ctx.region), evaluate)


def records_data_events(answer: dict[str, Any], resource_type: str, target: str) -> bool:
    """Do the trail's basic or advanced selectors log reads and writes of ``target``?

    ``target`` is the table ARN, or ``arn:aws:s3:::<bucket>/`` for every object of a bucket.
    """
    for selector in answer.get("EventSelectors") or []:
        if selector.get("ReadWriteType", "All") != "All":
            continue
        for resource in selector.get("DataResources") or []:
            if resource.get("Type") != resource_type:
                continue
            for value in resource.get("Values") or []:
                if value in ("arn:aws:s3", "arn:aws:s3:::", "arn:aws:dynamodb") or value == target:
                    return True
    for selector in answer.get("AdvancedEventSelectors") or []:
        fields = {f["Field"]: f for f in selector.get("FieldSelectors") or []}
        if "Data" not in fields.get("eventCategory", {}).get("Equals", []):
            continue
        if resource_type not in fields.get("resources.type", {}).get("Equals", []) or "readOnly" in fields:
            continue
        arns = fields.get("resources.ARN")
        if arns is None or target in arns.get("Equals", []) \
                or any(target.startswith(prefix) for prefix in arns.get("StartsWith", [])):
            return True
    return False


def data_event_outcomes(ctx: CheckContext, stores: list[Resource], resource_type: str,
                        target: Any) -> list[Outcome]:
    every_trail = [t for region in ctx.regions for t in trails(ctx.inventory, region)]
    outcomes = []
    for store in stores:
        covering = [t.name for t in every_trail
                    if records_data_events(selectors(ctx, t), resource_type, target(store))]
        evidence = {"cloudtrail:GetEventSelectors": {"Trails": sorted(t.name for t in every_trail),
                                                     "RecordingDataEvents": covering}}
        problems = [] if covering else [f"no trail records {resource_type} data events for it: add an event "
                                        "selector for it to the trail"]
        outcomes.append(verdict(store, problems, f"data events recorded by {', '.join(covering)}", evidence))
    return outcomes


@live_check("LOG-01", "log-01-data-events-raw-archive", resource_type=BUCKET)
def raw_archive_data_events(ctx: CheckContext):
    archives = [b for b in buckets(ctx.inventory, ctx.region) if is_raw_archive(b.name)]
    return data_event_outcomes(ctx, archives, S3_OBJECT, lambda b: f"arn:aws:s3:::{b.name}/")


@live_check("LOG-01", "log-01-data-events-tables", resource_type=TABLE)
def table_data_events(ctx: CheckContext):
    return data_event_outcomes(ctx, tables(ctx.inventory, ctx.region), DYNAMODB_TABLE, lambda t: t.id)


@live_check("RET-05", "ret-05-cloudtrail-log-retention", resource_type=TRAIL)
def trail_retention(ctx: CheckContext):
    minimum = int(ctx.parameters.get("minDays", 90))

    def evaluate(trail: Resource) -> Outcome:
        evidence: dict[str, Any] = {"cloudtrail:DescribeTrails": pick(trail.data, "S3BucketName",
                                                                      "CloudWatchLogsLogGroupArn")}
        problems = []
        group_arn = trail.data.get("CloudWatchLogsLogGroupArn")
        if not group_arn:
            problems.append(f"no CloudWatch Logs group: deliver the trail to a log group kept {minimum}+ days")
        else:
            group_name = group_arn.split(":log-group:", 1)[-1].removesuffix(":*")
            groups = log_groups_named(ctx, group_name)
            evidence["logs:DescribeLogGroups"] = [pick(g, "logGroupName", "retentionInDays") for g in groups]
            if not groups:
                problems.append(f"its log group {group_name} does not exist: recreate it with {minimum}+ days")
            elif problem := retention_problem(groups[0], minimum):
                problems.append(f"log group {group_name} {problem}")
        bucket = trail.data.get("S3BucketName")
        rules = lifecycle_rules(ctx, bucket) if bucket else []
        expirations = [r["Expiration"]["Days"] for r in rules if (r.get("Expiration") or {}).get("Days") is not None]
        evidence["s3:GetBucketLifecycleConfiguration"] = {"Bucket": bucket, "ExpirationDays": expirations}
        if any(days < minimum for days in expirations):
            problems.append(f"bucket {bucket} expires log files after {min(expirations)} days: keep them {minimum}+")
        return verdict(trail, problems, f"logs kept {minimum}+ days in the log group and the bucket", evidence)

    return ctx.each(trails(ctx.inventory, ctx.region), evaluate)
