"""LOG-01 and LOG-02: the trail (status, selectors, insights, data events) and the processor's failure path."""

from __future__ import annotations

from typing import Any

from compliance.audit.checks.common import pick, verdict
from compliance.audit.checks.retention import is_raw_archive
from compliance.audit.inventory import BUCKET, FUNCTION, TABLE, TRAIL, Resource
from compliance.audit.registry import CheckContext, Outcome, live_check

REQUIRED_INSIGHTS = ("ApiCallRateInsight", "ApiErrorRateInsight")
S3_OBJECT = "AWS::S3::Object"
DYNAMODB_TABLE = "AWS::DynamoDB::Table"
STREAM_SOURCES = (":kinesis:", ":dynamodb:", ":kafka:")


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

    return ctx.each(ctx.inventory.trails(ctx.region), evaluate)


def selectors(ctx: CheckContext, trail: Resource) -> dict[str, Any]:
    return ctx.inventory.memo.get(("GetEventSelectors", trail.id), lambda: ctx.aws.call(
        "cloudtrail", trail.ref.region, "GetEventSelectors", TrailName=trail.id))


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
    trails = [t for region in ctx.regions for t in ctx.inventory.trails(region)]
    outcomes = []
    for store in stores:
        covering = [t.name for t in trails if records_data_events(selectors(ctx, t), resource_type, target(store))]
        evidence = {"cloudtrail:GetEventSelectors": {"Trails": sorted(t.name for t in trails),
                                                     "RecordingDataEvents": covering}}
        problems = [] if covering else [f"no trail records {resource_type} data events for it: add an event "
                                        "selector for it to the trail"]
        outcomes.append(verdict(store, problems, f"data events recorded by {', '.join(covering)}", evidence))
    return outcomes


@live_check("LOG-01", "log-01-data-events-raw-archive", resource_type=BUCKET)
def raw_archive_data_events(ctx: CheckContext):
    archives = [b for b in ctx.inventory.buckets(ctx.region) if is_raw_archive(b.name)]
    return data_event_outcomes(ctx, archives, S3_OBJECT, lambda b: f"arn:aws:s3:::{b.name}/")


@live_check("LOG-01", "log-01-data-events-tables", resource_type=TABLE)
def table_data_events(ctx: CheckContext):
    return data_event_outcomes(ctx, ctx.inventory.tables(ctx.region), DYNAMODB_TABLE, lambda t: t.id)


@live_check("LOG-02", "log-02-processor-failure-path", resource_type=FUNCTION)
def function_failure_path(ctx: CheckContext):
    maximum = int(ctx.parameters.get("maxRetryAttempts", 10))

    def evaluate(function: Resource) -> Outcome:
        group_name = (function.data.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{function.name}"
        groups = [g for g in ctx.aws.pages("logs", ctx.region, "DescribeLogGroups", "logGroups",
                                           logGroupNamePrefix=group_name) if g["logGroupName"] == group_name]
        mappings = [m for m in ctx.aws.pages("lambda", ctx.region, "ListEventSourceMappings", "EventSourceMappings",
                                             FunctionName=function.id)
                    if any(s in str(m.get("EventSourceArn", "")) for s in STREAM_SOURCES)]
        evidence: dict[str, Any] = {
            "logs:DescribeLogGroups": [pick(g, "logGroupName", "retentionInDays") for g in groups],
            "lambda:ListEventSourceMappings": [
                {**pick(m, "UUID", "EventSourceArn", "MaximumRetryAttempts", "BisectBatchOnFunctionError"),
                 "OnFailure": ((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")}
                for m in mappings],
        }
        problems = []
        if not groups:
            problems.append(f"no log group {group_name}: declare it with a retention")
        elif groups[0].get("retentionInDays") is None:
            problems.append(f"log group {group_name} never expires: set a retention")
        for mapping in mappings:
            label = f"event source mapping {mapping.get('UUID')}"
            if not ((mapping.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"):
                problems.append(f"{label} has no on-failure destination: set the dead-letter queue")
            retries = mapping.get("MaximumRetryAttempts")
            if retries is None or retries < 0 or retries > maximum:
                problems.append(f"{label} retries {retries if retries is not None else 'without bound'}: "
                                f"set maximumRetryAttempts to {maximum} or less")
            if not mapping.get("BisectBatchOnFunctionError"):
                problems.append(f"{label} does not bisect failing batches: set bisectBatchOnFunctionError")
        if not mappings:
            evidence["lambda:ListFunctions"] = {"DeadLetterConfig": function.data.get("DeadLetterConfig")}
            if not (function.data.get("DeadLetterConfig") or {}).get("TargetArn"):
                problems.append("no stream source and no dead-letter queue: set a dead-letter target")
        return verdict(function, problems, f"log group with retention; {len(mappings)} stream source(s) with "
                       f"on-failure destination, at most {maximum} retries and bisect", evidence)

    return ctx.each(ctx.inventory.functions(ctx.region), evaluate)
