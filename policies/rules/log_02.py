"""LOG-02 in the pack: a function with its log group, stream mappings and invokers; each mapping alone (``controls.log_02``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import log_02
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, resource_results, stack_results
from rules.values import MISSING

registry = Registry()


def _mapping(r: Resource) -> log_02.Mapping:
    return log_02.Mapping(f"mapping '{r.name}'", r.lookup("eventSourceArn"),
                          r.lookup("destinationConfig.onFailure.destinationArn"), r.lookup("maximumRetryAttempts"),
                          r.lookup("bisectBatchOnFunctionError"))


@registry.resource("LOG-02", "stream-failures-bounded-and-kept",
                   "Stream event source mappings bisect failing batches, bound retries and keep failed records.",
                   [t.LAMBDA_EVENT_SOURCE_MAPPING], parameters=("maxRetryAttempts",))
def stream_failures_bounded_and_kept(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(log_02.decide_mapping(_mapping(r), config["maxRetryAttempts"]))


def _naming(stack: StackView, function: Resource, prop: str, *types: str) -> list[Resource]:
    """Resources whose ``prop`` names the function: by dependency edge or by its literal name."""
    return stack.linked(function, function.lookup("name"), prop, *types)


def _log_group_name(function: Resource) -> Any:
    configured = function.lookup("loggingConfig.logGroup")
    name = function.lookup("name")
    if configured is not MISSING:
        return configured
    return f"/aws/lambda/{name}" if isinstance(name, str) else name


def _log_groups(stack: StackView, function: Resource) -> list[Resource]:
    groups = stack.sources(function, "loggingConfig", t.LOG_GROUP)
    groups += stack.named("name", _log_group_name(function), t.LOG_GROUP)
    groups += stack.referrers(function, "name", t.LOG_GROUP)
    return list({g.urn: g for g in groups}.values())


def _function(stack: StackView, function: Resource) -> tuple[log_02.Function, dict[str, str]]:
    """The function's facts, and the URN of each mapping its problems may be about."""
    mappings = _naming(stack, function, "functionName", t.LAMBDA_EVENT_SOURCE_MAPPING)
    invoke_configs = _naming(stack, function, "functionName", t.LAMBDA_EVENT_INVOKE_CONFIG)
    destinations = [c.lookup("destinationConfig.onFailure.destination") for c in invoke_configs]
    facts = log_02.Function(
        function.name, _log_group_name(function),
        tuple(log_02.LogGroup(g.name, g.lookup("retentionInDays")) for g in _log_groups(stack, function)),
        function.lookup("deadLetterConfig.targetArn"),
        next((d for d in destinations if d is not MISSING), MISSING),
        tuple(_mapping(m) for m in mappings),
        tuple(log_02.Invoker(f"permission '{p.name}'", p.lookup("principal"), p.lookup("action"))
              for p in _naming(stack, function, "function", t.LAMBDA_PERMISSION)))
    return facts, {f"mapping '{m.name}'": m.urn for m in mappings}


@registry.stack("LOG-02", "lambda-log-group-and-failure-destination",
                "Every Lambda function has its own log group with a retention, and keeps the events that fail where "
                "something invokes it asynchronously or through a stream.", [t.LAMBDA_FUNCTION],
                parameters=("maxRetryAttempts",))
def lambda_log_group_and_failure_destination(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for function in stack.of_type(t.LAMBDA_FUNCTION):
        facts, parts = _function(stack, function)
        yield from stack_results(log_02.decide(facts, config["maxRetryAttempts"]), function.urn, parts)


