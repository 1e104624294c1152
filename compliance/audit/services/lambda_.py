"""Lambda: functions; ENC-09 (environment key, ``controls.enc_09``), LAM-01 (runtime), LOG-02 (failure path), NET-02 (placement)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from compliance.audit.common import as_list, key_ref, pick, statements, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.ec2 import placement
from compliance.audit.services.logs import log_groups_named
from controls import enc_09, lam_01, log_02, net_02
from controls.values import MISSING, lookup

FUNCTION = "aws:lambda/function:Function"


@listing(FUNCTION)
def functions(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Functions as ListFunctions describes them, without their environment values."""
    for function in inventory.aws.pages("lambda", region, "ListFunctions", "Functions"):
        def read(arn: str = function["FunctionArn"]) -> dict[str, str]:
            return inventory.tags_of(region, arn)

        yield inventory.keep(FUNCTION, region, function["FunctionName"], (function["FunctionArn"],),
                             _without_environment(function), read, resource_id=function["FunctionArn"])


def _without_environment(function: dict[str, Any]) -> dict[str, Any]:
    """A function's description without its environment values (they may hold configuration secrets): only
    how many variables it has (ENC-09 judges the key of a function that has some)."""
    described = {k: v for k, v in function.items() if k != "Environment"}
    described["Environment"] = {"VariableCount": len((function.get("Environment") or {}).get("Variables") or {})}
    return described


@live_check("ENC-09", "enc-09-lambda-environment-key", resource_type=FUNCTION)
def function_keys(ctx: CheckContext):
    def evaluate(function: Resource) -> Outcome:
        evidence: dict[str, Any] = {"lambda:ListFunctions": {**pick(function.data, "KMSKeyArn"),
                                                             **function.data["Environment"]}}
        facts = enc_09.Function(function.data["Environment"]["VariableCount"],
                                key_ref(ctx, function.data.get("KMSKeyArn"), evidence))
        return verdict_outcome(function, enc_09.decide(facts), evidence)

    return ctx.each(functions(ctx.inventory, ctx.region), evaluate)


@live_check("LAM-01", "lam-01-approved-runtime", resource_type=FUNCTION)
def runtimes(ctx: CheckContext):
    approved = list(ctx.parameters.get("approvedRuntimes") or [])

    def evaluate(function: Resource) -> Outcome:
        facts = lam_01.Function(lookup(function.data, "Runtime"), lookup(function.data, "PackageType"))
        return verdict_outcome(function, lam_01.decide(facts, approved),
                               {"lambda:ListFunctions": pick(function.data, "Runtime", "PackageType")})

    return ctx.each(functions(ctx.inventory, ctx.region), evaluate)


def _invokers(ctx: CheckContext, function: Resource) -> list[dict[str, Any]]:
    """The statements of the function's resource policy (GetPolicy; none without a policy)."""
    answer = ctx.call("lambda", "GetPolicy", absent=("ResourceNotFoundException",), FunctionName=function.id)
    return statements(json.loads(answer["Policy"])) if answer and answer.get("Policy") else []


def _principals(statement: dict[str, Any]) -> list[Any]:
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        return [p for values in principal.values() for p in as_list(values)]
    return as_list(principal)


def event_source_mappings(ctx: CheckContext) -> list[dict[str, Any]]:
    """Every mapping of the region, listed once: moto 5.2.5 filters ``FunctionName`` by the exact string the
    mapping was created with (name or ARN) where AWS takes either, so the audit matches ``FunctionArn`` itself."""
    return ctx.inventory.memo.get(("ListEventSourceMappings", ctx.region), lambda: list(
        ctx.aws.pages("lambda", ctx.region, "ListEventSourceMappings", "EventSourceMappings")))


def _mapping(mapping: dict[str, Any]) -> log_02.Mapping:
    return log_02.Mapping(f"event source mapping {mapping.get('UUID')}", lookup(mapping, "EventSourceArn"),
                          lookup(mapping, "DestinationConfig.OnFailure.Destination"),
                          lookup(mapping, "MaximumRetryAttempts"), lookup(mapping, "BisectBatchOnFunctionError"))


@live_check("LOG-02", "log-02-processor-failure-path", resource_type=FUNCTION)
def function_failure_path(ctx: CheckContext):
    maximum = int(ctx.parameters.get("maxRetryAttempts", 10))

    def evaluate(function: Resource) -> Outcome:
        group_name = (function.data.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{function.name}"
        groups = log_groups_named(ctx, group_name)
        # A mapping may invoke a version or alias (arn:...:function:<name>:<qualifier>): still this function.
        mappings = [m for m in event_source_mappings(ctx)
                    if ":".join(str(m.get("FunctionArn")).split(":")[:7]) == function.id]
        grants = _invokers(ctx, function)
        invoke_config = ctx.call("lambda", "GetFunctionEventInvokeConfig", absent=("ResourceNotFoundException",),
                                 FunctionName=function.id) or {}
        on_failure = lookup(invoke_config, "DestinationConfig.OnFailure.Destination")
        facts = log_02.Function(
            function.name, group_name,
            tuple(log_02.LogGroup(g["logGroupName"], lookup(g, "retentionInDays")) for g in groups),
            lookup(function.data, "DeadLetterConfig.TargetArn"), on_failure,
            tuple(_mapping(m) for m in mappings),
            tuple(log_02.Invoker(f"policy statement {g.get('Sid')}", principal, action)
                  for g in grants if g.get("Effect") == "Allow"
                  for principal in _principals(g) for action in as_list(g.get("Action"))))
        evidence: dict[str, Any] = {
            "logs:DescribeLogGroups": [pick(g, "logGroupName", "retentionInDays") for g in groups],
            "lambda:ListEventSourceMappings": [
                {**pick(m, "UUID", "EventSourceArn", "MaximumRetryAttempts", "BisectBatchOnFunctionError"),
                 "OnFailure": ((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")}
                for m in mappings],
            "lambda:GetPolicy": [{"Sid": g.get("Sid"), "Principal": g.get("Principal"), "Action": g.get("Action")}
                                 for g in grants],
            "lambda:GetFunctionEventInvokeConfig": {"OnFailure": invoke_config.get("DestinationConfig")},
            "lambda:ListFunctions": {"DeadLetterConfig": function.data.get("DeadLetterConfig"),
                                     "LoggingConfig": {"LogGroup": (function.data.get("LoggingConfig") or {}).get(
                                         "LogGroup")}},
        }
        return verdict_outcome(function, log_02.decide(facts, maximum), evidence)

    return ctx.each(functions(ctx.inventory, ctx.region), evaluate)


@live_check("NET-02", "net-02-lambda-private", resource_type=FUNCTION)
def lambda_private(ctx: CheckContext):
    def evaluate(function: Resource) -> Outcome:
        subnet_ids = (function.data.get("VpcConfig") or {}).get("SubnetIds") or []
        evidence: dict[str, Any] = {"lambda:ListFunctions": {"SubnetIds": subnet_ids}}
        where: Any = MISSING
        if subnet_ids:
            where, subnets = placement(ctx, "VpcConfig.SubnetIds", subnet_ids)
            evidence.update(subnets)
        return verdict_outcome(function, net_02.decide(net_02.DataStore(f"function '{function.name}'", where)),
                               evidence)

    return ctx.each(functions(ctx.inventory, ctx.region), evaluate)
