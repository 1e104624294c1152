"""CKV_IOT_12 (LOG-02): a function's log group, stream mappings and invokers; each mapping alone (``controls.log_02``).

Facts from the plan: the function's log group (the one ``logging_config``
references or names, or ``/aws/lambda/<name>``), its dead-letter target, the
on-failure destination of an ``aws_lambda_function_event_invoke_config``, the
``aws_lambda_event_source_mapping`` and ``aws_lambda_permission`` resources that
name it. A mapping's source computed from a stream or table is a stream source;
from a queue, not. checkov's CKV_AWS_116 (a DLQ on every function) is skipped:
see skips.yaml and ``controls/log_02.py``.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import parameters
from plan_index import PlanIndex
from planned import fact, named

from controls import log_02
from controls.values import MISSING
from controls.verdict import Verdict

FUNCTION, MAPPING = "aws_lambda_function", "aws_lambda_event_source_mapping"
GROUP, PERMISSION, INVOKE_CONFIG = "aws_cloudwatch_log_group", "aws_lambda_permission", \
    "aws_lambda_function_event_invoke_config"
SOURCE_SERVICES = {"aws_kinesis_stream": "kinesis", "aws_dynamodb_table": "dynamodb", "aws_sqs_queue": "sqs"}


def _source(plan: PlanIndex, mapping: str) -> Any:
    """The source ARN, or its service when it is computed from a resource of the plan (``arn:aws:<service>:``)."""
    sources = plan.references(mapping, "event_source_arn")
    if sources and plan.type_of(sources[0]) in SOURCE_SERVICES:
        return f"arn:aws:{SOURCE_SERVICES[plan.type_of(sources[0])]}:"
    return fact(plan, mapping, "event_source_arn")


def _mapping(plan: PlanIndex, address: str) -> log_02.Mapping:
    return log_02.Mapping(f"mapping '{address.split('.', 1)[1]}'", _source(plan, address),
                          fact(plan, address, "destination_config.on_failure.destination_arn"),
                          fact(plan, address, "maximum_retry_attempts"),
                          fact(plan, address, "bisect_batch_on_function_error"))


def _function(plan: PlanIndex, address: str) -> log_02.Function:
    name = fact(plan, address, "function_name")
    configured = fact(plan, address, "logging_config.log_group")
    group_name = configured if configured is not MISSING else (
        f"/aws/lambda/{name}" if isinstance(name, str) else name)
    groups = plan.references(address, "logging_config", (GROUP,)) + plan.referrers(address, "name", (GROUP,))
    groups += [g for g in plan.of_type(GROUP) if isinstance(group_name, str) and fact(plan, g, "name") == group_name]
    destinations = [fact(plan, c, "destination_config.on_failure.destination")
                    for c in named(plan, address, "function_name", name, INVOKE_CONFIG)]
    return log_02.Function(
        address.split(".", 1)[1], group_name,
        tuple(log_02.LogGroup(g.split(".", 1)[1], fact(plan, g, "retention_in_days")) for g in dict.fromkeys(groups)),
        fact(plan, address, "dead_letter_config.target_arn"),
        next((d for d in destinations if d is not MISSING), MISSING),
        tuple(_mapping(plan, m) for m in named(plan, address, "function_name", name, MAPPING)),
        tuple(log_02.Invoker(f"permission '{p.split('.', 1)[1]}'", fact(plan, p, "principal"), fact(plan, p, "action"))
              for p in named(plan, address, "function_name", name, PERMISSION)))


class FunctionFailureHandling(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="LOG-02: Lambda logs with a retention; stream failures kept, retries bounded, batches bisected",
            id="CKV_IOT_12", categories=[CheckCategories.LOGGING], supported_resources=(FUNCTION, MAPPING),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        limit = int(parameters("LOG-02")["maxRetryAttempts"])
        if plan.type_of(address) == MAPPING:
            return log_02.decide_mapping(_mapping(plan, address), limit)
        return log_02.decide(_function(plan, address), limit)


check = FunctionFailureHandling()

