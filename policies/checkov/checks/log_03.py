"""CKV_IOT_61 (LOG-03): every VPC has flow logs of ALL traffic to a CMK-encrypted log group kept >= minRetentionDays.

Facts from the plan: the ``aws_flow_log`` resources whose ``vpc_id`` references the
VPC; for each, the ``aws_cloudwatch_log_group`` its ``log_destination`` references (or
names by its literal ARN), with the group's key reference and retention. The decision
is ``controls.log_03``; checkov's CKV2_AWS_11 ("VPC flow logging is enabled") stays as
corroborating evidence.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import key_ref, parameters
from plan_index import REFERENCE, PlanIndex

from controls import log_03
from controls.values import MISSING, UNKNOWN
from controls.verdict import Verdict

VPC, FLOW_LOG, LOG_GROUP = "aws_vpc", "aws_flow_log", "aws_cloudwatch_log_group"


def _value(plan: PlanIndex, address: str, attribute: str):
    value = plan.value(address, attribute)
    return UNKNOWN if value is REFERENCE else MISSING if value is None else value


def _groups(plan: PlanIndex, flow_log: str) -> tuple[log_03.LogGroup, ...]:
    groups = plan.references(flow_log, "log_destination", (LOG_GROUP,))
    if not groups:
        name = log_03.log_group_name(plan.values(flow_log).get("log_destination"))
        groups = [g for g in plan.of_type(LOG_GROUP) if name is not None and plan.values(g).get("name") == name]
    return tuple(log_03.LogGroup(str(plan.values(g).get("name") or g.split(".", 1)[1]), key_ref(plan, g, "kms_key_id"),
                                 _value(plan, g, "retention_in_days"))
                 for g in groups)


def _flow_log(plan: PlanIndex, address: str) -> log_03.FlowLog:
    return log_03.FlowLog(f"flow log '{address.split('.', 1)[1]}'", _value(plan, address, "traffic_type"),
                          _value(plan, address, "log_destination_type"), _value(plan, address, "log_destination"),
                          _groups(plan, address))


class VpcFlowLogs(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="LOG-03: every VPC has flow logs of ALL traffic to a CMK-encrypted log group kept >= minRetentionDays",
            id="CKV_IOT_61", categories=[CheckCategories.LOGGING], supported_resources=(VPC,),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        minimum = int(parameters("LOG-03")["minRetentionDays"])
        flow_logs = plan.referrers(address, "vpc_id", (FLOW_LOG,))
        return log_03.decide([_flow_log(plan, f) for f in flow_logs], minimum)


check = VpcFlowLogs()
