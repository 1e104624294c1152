"""LOG-01, LOG-02: the audit trail, and the processor's logs and failure handling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.documents import contains_unknown
from rules.model import Resource, StackView
from rules.registry import NotApplicable, Registry, Undecided, Violation
from rules.retention import trail_buckets
from rules.values import MISSING, UNKNOWN, as_list, describe, lookup, number, truthy

registry = Registry()

INSIGHTS = ("ApiCallRateInsight", "ApiErrorRateInsight")
DATA_EVENT_TYPES = {"AWS::S3::Object": "the S3 buckets", "AWS::DynamoDB::Table": "the DynamoDB tables"}


def _data_resource_types(trail: Resource) -> set[str] | None:
    """Resource types the trail logs data events for (basic or advanced selectors); None if unknown."""
    found: set[str] = set()
    basic = trail.lookup("eventSelectors")
    advanced = trail.lookup("advancedEventSelectors")
    if basic is UNKNOWN or advanced is UNKNOWN:
        return None
    for selector in as_list(basic):
        resources = lookup(selector, "dataResources") if selector is not UNKNOWN else UNKNOWN
        for resource in as_list(resources):
            found.add(lookup(resource, "type") if resource is not UNKNOWN else UNKNOWN)
    for selector in as_list(advanced):
        fields = lookup(selector, "fieldSelectors") if selector is not UNKNOWN else UNKNOWN
        if contains_unknown([lookup(f, "field") for f in as_list(fields)]):
            return None
        by_field = {str(lookup(f, "field")): as_list(lookup(f, "equals")) for f in as_list(fields)}
        if contains_unknown(by_field.get("eventCategory")) or contains_unknown(by_field.get("resources.type")):
            return None
        if "Data" in by_field.get("eventCategory", []):
            found.update(str(v) for v in by_field.get("resources.type", []))
    return None if UNKNOWN in found else {str(v) for v in found}


@registry.resource("LOG-01", "cloudtrail-configuration",
                   "CloudTrail is multi-region with log file validation, Insights and data events on the data "
                   "stores.", [t.TRAIL])
def cloudtrail_configuration(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    for flag in ("isMultiRegionTrail", "enableLogFileValidation"):
        value = r.lookup(flag)
        if value is UNKNOWN:
            yield Undecided(flag)
        elif not truthy(value):
            yield f"{flag} is {describe(value)}: set {flag} to true."
    logging = r.lookup("enableLogging")  # absent: the trail logs (the provider's default)
    if logging is UNKNOWN:
        yield Undecided("enableLogging")
    elif logging is not MISSING and not truthy(logging):
        yield "enableLogging is false, so the trail records nothing: set enableLogging to true (or leave it unset)."
    selectors = r.lookup("insightSelectors")
    if selectors is UNKNOWN:
        yield Undecided("insightSelectors")
    elif any(lookup(s, "insightType") is UNKNOWN or s is UNKNOWN for s in as_list(selectors)):
        yield Undecided("insightSelectors.insightType")
    else:
        present = {lookup(s, "insightType") for s in as_list(selectors)}
        missing = [i for i in INSIGHTS if i not in present]
        if missing:
            yield f"insightSelectors lacks {', '.join(missing)}: add an insight selector for each."
    types = _data_resource_types(r)
    if types is None:
        yield Undecided("eventSelectors")
    else:
        missing = [what for kind, what in DATA_EVENT_TYPES.items() if kind not in types]
        if missing:
            yield (f"no data events for {' and '.join(missing)}: add event selectors with dataResources of type "
                   f"{', '.join(k for k, w in DATA_EVENT_TYPES.items() if w in missing)}.")


_ALL_OF_KIND = {"AWS::S3::Object": ("arn:aws:s3", "arn:aws:s3:::"), "AWS::DynamoDB::Table": ("arn:aws:dynamodb",)}


def _selector_arns(trail: Resource) -> list[Any] | None:
    """ARNs (or ARN prefixes) named by the trail's data-event selectors; None if a selector is unknown."""
    basic, advanced = trail.lookup("eventSelectors"), trail.lookup("advancedEventSelectors")
    if basic is UNKNOWN or advanced is UNKNOWN:
        return None
    arns = [v for s in as_list(basic) for r in as_list(lookup(s, "dataResources")) for v in as_list(lookup(r, "values"))]
    for selector in as_list(advanced):
        for field in as_list(lookup(selector, "fieldSelectors")):
            if lookup(field, "field") == "resources.ARN":
                arns += as_list(lookup(field, "equals")) + as_list(lookup(field, "startsWith"))
    return arns


_EXCLUDING_OPERATORS = ("notEquals", "notStartsWith", "notEndsWith")


def _including_selectors(trail: Resource) -> tuple[str, ...]:
    """The selector inputs in which a reference to a store means "log it".

    An advanced selector can name a store to leave it out (notStartsWith its
    ARN): once any field uses an excluding operator, a reference there proves
    nothing, and the store must be matched by the ARNs the selectors name.
    """
    advanced = trail.lookup("advancedEventSelectors")
    fields = [f for s in as_list(advanced) if s is not UNKNOWN
              for f in as_list(lookup(s, "fieldSelectors")) if f is not UNKNOWN]
    if any(lookup(f, op) is not MISSING for f in fields for op in _EXCLUDING_OPERATORS):
        return ("eventSelectors",)
    return ("eventSelectors", "advancedEventSelectors")


