"""NET-01..04 on the rendered dev graph: private placement, endpoints, least-access security groups.

The network's children are named after the component (``network-<child>``);
``tier`` strips that prefix so that assertions read as the tiers they are about.
"""

from __future__ import annotations

import json

from compliance import REPO_ROOT
from compliance_tests.program.graph_helpers import depends_on, of_type, one

SUBNET = "aws:ec2/subnet:Subnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
WORLD = {"0.0.0.0/0", "::/0"}


def subnets_by_tier(graph):
    tiers: dict[str, list[dict]] = {}
    for subnet in of_type(graph, SUBNET):
        tiers.setdefault(subnet["inputs"]["tags"]["Tier"], []).append(subnet)
    return tiers


def tier(logical_name: str) -> str:
    assert logical_name.startswith("network-"), logical_name
    return logical_name[len("network-"):]


def group_name(graph, rule, prop="securityGroupId"):
    [group] = depends_on(graph, rule, prop, SECURITY_GROUP)
    return tier(group["name"])


def function(graph, name):
    return one(graph, "aws:lambda/function:Function", name)


def private_subnet_urns(graph):
    return {s["urn"] for s in subnets_by_tier(graph)["private"]}


def test_vpc_has_public_and_private_subnets_in_two_zones(dev_graph):
    tiers = subnets_by_tier(dev_graph)
    assert set(tiers) == {"public", "private"}
    for tier, subnets in tiers.items():
        zones = {s["inputs"]["availabilityZone"] for s in subnets}
        assert len(zones) >= 2, f"{tier} subnets span {zones}"
    for subnet in of_type(dev_graph, SUBNET):
        assert subnet["inputs"]["mapPublicIpOnLaunch"] is False, subnet["name"]


def test_private_subnets_have_no_route_to_the_internet(dev_graph):
    private_tables = set()
    for association in of_type(dev_graph, "aws:ec2/routeTableAssociation:RouteTableAssociation"):
        [subnet] = depends_on(dev_graph, association, "subnetId", SUBNET)
        if subnet["urn"] in private_subnet_urns(dev_graph):
            private_tables.update(association["propertyDependencies"]["routeTableId"])
    assert len(private_tables) == 1
    for route in of_type(dev_graph, "aws:ec2/route:Route"):
        assert not set(route["propertyDependencies"]["routeTableId"]) & private_tables, route["name"]
    [table] = private_tables
    assert not dev_graph.by_urn()[table]["inputs"].get("routes")


def test_no_nat_gateway(dev_graph):
    assert not dev_graph.of_type("aws:ec2/natGateway:NatGateway")


def test_gateway_endpoints_for_s3_and_dynamodb_on_the_private_route_table(dev_graph):
    gateways = [e for e in of_type(dev_graph, "aws:ec2/vpcEndpoint:VpcEndpoint")
                if e["inputs"]["vpcEndpointType"] == "Gateway"]
    assert {e["inputs"]["serviceName"] for e in gateways} == {
        "com.amazonaws.sa-east-1.s3", "com.amazonaws.sa-east-1.dynamodb"}
    for endpoint in gateways:
        [table] = depends_on(dev_graph, endpoint, "routeTableIds", "aws:ec2/routeTable:RouteTable")
        assert tier(table["name"]) == "private"


def test_interface_endpoints_with_private_dns_in_private_subnets(dev_graph):
    interfaces = [e for e in of_type(dev_graph, "aws:ec2/vpcEndpoint:VpcEndpoint")
                  if e["inputs"]["vpcEndpointType"] == "Interface"]
    assert {e["inputs"]["serviceName"].rsplit(".", 1)[1] for e in interfaces} == {
        "kinesis-streams", "secretsmanager", "kms", "logs", "sts", "sqs",
        "elasticache",  # IAM-05: the rotation function's ModifyReplicationGroup
        # the compliance auditor's reads and writes (iot.api: the IoT control plane's service name ends in .api)
        "ec2", "rds", "api", "cloudtrail", "lambda", "tagging", "securityhub", "xray"}
    for endpoint in interfaces:
        assert endpoint["inputs"]["privateDnsEnabled"] is True
        assert set(endpoint["propertyDependencies"]["subnetIds"]) == private_subnet_urns(dev_graph)
        assert group_name(dev_graph, endpoint, "securityGroupIds") == "endpoints"


