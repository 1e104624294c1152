"""LOG-03: every VPC's traffic is recorded (flow logs of ALL traffic) in a CloudWatch Logs group
encrypted with a customer-managed key and kept at least ``minRetentionDays`` (30) days.

A VPC is judged with every flow log attached to it (a flow log whose ``vpcId`` is the
VPC; a subnet's or a network interface's flow log covers part of a VPC only and does
not count):

* no flow log: fail;
* every flow log of the VPC records ``ALL`` traffic: ``ACCEPT`` or ``REJECT`` alone
  leaves out half of what an investigation reconstructs;
* every flow log delivers to CloudWatch Logs (an absent ``logDestinationType`` is AWS's
  default, ``cloud-watch-logs``). One to S3 or Kinesis Data Firehose fails: the catalog
  asks for a log group, whose key and retention every layer can verify; the fix moves
  the flow log to such a group;
* the group it delivers to can be found (declared in the program before the deploy,
  present in the account after it): a group that cannot be found cannot be verified, so
  it fails; its key is customer-managed (``controls.keys``) and it keeps events at least
  ``minRetentionDays``. A group that never expires keeps flow logs at least that long,
  which meets this control; that it should not keep them forever is RET-04's concern,
  which fails such a group on its own (RET-05 reads the trail's group the same way).

Every flow log of a VPC must comply, not one of them: each is a copy of the VPC's
traffic metadata (addresses, ports, volumes), to be protected and kept like the others.
What a layer may say about delivery (``DeliverLogsStatus``) is not a fact here: the
configuration is judged, and an emulator's delivery status is not AWS's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controls.keys import KeyRef, judge_key
from controls.values import MISSING, UNKNOWN, describe, number
from controls.verdict import Judgement, Verdict

CONTROL = "LOG-03"
ALL_TRAFFIC = "ALL"
CLOUDWATCH_LOGS = "cloud-watch-logs"
KEY_FIX = "the ARN of the CloudWatch Logs key"
_LOG_GROUP_ARN_MARK = ":log-group:"


@dataclass(frozen=True)
class LogGroup:
    """A log group a flow log delivers to, as a layer found it: ``retention_days`` ``MISSING`` or 0 never expires."""

    name: str
    key: KeyRef
    retention_days: Any


@dataclass(frozen=True)
class FlowLog:
    """One flow log of the VPC.

    ``part`` names it in messages (``"flow log 'main'"``, ``"flow log fl-0abc"``);
    ``destination`` is the log group as configured (its ARN), ``groups`` the groups a
    layer found for it (none: it cannot be found).
    """

    part: str
    traffic_type: Any
    destination_type: Any
    destination: Any
    groups: tuple[LogGroup, ...] = ()


def log_group_name(destination: Any) -> str | None:
    """The log group an ARN names (``arn:aws:logs:<region>:<account>:log-group:<name>[:*]``); None for anything else."""
    if not isinstance(destination, str) or not destination.startswith("arn:") \
            or _LOG_GROUP_ARN_MARK not in destination:
        return None
    name = destination.split(_LOG_GROUP_ARN_MARK, 1)[1].removesuffix(":*")
    return name or None


def decide(flow_logs: Sequence[FlowLog], min_retention_days: int) -> Verdict:
    """The verdict on one VPC, given every flow log attached to it."""
    judgement = Judgement()
    target = (f"the ARN of a log group encrypted with the CloudWatch Logs key and kept {min_retention_days} days or "
              "more")
    if not flow_logs:
        judgement.fail(f"the VPC has no flow log: add an aws.ec2.FlowLog with vpcId this VPC, trafficType ALL and "
                       f"logDestination {target}.", "flowLogs")
    for flow_log in flow_logs:
        _judge_flow_log(judgement, flow_log, min_retention_days, target)
    count = len(flow_logs)
    return judgement.verdict(f"{count} flow log{'s' if count != 1 else ''} of ALL traffic, to log groups encrypted "
                             f"with a customer-managed key and kept {min_retention_days} days or more")


def _judge_flow_log(judgement: Judgement, flow_log: FlowLog, min_days: int, target: str) -> None:
    part, parts = flow_log.part, (flow_log.part,)
    traffic = flow_log.traffic_type
    if traffic is UNKNOWN:
        judgement.unknown(f"{part}.trafficType", parts=parts)
    elif traffic != ALL_TRAFFIC:  # the API's values are ACCEPT, REJECT and ALL, in capitals
        shown = "no traffic type" if traffic is MISSING else f"{describe(traffic)} traffic only"
        judgement.fail(f"{part} records {shown}: set trafficType to ALL.", f"{part}.trafficType", parts)
    kind = CLOUDWATCH_LOGS if flow_log.destination_type is MISSING else flow_log.destination_type
    if kind is UNKNOWN:
        judgement.unknown(f"{part}.logDestinationType", parts=parts)
        return
    if kind != CLOUDWATCH_LOGS:
        judgement.fail(f"{part} delivers to {describe(kind)} instead of CloudWatch Logs: set logDestinationType to "
                       f"{CLOUDWATCH_LOGS} and logDestination to {target}.", f"{part}.logDestinationType", parts)
        return
    destination = flow_log.destination
    if not flow_log.groups:
        if destination is UNKNOWN:
            judgement.unknown(f"{part}.logDestination",
                              f"{part}.logDestination is computed at apply from something that is not a log group "
                              "of this stack, so its key and retention cannot be verified yet", parts)
        elif destination is MISSING or destination in (None, ""):
            judgement.fail(f"{part} names no log group: set logDestination to {target}.", f"{part}.logDestination",
                           parts)
        else:
            judgement.fail(f"{part} delivers to {describe(destination)}, a log group that cannot be found, so its key "
                           "and retention cannot be verified: declare the log group in the program and set "
                           f"logDestination to its ARN.", f"{part}.logDestination", parts)
    for group in flow_log.groups:
        _judge_group(judgement, part, group, min_days)


def _judge_group(judgement: Judgement, part: str, group: LogGroup, min_days: int) -> None:
    where = f"{part} delivers to log group '{group.name}'"
    key = Judgement()
    judge_key(key, group.key, "kmsKeyId", KEY_FIX)
    for problem in key.problems:
        judgement.fail(f"{where}, whose {problem.reason}", f"{part}.logDestination.kmsKeyId", (part,))
    for problem in key.undecided:
        judgement.unknown(f"{part}.logDestination.kmsKeyId", f"{where}, whose {problem.reason}", (part,))
    retention = group.retention_days
    days = number(retention)
    if retention is UNKNOWN:
        judgement.unknown(f"{part}.logDestination.retentionInDays", parts=(part,))
    elif retention is MISSING or days == 0:
        return  # never expires: at least min_days (RET-04 fails keeping logs forever)
    elif days is None or days < min_days:
        unit = "day" if days == 1 else "days"
        judgement.fail(f"{where}, which keeps events {describe(retention)} {unit}: set its retentionInDays to "
                       f"{min_days} or more.", f"{part}.logDestination.retentionInDays", (part,))
