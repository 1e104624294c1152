"""VPC, subnets, routing, security groups and their rules, VPC endpoints (NET-* controls), flow logs (LOG-03)."""

from __future__ import annotations

import zlib
from typing import Any

from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, num, tag_list


def _tag_specs(resource_type: str, tags: dict[str, str] | None) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": tag_list(tags)}] if tags else []


def _ec2_arn(ctx: Context, kind: str, resource_id: str) -> str:
    return ctx.arn("ec2", f"{kind}/{resource_id}")


@handles("aws:ec2/vpc:Vpc")
def vpc(ctx: Context, inputs: Inputs) -> Created:
    ec2 = ctx.client("ec2")
    created = ec2.create_vpc(**compact(
        CidrBlock=inputs["cidrBlock"], InstanceTenancy=inputs.get("instanceTenancy"),
        TagSpecifications=_tag_specs("vpc", inputs.get("tags"))))["Vpc"]
    vpc_id = created["VpcId"]
    dns = {"enableDnsSupport": True, "enableDnsHostnames": False}
    for attribute in dns:
        value = inputs.get(attribute)
        if value is not None:
            ec2.modify_vpc_attribute(VpcId=vpc_id, **{attribute[0].upper() + attribute[1:]: {"Value": bool(value)}})
            dns[attribute] = bool(value)
    main_table = ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    default_group = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    default_acl = ec2.describe_network_acls(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}])["NetworkAcls"]
    main_table_id = main_table[0]["RouteTableId"] if main_table else ""
    return Created(vpc_id, {
        "arn": _ec2_arn(ctx, "vpc", vpc_id), "ownerId": ctx.account_id, **dns,
        "instanceTenancy": created.get("InstanceTenancy", "default"),
        "mainRouteTableId": main_table_id, "defaultRouteTableId": main_table_id,
        "defaultSecurityGroupId": default_group[0]["GroupId"] if default_group else "",
        "defaultNetworkAclId": default_acl[0]["NetworkAclId"] if default_acl else "",
        "dhcpOptionsId": created.get("DhcpOptionsId", ""),
    })


@handles("aws:ec2/subnet:Subnet")
def subnet(ctx: Context, inputs: Inputs) -> Created:
    ec2 = ctx.client("ec2")
    created = ec2.create_subnet(**compact(
        VpcId=inputs["vpcId"], CidrBlock=inputs["cidrBlock"], AvailabilityZone=inputs.get("availabilityZone"),
        AvailabilityZoneId=inputs.get("availabilityZoneId"),
        TagSpecifications=_tag_specs("subnet", inputs.get("tags"))))["Subnet"]
    subnet_id = created["SubnetId"]
    map_public = bool(inputs.get("mapPublicIpOnLaunch", False))
    if map_public:
        ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    return Created(subnet_id, {
        "arn": _ec2_arn(ctx, "subnet", subnet_id), "ownerId": ctx.account_id,
        "availabilityZone": created["AvailabilityZone"], "availabilityZoneId": created.get("AvailabilityZoneId", ""),
        "mapPublicIpOnLaunch": map_public,
    })


@handles("aws:ec2/internetGateway:InternetGateway")
def internet_gateway(ctx: Context, inputs: Inputs) -> Created:
    ec2 = ctx.client("ec2")
    gateway_id = ec2.create_internet_gateway(**compact(
        TagSpecifications=_tag_specs("internet-gateway", inputs.get("tags"))))["InternetGateway"]["InternetGatewayId"]
    if inputs.get("vpcId"):
        ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=inputs["vpcId"])
    return Created(gateway_id, {"arn": _ec2_arn(ctx, "internet-gateway", gateway_id), "ownerId": ctx.account_id})


@handles("aws:ec2/routeTable:RouteTable")
def route_table(ctx: Context, inputs: Inputs) -> Created:
    """A route table, with its inline ``routes`` created as the provider does (NET-02 reads them)."""
    ec2 = ctx.client("ec2")
    table_id = ec2.create_route_table(**compact(
        VpcId=inputs["vpcId"], TagSpecifications=_tag_specs("route-table", inputs.get("tags"))))["RouteTable"]["RouteTableId"]
    routes = inputs.get("routes", [])
    for inline in routes:
        ec2.create_route(RouteTableId=table_id, **compact(**{api: inline.get(key) for key, api in _INLINE_ROUTE.items()}))
    return Created(table_id, {"arn": _ec2_arn(ctx, "route-table", table_id), "ownerId": ctx.account_id,
                              "routes": routes, "propagatingVgws": []})


_ROUTE_DESTINATIONS = {"destinationCidrBlock": "DestinationCidrBlock",
                       "destinationIpv6CidrBlock": "DestinationIpv6CidrBlock",
                       "destinationPrefixListId": "DestinationPrefixListId"}
