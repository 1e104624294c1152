"""NET-03 branches no case can express: service names unknown until apply, endpoint and NAT states."""

from __future__ import annotations

from controls import net_03
from controls.values import UNKNOWN

SERVICES = ["s3", "kms"]


def _vpc(*endpoints: net_03.Endpoint, nats=()) -> net_03.Vpc:
    return net_03.Vpc("main", endpoints, tuple(nats))


def test_an_unknown_service_name_leaves_a_missing_service_undecided():
    verdict = net_03.decide(_vpc(net_03.Endpoint("s3", "com.amazonaws.sa-east-1.s3"), net_03.Endpoint("x", UNKNOWN)),
                            SERVICES)
    assert verdict.status == "unknown" and "kms" in verdict.message


def test_endpoints_that_carry_no_traffic_do_not_count():
    rejected = net_03.Endpoint("kms", "com.amazonaws.sa-east-1.kms", "rejected")
    verdict = net_03.decide(_vpc(net_03.Endpoint("s3", "com.amazonaws.sa-east-1.s3", "available"), rejected), SERVICES)
    assert verdict.status == "fail" and "no VPC endpoint for kms" in verdict.message


def test_a_deleted_nat_gateway_does_not_count_a_pending_one_does():
    endpoints = (net_03.Endpoint("s3", "com.amazonaws.sa-east-1.s3"), net_03.Endpoint("kms", "com.amazonaws.sa-east-1.kms"))
    assert net_03.decide(_vpc(*endpoints, nats=[net_03.NatGateway("nat-1", "deleted")]), SERVICES).status == "pass"
    assert net_03.decide(_vpc(*endpoints, nats=[net_03.NatGateway("nat-1", "pending")]), SERVICES).status == "fail"


def test_service_names_in_every_partition():
    assert net_03.service_of("com.amazonaws.sa-east-1.kinesis-streams") == "kinesis-streams"
    assert net_03.service_of("cn.com.amazonaws.cn-north-1.s3") == "s3"
    assert net_03.service_of("com.amazonaws.vpce.sa-east-1.vpce-svc-123") == "sa-east-1.vpce-svc-123"
