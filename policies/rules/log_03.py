"""LOG-03 in the pack: every VPC's flow logs, their traffic type and the log group they deliver to (``controls.log_03``).

Facts from the stack: the flow logs whose ``vpcId`` was computed from the VPC, and for
each the log group its ``logDestination`` was computed from (or names by its literal
ARN), with the group's key reference and retention. A violation is reported on the VPC
and on the flow log that causes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import log_03
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import Resource, StackView
from rules.registry import Registry, stack_results

registry = Registry()


def _groups(stack: StackView, flow_log: Resource) -> tuple[log_03.LogGroup, ...]:
    """The log groups the flow log's destination was computed from, or that its literal ARN names."""
    groups = stack.sources(flow_log, "logDestination", t.LOG_GROUP)
    if not groups:
        groups = stack.named("name", log_03.log_group_name(flow_log.lookup("logDestination")), t.LOG_GROUP)
    return tuple(log_03.LogGroup(str(group.lookup("name")) if isinstance(group.lookup("name"), str) else group.name,
                                 key_ref(group, "kmsKeyId", stack=stack), group.lookup("retentionInDays"))
                 for group in groups)


def _flow_log(stack: StackView, flow_log: Resource) -> log_03.FlowLog:
    return log_03.FlowLog(f"flow log '{flow_log.name}'", flow_log.lookup("trafficType"),
                          flow_log.lookup("logDestinationType"), flow_log.lookup("logDestination"),
                          _groups(stack, flow_log))


@registry.stack("LOG-03", "vpc-flow-logs",
                "Every VPC has flow logs of ALL traffic to a CloudWatch log group encrypted with a customer-managed "
                "key and kept at least minRetentionDays.", [t.VPC], parameters=("minRetentionDays",))
def vpc_flow_logs(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for vpc in stack.of_type(t.VPC):
        flow_logs = stack.referrers(vpc, "vpcId", t.FLOW_LOG)
        verdict = log_03.decide([_flow_log(stack, f) for f in flow_logs], config["minRetentionDays"])
        yield from stack_results(verdict, vpc.urn, {f"flow log '{f.name}'": f.urn for f in flow_logs})