_ROUTE_TARGETS = {"gatewayId": "GatewayId", "natGatewayId": "NatGatewayId", "vpcEndpointId": "VpcEndpointId",
                  "egressOnlyGatewayId": "EgressOnlyInternetGatewayId", "transitGatewayId": "TransitGatewayId",
                  "networkInterfaceId": "NetworkInterfaceId", "vpcPeeringConnectionId": "VpcPeeringConnectionId"}


# An inline route of a RouteTable: its input names -> CreateRoute's.
_INLINE_ROUTE = {"cidrBlock": "DestinationCidrBlock", "ipv6CidrBlock": "DestinationIpv6CidrBlock",
                 "destinationPrefixListId": "DestinationPrefixListId", **_ROUTE_TARGETS}


@handles("aws:ec2/route:Route")
def route(ctx: Context, inputs: Inputs) -> Created:
    table_id = inputs["routeTableId"]
    params = {api: inputs.get(key) for key, api in {**_ROUTE_DESTINATIONS, **_ROUTE_TARGETS}.items()}
    ctx.client("ec2").create_route(RouteTableId=table_id, **compact(**params))
    destination = next(v for k, v in params.items() if k.startswith("Destination") and v)
    # The provider's ID for a route: "r-" + table + a hash of the destination.
    return Created(f"r-{table_id}{zlib.crc32(destination.encode())}", {"origin": "CreateRoute", "state": "active"})


@handles("aws:ec2/eip:Eip")
def eip(ctx: Context, inputs: Inputs) -> Created:
    """An Elastic IP for a NAT gateway (NET-03 judges NAT gateways)."""
    allocated = ctx.client("ec2").allocate_address(**compact(
        Domain=inputs.get("domain", "vpc"), TagSpecifications=_tag_specs("elastic-ip", inputs.get("tags"))))
    allocation = allocated["AllocationId"]
    return Created(allocation, {"allocationId": allocation, "publicIp": allocated.get("PublicIp", ""),
                                "domain": allocated.get("Domain", "vpc"), "arn": _ec2_arn(ctx, "elastic-ip", allocation)})


@handles("aws:ec2/natGateway:NatGateway")
def nat_gateway(ctx: Context, inputs: Inputs) -> Created:
    """NET-03: a NAT gateway in a subnet (public with an Elastic IP, or private)."""
    created = ctx.client("ec2").create_nat_gateway(**compact(
        SubnetId=inputs["subnetId"], AllocationId=inputs.get("allocationId"),
        ConnectivityType=inputs.get("connectivityType"), PrivateIpAddress=inputs.get("privateIp"),
        TagSpecifications=_tag_specs("natgateway", inputs.get("tags"))))["NatGateway"]
    nat_id = created["NatGatewayId"]
    return Created(nat_id, {"connectivityType": created.get("ConnectivityType", "public"),
                            "networkInterfaceId": "", "privateIp": "", "publicIp": ""})


@handles("aws:ec2/routeTableAssociation:RouteTableAssociation")
def route_table_association(ctx: Context, inputs: Inputs) -> Created:
    association = ctx.client("ec2").associate_route_table(**compact(
        RouteTableId=inputs["routeTableId"], SubnetId=inputs.get("subnetId"), GatewayId=inputs.get("gatewayId")))
    return Created(association["AssociationId"])


@handles("aws:ec2/securityGroup:SecurityGroup", not_api=("revokeRulesOnDelete",))
def security_group(ctx: Context, inputs: Inputs) -> Created:
    ec2 = ctx.client("ec2")
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    description = inputs.get("description", "Managed by Pulumi")
    group_id = ec2.create_security_group(**compact(
        GroupName=name, Description=description, VpcId=inputs.get("vpcId"),
        TagSpecifications=_tag_specs("security-group", inputs.get("tags"))))["GroupId"]
    # EC2 gives every new group an allow-all egress rule; the provider revokes it at create
    # (rules are declared explicitly), so the sandbox does too (NET-04 sees only declared egress).
    default_egress = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissionsEgress"]
    if default_egress:
        ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=default_egress)
    ingress, egress = inputs.get("ingress", []), inputs.get("egress", [])
    if ingress:  # NET-01: inline rules, authorized as the provider does after creating the group
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[_inline_permission(r) for r in ingress])
    if egress:
        ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[_inline_permission(r) for r in egress])
    return Created(group_id, {"arn": _ec2_arn(ctx, "security-group", group_id), "ownerId": ctx.account_id,
                              "name": name, "description": description, "ingress": ingress, "egress": egress})


