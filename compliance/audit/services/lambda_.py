"""Lambda: functions; ENC-09 (environment key, ``controls.enc_09``), LAM-01 (runtime), LOG-02 (failure path), NET-02 (placement)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.ec2 import placement
from compliance.audit.services.logs import log_groups_named
from controls import enc_09, net_02
from controls.values import MISSING

FUNCTION = "aws:lambda/function:Function"
STREAM_SOURCES = (":kinesis:", ":dynamodb:", ":kafka:")


@listing(FUNCTION)
def functions(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Functions as ListFunctions describes them, without their environment values."""
    for function in inventory.aws.pages("lambda", region, "ListFunctions", "Functions"):
        def read(arn: str = function["FunctionArn"]) -> dict[str, str]:
            return inventory.aws.call("lambda", region, "ListTags", Resource=arn).get("Tags", {})

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
        runtime = function.data.get("Runtime")
        evidence = {"lambda:ListFunctions": pick(function.data, "Runtime", "PackageType")}
        if function.data.get("PackageType") == "Image":
            return Outcome(function.ref, "not_applicable", f"{function.name}: a container image declares no "
                           "runtime", evidence)
        problems = [] if runtime in approved else [f"runtime {runtime} is not approved ({', '.join(approved)}): "
                                                   "move to an approved runtime"]
        return verdict(function, problems, f"runtime {runtime} is approved", evidence)

    return ctx.each(functions(ctx.inventory, ctx.region), evaluate)


@live_check("LOG-02", "log-02-processor-failure-path", resource_type=FUNCTION)
def function_failure_path(ctx: CheckContext):
    maximum = int(ctx.parameters.get("maxRetryAttempts", 10))

    def evaluate(function: Resource) -> Outcome:
        group_name = (function.data.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{function.name}"
        groups = log_groups_named(ctx, group_name)
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