# The auditor policy's service prefixes whose interface endpoint has another name.
ENDPOINT_OF_PREFIX = {"kinesis": "kinesis-streams", "iot": "api", "tag": "tagging"}


def test_every_service_the_deployed_auditor_reads_has_an_endpoint_but_iam(dev_graph):
    """No NAT (NET-02): a service the audit calls without an endpoint is unreachable from the deployed auditor.
    IAM has no endpoint outside us-east-1 (docs/continuous.md: IAM-01 stays in the CI audit)."""
    policy = json.loads((REPO_ROOT / "compliance" / "audit" / "auditor-policy.json").read_text())
    prefixes = {action.split(":")[0] for st in policy["Statement"]
                for action in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
    served = {e["inputs"]["serviceName"].rsplit(".", 1)[1] for e in of_type(dev_graph, "aws:ec2/vpcEndpoint:VpcEndpoint")}
    unserved = {p for p in prefixes if ENDPOINT_OF_PREFIX.get(p, p) not in served}
    assert unserved == {"iam"}, unserved


def test_no_ingress_from_anywhere(dev_graph):
    """NET-01: no world-open CIDR in inline rules, SecurityGroupRule or SecurityGroupIngressRule."""
    for group in of_type(dev_graph, SECURITY_GROUP):
        for rule in group["inputs"].get("ingress", []):
            assert not WORLD & {*rule.get("cidrBlocks", []), *rule.get("ipv6CidrBlocks", [])}, group["name"]
    for rule in dev_graph.of_type("aws:ec2/securityGroupRule:SecurityGroupRule"):
        if rule["inputs"]["type"] == "ingress":
            assert not WORLD & {*rule["inputs"].get("cidrBlocks", []), *rule["inputs"].get("ipv6CidrBlocks", [])}
    for rule in of_type(dev_graph, INGRESS):
        assert not WORLD & {rule["inputs"].get("cidrIpv4"), rule["inputs"].get("cidrIpv6")}, rule["name"]


def test_data_stores_admit_only_their_clients_on_their_port(dev_graph):
    """NET-04: Redis 6379 from the processor and the AUTH rotation (IAM-05), RDS Proxy 5432 from the processor,
    Aurora 5432 from the proxy and the migration function (the processor reaches Aurora only through the proxy),
    never from a CIDR."""
    expected = {("redis", "processor"): 6379, ("redis", "redis-rotation"): 6379, ("proxy", "processor"): 5432,
                ("aurora", "proxy"): 5432, ("aurora", "migrator"): 5432}
    seen = []
    for rule in of_type(dev_graph, INGRESS):
        target = group_name(dev_graph, rule)
        if target == "endpoints":
            continue
        inputs = rule["inputs"]
        assert "cidrIpv4" not in inputs and "cidrIpv6" not in inputs and "prefixListId" not in inputs
        pair = (target, group_name(dev_graph, rule, "referencedSecurityGroupId"))
        assert (inputs["ipProtocol"], inputs["fromPort"], inputs["toPort"]) == ("tcp", expected[pair], expected[pair])
        seen.append(pair)
    assert sorted(seen) == sorted(expected)


def test_endpoints_admit_https_from_the_vpc_only(dev_graph):
    vpc = one(dev_graph, "aws:ec2/vpc:Vpc")
    rules = [r for r in of_type(dev_graph, INGRESS) if group_name(dev_graph, r) == "endpoints"]
    assert len(rules) == 1
    inputs = rules[0]["inputs"]
    assert inputs["cidrIpv4"] == vpc["inputs"]["cidrBlock"]
    assert (inputs["ipProtocol"], inputs["fromPort"], inputs["toPort"]) == ("tcp", 443, 443)


def test_only_the_data_store_proxy_and_endpoint_groups_receive_ingress(dev_graph):
    assert {group_name(dev_graph, r) for r in of_type(dev_graph, INGRESS)} == {"aurora", "redis", "proxy",
                                                                                "endpoints"}
    # The functions' own groups admit nothing.


def test_egress_is_narrow(dev_graph):
    """Only the functions and the proxy have egress: TCP on one port each, to a security group or an AWS
    prefix list."""
    destinations = set()
    for rule in of_type(dev_graph, EGRESS):
        inputs = rule["inputs"]
        source = group_name(dev_graph, rule)
        assert source in ("processor", "migrator", "proxy", "redis-rotation", "auditor"), rule["name"]
        assert inputs["ipProtocol"] == "tcp" and inputs["fromPort"] == inputs["toPort"], rule["name"]
        assert "cidrIpv4" not in inputs and "cidrIpv6" not in inputs, rule["name"]
        if "prefixListId" in inputs:
            destinations.add((source, inputs["prefixListId"], inputs["toPort"]))
        else:
            destinations.add((source, group_name(dev_graph, rule, "referencedSecurityGroupId"), inputs["toPort"]))
    assert destinations == {
        ("processor", "proxy", 5432), ("processor", "redis", 6379), ("processor", "endpoints", 443),
        ("processor", "pl-synthetic-s3", 443), ("processor", "pl-synthetic-dynamodb", 443),
        ("proxy", "aurora", 5432), ("migrator", "aurora", 5432), ("migrator", "endpoints", 443),
        ("redis-rotation", "redis", 6379), ("redis-rotation", "endpoints", 443),
        ("auditor", "endpoints", 443), ("auditor", "pl-synthetic-s3", 443), ("auditor", "pl-synthetic-dynamodb", 443),
    }
    for group in of_type(dev_graph, SECURITY_GROUP):
        assert not group["inputs"].get("egress") and not group["inputs"].get("ingress"), group["name"]


def test_default_security_group_has_no_rules(dev_graph):
    default = one(dev_graph, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert not default["inputs"].get("ingress") and not default["inputs"].get("egress")


def test_data_stores_in_private_subnets(dev_graph):
    """NET-02: Aurora's and Redis's subnet groups and both Lambdas' VPC configs use the private subnets only."""
    private = private_subnet_urns(dev_graph)
    groups = [one(dev_graph, "aws:rds/subnetGroup:SubnetGroup"), one(dev_graph, "aws:elasticache/subnetGroup:SubnetGroup")]
    for group in groups:
        assert set(group["propertyDependencies"]["subnetIds"]) == private, group["type"]
    subnets = {s["urn"] for s in of_type(dev_graph, SUBNET)}
    for name in ("processor", "redis-auth-rotation"):
        assert set(depends_on_urns(function(dev_graph, name), "vpcConfig")) & subnets == private, name
    cluster = one(dev_graph, "aws:rds/cluster:Cluster")
    assert depends_on(dev_graph, cluster, "dbSubnetGroupName", "aws:rds/subnetGroup:SubnetGroup") == [groups[0]]
    redis = one(dev_graph, "aws:elasticache/replicationGroup:ReplicationGroup")
    assert depends_on(dev_graph, redis, "subnetGroupName", "aws:elasticache/subnetGroup:SubnetGroup") == [groups[1]]
    proxy = one(dev_graph, "aws:rds/proxy:Proxy")
    assert set(proxy["propertyDependencies"]["vpcSubnetIds"]) == private
    migrator = one(dev_graph, "aws:lambda/function:Function", "migrator")
    assert set(depends_on_urns(migrator, "vpcConfig")) & {s["urn"] for s in of_type(dev_graph, SUBNET)} == private


def test_data_stores_and_function_use_their_own_security_group(dev_graph):
    cluster = one(dev_graph, "aws:rds/cluster:Cluster")
    assert group_name(dev_graph, cluster, "vpcSecurityGroupIds") == "aurora"
    redis = one(dev_graph, "aws:elasticache/replicationGroup:ReplicationGroup")
    assert group_name(dev_graph, redis, "securityGroupIds") == "redis"
    for name, group in (("processor", "processor"), ("redis-auth-rotation", "redis-rotation"),
                        ("migrator", "migrator")):
        assert [tier(g["name"]) for g in depends_on(dev_graph, function(dev_graph, name), "vpcConfig",
                                                     SECURITY_GROUP)] == [group]
    assert group_name(dev_graph, one(dev_graph, "aws:rds/proxy:Proxy"), "vpcSecurityGroupIds") == "proxy"


def test_aurora_instance_not_publicly_accessible(dev_graph):
    instance = one(dev_graph, "aws:rds/clusterInstance:ClusterInstance")
    assert instance["inputs"]["publiclyAccessible"] is False


def depends_on_urns(resource, prop):
    return resource["propertyDependencies"].get(prop, [])