def _inline_permission(rule: dict[str, Any], *, source_group: str | None = None) -> dict[str, Any]:
    """An inline rule (or a SecurityGroupRule's inputs) as an EC2 IpPermission."""
    protocol = str(rule.get("protocol", "-1"))
    permission: dict[str, Any] = {"IpProtocol": protocol}
    if protocol not in ("-1", "all"):
        permission.update(FromPort=num(rule.get("fromPort")), ToPort=num(rule.get("toPort")))
    else:
        permission["IpProtocol"] = "-1"
    description = {"Description": rule["description"]} if rule.get("description") else {}
    if rule.get("cidrBlocks"):
        permission["IpRanges"] = [{"CidrIp": c, **description} for c in rule["cidrBlocks"]]
    if rule.get("ipv6CidrBlocks"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": c, **description} for c in rule["ipv6CidrBlocks"]]
    groups = [*rule.get("securityGroups", []), *([source_group] if source_group else [])]
    if groups:
        permission["UserIdGroupPairs"] = [{"GroupId": g, **description} for g in groups]
    if rule.get("prefixListIds"):
        permission["PrefixListIds"] = [{"PrefixListId": p, **description} for p in rule["prefixListIds"]]
    return permission


@handles("aws:ec2/securityGroupRule:SecurityGroupRule")
def security_group_rule(ctx: Context, inputs: Inputs) -> Created:
    """NET-01/NET-04: a rule the legacy way (one resource, ingress or egress, several sources)."""
    group_id = inputs["securityGroupId"]
    source = inputs.get("sourceSecurityGroupId") or (group_id if inputs.get("self") else None)
    rule = {key: inputs.get(key) for key in ("protocol", "fromPort", "toPort", "cidrBlocks", "ipv6CidrBlocks",
                                             "prefixListIds", "description")}
    permission = _inline_permission({k: v for k, v in rule.items() if v is not None}, source_group=source)
    ec2 = ctx.client("ec2")
    authorize = ec2.authorize_security_group_ingress if inputs["type"] == "ingress" \
        else ec2.authorize_security_group_egress
    authorize(GroupId=group_id, IpPermissions=[permission])
    # The provider's ID for a rule: "sgrule-" + a hash of the group and the permission.
    return Created(f"sgrule-{zlib.crc32(repr((group_id, permission)).encode())}", {})


@handles("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
def default_security_group(ctx: Context, inputs: Inputs) -> Created:
    """NET-01: the provider adopts the VPC's default group and strips its rules (none are declared)."""
    ec2 = ctx.client("ec2")
    group = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [inputs["vpcId"]]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    group_id = group["GroupId"]
    if group["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=group["IpPermissions"])
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=group["IpPermissionsEgress"])
    if inputs.get("tags"):
        ec2.create_tags(Resources=[group_id], Tags=tag_list(inputs["tags"]))
    return Created(group_id, {"arn": _ec2_arn(ctx, "security-group", group_id), "ownerId": ctx.account_id,
                              "name": "default", "description": group.get("Description", ""),
                              "ingress": [], "egress": []})


def _rule(ctx: Context, inputs: Inputs, direction: str) -> Created:
    """NET-01/NET-04: one ingress or egress rule, as ``aws:vpc`` rule resources declare them."""
    protocol = str(inputs["ipProtocol"])
    permission: dict[str, Any] = {"IpProtocol": protocol}
    if protocol != "-1":
        permission.update(FromPort=num(inputs["fromPort"]), ToPort=num(inputs["toPort"]))
    else:  # all protocols: ports are not part of the rule
        inputs.get("fromPort")
        inputs.get("toPort")
    description = inputs.get("description")
    extra = {"Description": description} if description else {}
    if inputs.get("cidrIpv4"):
        permission["IpRanges"] = [{"CidrIp": inputs["cidrIpv4"], **extra}]
    if inputs.get("cidrIpv6"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": inputs["cidrIpv6"], **extra}]
    if inputs.get("referencedSecurityGroupId"):
        permission["UserIdGroupPairs"] = [{"GroupId": inputs["referencedSecurityGroupId"], **extra}]
    if inputs.get("prefixListId"):
        permission["PrefixListIds"] = [{"PrefixListId": inputs["prefixListId"], **extra}]
    ec2 = ctx.client("ec2")
    authorize = ec2.authorize_security_group_ingress if direction == "ingress" else ec2.authorize_security_group_egress
    response = authorize(**compact(GroupId=inputs["securityGroupId"], IpPermissions=[permission],
                                   TagSpecifications=_tag_specs("security-group-rule", inputs.get("tags"))))
    rule_id = response["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    return Created(rule_id, {"arn": _ec2_arn(ctx, "security-group-rule", rule_id), "securityGroupRuleId": rule_id})


@handles("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def security_group_ingress_rule(ctx: Context, inputs: Inputs) -> Created:
    return _rule(ctx, inputs, "ingress")


@handles("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def security_group_egress_rule(ctx: Context, inputs: Inputs) -> Created:
    return _rule(ctx, inputs, "egress")


@handles("aws:ec2/vpcEndpoint:VpcEndpoint", not_api=("autoAccept",))
def vpc_endpoint(ctx: Context, inputs: Inputs) -> Created:
    endpoint_type = inputs.get("vpcEndpointType", "Gateway")
    private_dns = inputs.get("privateDnsEnabled")
    created = ctx.client("ec2").create_vpc_endpoint(**compact(
        VpcId=inputs["vpcId"], ServiceName=inputs["serviceName"], VpcEndpointType=endpoint_type,
        SubnetIds=inputs.get("subnetIds"), SecurityGroupIds=inputs.get("securityGroupIds"),
        RouteTableIds=inputs.get("routeTableIds"), PolicyDocument=inputs.get("policy"),
        PrivateDnsEnabled=None if private_dns is None else bool(private_dns),
        IpAddressType=inputs.get("ipAddressType"),
        TagSpecifications=_tag_specs("vpc-endpoint", inputs.get("tags"))))["VpcEndpoint"]
    endpoint_id = created["VpcEndpointId"]
    return Created(endpoint_id, {
        "arn": _ec2_arn(ctx, "vpc-endpoint", endpoint_id), "ownerId": ctx.account_id,
        "vpcEndpointType": endpoint_type, "privateDnsEnabled": bool(private_dns),
        "state": created.get("State", "available"), "requesterManaged": False,
        "dnsEntries": [{"dnsName": e.get("DnsName", ""), "hostedZoneId": e.get("HostedZoneId", "")}
                       for e in created.get("DnsEntries", [])],
        "networkInterfaceIds": created.get("NetworkInterfaceIds", []),
        "prefixListId": created.get("PrefixListId", ""), "cidrBlocks": [],
    })


@handles("aws:ec2/flowLog:FlowLog")
def flow_log(ctx: Context, inputs: Inputs) -> Created:
    """LOG-03: a VPC's (or subnet's, or interface's) flow log to CloudWatch Logs, S3 or Firehose."""
    targets = [(kind, inputs.get(key)) for kind, key in (
        ("VPC", "vpcId"), ("Subnet", "subnetId"), ("NetworkInterface", "eniId"),
        ("TransitGateway", "transitGatewayId"), ("TransitGatewayAttachment", "transitGatewayAttachmentId"))]
    targets = [(kind, value) for kind, value in targets if value]
    if len(targets) != 1:
        raise ValueError(f"a flow log needs exactly one of vpcId, subnetId, eniId, transitGatewayId, "
                         f"transitGatewayAttachmentId; got {len(targets)}")
    [(resource_type, resource_id)] = targets
    created = ctx.client("ec2").create_flow_logs(**compact(
        ResourceType=resource_type, ResourceIds=[resource_id], TrafficType=inputs.get("trafficType"),
        LogDestinationType=inputs.get("logDestinationType"), LogDestination=inputs.get("logDestination"),
        DeliverLogsPermissionArn=inputs.get("iamRoleArn"),
        DeliverCrossAccountRole=inputs.get("deliverCrossAccountRole"), LogFormat=inputs.get("logFormat"),
        MaxAggregationInterval=num(inputs.get("maxAggregationInterval")),
        DestinationOptions=_flow_log_destination_options(inputs.get("destinationOptions")),
        TagSpecifications=_tag_specs("vpc-flow-log", inputs.get("tags"))))
    if created.get("Unsuccessful") or not created.get("FlowLogIds"):
        problems = "; ".join(f"{u.get('ResourceId')}: {u.get('Error', {}).get('Message')}"
                             for u in created.get("Unsuccessful", []))
        raise ValueError(f"CreateFlowLogs created no flow log ({problems or 'no reason given'})")
    [flow_log_id] = created["FlowLogIds"]
    if inputs.get("logDestinationType", "cloud-watch-logs") == "cloud-watch-logs":
        ctx.gap(flow_log_id, "ec2:DescribeFlowLogs", _FLOW_LOG_GAP, fields=("DeliverLogsStatus",))
    return Created(flow_log_id, {"arn": _ec2_arn(ctx, "vpc-flow-log", flow_log_id)})


_FLOW_LOG_GAP = (
    "moto looks a CloudWatch Logs destination up by LogGroupName only: a flow log whose log group is given by "
    "its ARN (LogDestination, as the provider sends it) is reported DeliverLogsStatus FAILED (\"Access error\") "
    "and without LogGroupName, where AWS delivers and reports both; judge the destination by LogDestination"
)


def _flow_log_destination_options(options: dict[str, Any] | None) -> dict[str, Any] | None:
    if not options:
        return None
    return compact(FileFormat=options.get("fileFormat"), HiveCompatiblePartitions=options.get("hiveCompatiblePartitions"),
                   PerHourPartition=options.get("perHourPartition"))
