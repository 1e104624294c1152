"""LOG-01 in the pack: a trail's configuration, and which data stores the trails' selectors cover (``controls.log_01``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import log_01
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, resource_results, stack_results
from rules.trail_buckets import trail_buckets

registry = Registry()


def trail_facts(r: Resource) -> log_01.Trail:
    """The trail's settings; the stores its selector inputs are computed from, by URN."""
    selectors = log_01.read_selectors(
        r.lookup("eventSelectors"), r.lookup("advancedEventSelectors"), log_01.PULUMI,
        r.property_dependencies.get("eventSelectors", ()), r.property_dependencies.get("advancedEventSelectors", ()))
    return log_01.Trail(r.name, r.lookup("isMultiRegionTrail"), r.lookup("enableLogFileValidation"),
                        r.lookup("enableLogging"), log_01.read_insights(r.lookup("insightSelectors"), log_01.PULUMI),
                        selectors)


@registry.resource("LOG-01", "cloudtrail-configuration",
                   "CloudTrail is multi-region with log file validation, Insights and data events on the data "
                   "stores.", [t.TRAIL])
def cloudtrail_configuration(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(log_01.decide_trail(trail_facts(r)))


@registry.stack("LOG-01", "data-events-cover-data-stores",
                "Every data bucket and DynamoDB table is covered by a trail's data-event selectors.",
                [*t.S3_BUCKETS, t.DYNAMODB_TABLE])
def data_events_cover_data_stores(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    trails = [trail_facts(trail) for trail in stack.of_type(t.TRAIL)]
    log_buckets = trail_buckets(stack)
    stores = [log_01.Store(b.urn, log_01.S3_OBJECT, b.lookup("bucket"), b.label(), b.urn in log_buckets)
              for b in stack.of_type(*t.S3_BUCKETS)]
    stores += [log_01.Store(table.urn, log_01.DYNAMODB_TABLE, table.lookup("name"), table.label())
               for table in stack.of_type(t.DYNAMODB_TABLE)]
    for store in stores:
        yield from stack_results(log_01.decide_store(store, trails), store.key)
