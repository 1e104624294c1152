"""NET-04 branches no case can express: ingress unknown until apply; the VPC's default group (AWS's own)."""

from __future__ import annotations

from controls import net_04
from controls.values import UNKNOWN


def test_unknown_ingress_is_undecided_and_names_its_group():
    verdict = net_04.decide(net_04.DataStore("Cluster 'aurora'", "vpcSecurityGroupIds",
                                             (net_04.Guard("aurora", UNKNOWN),)))
    assert verdict.status == "unknown" and "group 'aurora'" in verdict.undecided[0].parts


def test_an_unknown_cidr_beside_a_known_one_fails_and_stays_undecided():
    ingress = net_04.Ingress("rule 'r'", ("10.0.0.0/8", UNKNOWN))
    verdict = net_04.decide(net_04.DataStore("Cluster 'aurora'", "vpcSecurityGroupIds",
                                             (net_04.Guard("aurora", (ingress,)),)))
    assert verdict.status == "fail" and verdict.undecided


def test_the_vpcs_default_group_is_not_the_stores_own():
    verdict = net_04.decide(net_04.DataStore("Cluster 'aurora'", "VpcSecurityGroups",
                                             (net_04.Guard("default", (), default=True),)))
    assert verdict.status == "fail" and "the VPC's default group" in verdict.message
