"""LOG-03's decision where no case can reach it: values a first preview leaves unknown, and the live answer's shapes.

A case deploys or renders known values; a first preview leaves the destination, the
group's key or the traffic type unknown, and DescribeFlowLogs may name the group by
``LogGroupName`` only. Unknown is never a pass; a definite violation still fails.
"""

from __future__ import annotations

from controls import log_03
from controls.keys import CUSTOMER, KeyRef
from controls.values import MISSING, UNKNOWN

CMK = KeyRef("arn:aws:kms:sa-east-1:123456789012:key/logs", CUSTOMER)


def flow_log(**changes):
    facts = {"part": "flow log 'main'", "traffic_type": "ALL", "destination_type": MISSING,
             "destination": UNKNOWN, "groups": (log_03.LogGroup("/aws/vpc/flowlogs", CMK, 30),)}
    return log_03.FlowLog(**{**facts, **changes})


def test_a_destination_computed_from_no_group_of_the_stack_is_undecided():
    verdict = log_03.decide([flow_log(groups=())], 30)
    assert verdict.status == "unknown"
    assert verdict.paths == ("flow log 'main'.logDestination",)


def test_a_group_key_computed_from_no_key_of_the_stack_is_undecided():
    group = log_03.LogGroup("/aws/vpc/flowlogs", KeyRef(UNKNOWN), 30)
    verdict = log_03.decide([flow_log(groups=(group,))], 30)
    assert verdict.status == "unknown"
    assert "kmsKeyId" in verdict.message


def test_unknown_traffic_type_is_undecided_but_a_definite_violation_still_fails():
    assert log_03.decide([flow_log(traffic_type=UNKNOWN)], 30).status == "unknown"
    short = log_03.LogGroup("/aws/vpc/flowlogs", CMK, 14)
    verdict = log_03.decide([flow_log(traffic_type=UNKNOWN, groups=(short,))], 30)
    assert verdict.status == "fail" and verdict.undecided


def test_traffic_type_is_compared_as_the_api_spells_it():
    assert log_03.decide([flow_log(traffic_type="all")], 30).status == "fail"


def test_the_group_name_comes_from_its_arn_with_or_without_the_stream_wildcard():
    arn = "arn:aws:logs:sa-east-1:123456789012:log-group:/aws/vpc/flowlogs-network-dev"
    assert log_03.log_group_name(arn) == log_03.log_group_name(f"{arn}:*") == "/aws/vpc/flowlogs-network-dev"
    assert log_03.log_group_name("/aws/vpc/flowlogs-network-dev") is None
    assert log_03.log_group_name("arn:aws:s3:::s3-flowlogs-dev") is None


def test_the_live_facts_take_the_group_name_when_moto_gives_no_destination(monkeypatch):
    from compliance.audit.services import ec2

    found = {}

    def groups_named(ctx, name):
        found["name"] = name
        return [{"logGroupName": name, "retentionInDays": 30, "kmsKeyId": CMK.value}]

    monkeypatch.setattr(ec2, "log_groups_named", groups_named)
    monkeypatch.setattr(ec2, "key_ref", lambda ctx, value, evidence: KeyRef(value, CUSTOMER, "Enabled"))
    evidence: dict = {}
    facts = ec2.flow_log_facts(None, {"FlowLogId": "fl-1", "TrafficType": "ALL", "LogGroupName": "/aws/vpc/x",
                                      "DeliverLogsStatus": "FAILED"}, evidence)
    assert found["name"] == "/aws/vpc/x" and facts.destination == "/aws/vpc/x"
    assert log_03.decide([facts], 30).status == "pass"  # the delivery status is not a fact of LOG-03
    assert "DeliverLogsStatus" not in evidence["fl-1"]