def _covered(store: Resource, kind: str, trails: list[Resource]) -> bool | None:
    """Does some trail log data events for the store? None if that cannot be known yet."""
    name = store.lookup("bucket" if kind == "AWS::S3::Object" else "name")
    # The whole bucket (arn:aws:s3:::name/ or the bucket ARN), never a prefix inside it; exactly the table.
    endings = (f":::{name}/", f":::{name}") if kind == "AWS::S3::Object" else (f":table/{name}",)
    undecided = False
    for trail in trails:
        if any(store.urn in trail.property_dependencies.get(p, []) for p in _including_selectors(trail)):
            return True
        arns = _selector_arns(trail)
        if arns is None:
            undecided = True
            continue
        for arn in arns:
            if arn in _ALL_OF_KIND[kind] or (isinstance(name, str) and isinstance(arn, str)
                                             and arn.endswith(endings)):
                return True
    return None if undecided else False


@registry.stack("LOG-01", "data-events-cover-data-stores",
                "Every data bucket and DynamoDB table is covered by a trail's data-event selectors.",
                [*t.S3_BUCKETS, t.DYNAMODB_TABLE])
def data_events_cover_data_stores(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    trails = stack.of_type(t.TRAIL)
    log_buckets = trail_buckets(stack)
    stores = [(b, "AWS::S3::Object") for b in stack.of_type(*t.S3_BUCKETS) if b.urn not in log_buckets]
    stores += [(table, "AWS::DynamoDB::Table") for table in stack.of_type(t.DYNAMODB_TABLE)]
    for store, kind in stores:
        covered = _covered(store, kind, trails)
        if covered is None:
            yield Undecided("eventSelectors")
        elif not covered:
            yield Violation(f"{store.label()} is not in any trail's data-event selectors: add its ARN to the "
                            f"trail's {kind} data resources.", store.urn)


def _is_stream_source(r: Resource) -> bool:
    source = r.lookup("eventSourceArn")
    return r.has("startingPosition") or (isinstance(source, str) and (":kinesis:" in source or ":dynamodb:" in source))


@registry.resource("LOG-02", "stream-failures-bounded-and-kept",
                   "Stream event source mappings bisect failing batches, bound retries and keep failed records.",
                   [t.LAMBDA_EVENT_SOURCE_MAPPING], parameters=("maxRetryAttempts",))
def stream_failures_bounded_and_kept(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    if not _is_stream_source(r):
        raise NotApplicable("not a stream source; queues and other sources use their own redrive settings")
    limit = config["maxRetryAttempts"]
    destination = r.lookup("destinationConfig.onFailure.destinationArn")
    if destination is MISSING:
        yield ("destinationConfig.onFailure is not set, so failed records are lost: send them to the dead-letter "
               "queue.")
    retries = r.lookup("maximumRetryAttempts")
    if retries is UNKNOWN:
        yield Undecided("maximumRetryAttempts")
    elif retries is MISSING or not 0 <= (number(retries) if number(retries) is not None else -1) <= limit:
        yield (f"maximumRetryAttempts is {describe(retries)} (AWS retries until the record expires): set it "
               f"between 0 and {limit}.")
    bisect = r.lookup("bisectBatchOnFunctionError")
    if bisect is UNKNOWN:
        yield Undecided("bisectBatchOnFunctionError")
    elif not truthy(bisect):
        yield f"bisectBatchOnFunctionError is {describe(bisect)}: set it to true."


def _log_groups(stack: StackView, function: Resource) -> list[Resource]:
    groups = stack.sources(function, "loggingConfig", t.LOG_GROUP)
    name = function.lookup("name")
    if isinstance(name, str):
        groups += stack.linked(function, f"/aws/lambda/{name}", "name", t.LOG_GROUP)
    groups += stack.referrers(function, "name", t.LOG_GROUP)
    return list({g.urn: g for g in groups}.values())


@registry.stack("LOG-02", "lambda-log-group-and-failure-destination",
                "Every Lambda function has its own log group with a retention and a place for failed events.",
                [t.LAMBDA_FUNCTION])
def lambda_log_group_and_failure_destination(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for function in stack.of_type(t.LAMBDA_FUNCTION):
        groups = _log_groups(stack, function)
        if not groups:
            yield Violation(f"function '{function.name}' has no log group declared in this stack, so Lambda creates "
                            "one that never expires: declare /aws/lambda/<name> with retentionInDays.", function.urn)
        for group in groups:
            if group.lookup("retentionInDays") in (MISSING, 0, 0.0):
                yield Violation(f"function '{function.name}': log group '{group.name}' never expires events: set "
                                "retentionInDays.", function.urn)
        mappings = stack.referrers(function, "functionName", t.LAMBDA_EVENT_SOURCE_MAPPING)
        kept = [m for m in mappings if m.has("destinationConfig.onFailure.destinationArn")]
        if not function.has("deadLetterConfig.targetArn") and (not mappings or len(kept) < len(mappings)):
            yield Violation(f"function '{function.name}' has no dead-letter queue or on-failure destination for "
                            "every event source: set deadLetterConfig or destinationConfig.onFailure.", function.urn)
