"""NET-02 branches no case can express: targets unknown until apply, tables and subnets a layer cannot see."""

from __future__ import annotations

from controls import net_02
from controls.values import MISSING, UNKNOWN


def _store(*tables: net_02.RouteTable, public_ip=False, unresolved=0) -> net_02.DataStore:
    subnet = net_02.Subnet("private-a", public_ip, tables)
    return net_02.DataStore("Cluster 'aurora'", net_02.Placement("dbSubnetGroupName 'db'", (subnet,), unresolved))


def test_a_route_whose_target_is_unknown_is_undecided_never_a_pass():
    verdict = net_02.decide(_store(net_02.RouteTable("rtb", (net_02.Route("0.0.0.0/0", UNKNOWN, "'r'"),))))
    assert verdict.status == "unknown"
    assert "route 'r' is not known until apply" in verdict.message


def test_an_unknown_target_does_not_hide_a_definite_internet_route():
    table = net_02.RouteTable("rtb", (net_02.Route("::/0", UNKNOWN), net_02.Route("0.0.0.0/0", True)))
    verdict = net_02.decide(_store(table))
    assert verdict.status == "fail" and verdict.undecided


def test_a_main_table_the_layer_cannot_read_fails_with_the_fix():
    verdict = net_02.decide(_store(net_02.RouteTable("main.routeTableId", main=True,
                                                     unreadable="not declared in this stack")))
    assert verdict.status == "fail"
    assert "main route table 'main.routeTableId', which is not declared in this stack" in verdict.message
    assert "associate the subnet with the private route table" in verdict.message


def test_public_ip_unknown_is_undecided_and_subnets_outside_the_layer_fail():
    assert net_02.decide(_store(public_ip=UNKNOWN)).status == "unknown"
    assert "includes subnets not declared in this stack" in net_02.decide(_store(unresolved=1)).message


def test_no_placement_fails_and_an_absent_flag_is_private():
    assert net_02.decide(net_02.DataStore("Function 'f'", MISSING)).status == "fail"
    assert net_02.decide_exposure([net_02.Exposure("instance", MISSING)]).status == "pass"
    assert net_02.decide_exposure([net_02.Exposure("instance", "true")]).status == "fail"
