"""NET-02 cases: data stores' exposure flags and subnets, including routes through the VPC's main route table.

Shared fixtures (used by other families' cases too): ``@netiam-vpc`` with two subnets
(``@netiam-private-a``/``-b``) that have no route table association, so they use the
VPC's main route table, which nothing changes: private; ``@netiam-proxy-role``, the
role an RDS Proxy case assumes (``proxy()`` builds one: ENC-10, IAM-04 and GOV-01
cases use it too).
"""

import json

from controls.cases import case, ref, resource

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
IGW = "aws:ec2/internetGateway:InternetGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
RDS_SUBNETS = "aws:rds/subnetGroup:SubnetGroup"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
CACHE_SUBNETS = "aws:elasticache/subnetGroup:SubnetGroup"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
PROXY = "aws:rds/proxy:Proxy"

TAGS = {"Environment": "{suffix}", "Project": "cases", "Owner": "netiam", "DataClassification": "test"}
REDIS_GAP = ("moto does not list a replication group's member clusters (DescribeCacheClusters), so a Redis group's "
             "subnets are not observable (compliance/audit/moto-read-gaps.json)")
NO_CODE = ("a case carries Pulumi inputs as plain data, and a function's code is a Pulumi asset, which the "
           "sandbox's function handler needs to create it")

FIXTURES = [
    resource("netiam-vpc", VPC, cidrBlock="10.60.0.0/16", tags={**TAGS, "Name": "vpc-netiam-{suffix}"}),
    resource("netiam-private-a", SUBNET, vpcId=ref("@netiam-vpc"), cidrBlock="10.60.1.0/24",
             availabilityZone="sa-east-1a", tags={**TAGS, "Name": "subnet-netiam-a-{suffix}"}),
    resource("netiam-private-b", SUBNET, vpcId=ref("@netiam-vpc"), cidrBlock="10.60.2.0/24",
             availabilityZone="sa-east-1b", tags={**TAGS, "Name": "subnet-netiam-b-{suffix}"}),
    resource("netiam-db-subnets", RDS_SUBNETS, name="dbsubnets-netiam-{suffix}",
             subnetIds=[ref("@netiam-private-a"), ref("@netiam-private-b")], tags=TAGS),
    resource("netiam-proxy-role", ROLE, name="role-rdsproxy-netiam-{suffix}", tags=TAGS,
             assumeRolePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
                 "Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
]
PRIVATE = [ref("@netiam-private-a"), ref("@netiam-private-b")]


def vpc(key: str = "vpc"):
    return resource(key, VPC, cidrBlock="10.61.0.0/16", tags={**TAGS, "Name": f"vpc-{key}-{{id}}-{{suffix}}"})


def subnet(key: str, cidr: str, zone: str = "sa-east-1a", vpc_key: str = "vpc", **inputs):
    return resource(key, SUBNET, vpcId=ref(vpc_key), cidrBlock=cidr, availabilityZone=zone,
                    tags={**TAGS, "Name": f"subnet-{key}-{{id}}-{{suffix}}"}, **inputs)


def gateway(key: str = "igw", vpc_key: str = "vpc"):
    return resource(key, IGW, vpcId=ref(vpc_key), tags={**TAGS, "Name": f"igw-{key}-{{id}}-{{suffix}}"})


def table(key: str = "rtb", vpc_key: str = "vpc", **inputs):
    return resource(key, ROUTE_TABLE, vpcId=ref(vpc_key), tags={**TAGS, "Name": f"rtb-{key}-{{id}}-{{suffix}}"},
                    **inputs)


def route(key: str, table_ref, ipv6: bool = False, **target):
    destination = {"destinationIpv6CidrBlock": "::/0"} if ipv6 else {"destinationCidrBlock": "0.0.0.0/0"}
    return resource(key, ROUTE, routeTableId=table_ref, **destination, **target)


def associate(key: str, subnet_key: str, table_key: str = "rtb"):
    return resource(key, ASSOCIATION, subnetId=ref(subnet_key), routeTableId=ref(table_key))


def subnet_group(key: str = "subnets"):
    """A DB subnet group of the case's subnets ``net`` and ``net-b``."""
    return resource(key, RDS_SUBNETS, name=f"dbsubnets-{key}-{{id}}-{{suffix}}", subnetIds=[ref("net"), ref("net-b")],
                    tags=TAGS)


def cluster(key: str = "db", subnets_key: str | None = "subnets", **inputs):
    placement = {"dbSubnetGroupName": ref(subnets_key)} if subnets_key else {}
    settings = {"engine": "aurora-postgresql", "engineMode": "provisioned", "masterUsername": "iotadmin",
                "manageMasterUserPassword": True, "skipFinalSnapshot": True, "tags": TAGS,
                "serverlessv2ScalingConfiguration": {"minCapacity": 0.5, "maxCapacity": 1.0}}
    return resource(key, CLUSTER, clusterIdentifier=f"aurora-{key}-{{id}}-{{suffix}}",
                    **{**settings, **placement, **inputs})


def instance(key: str = "writer", cluster_key: str = "db", **inputs):
    return resource(key, INSTANCE, identifier=f"aurora-{key}-{{id}}-{{suffix}}", clusterIdentifier=ref(cluster_key),
                    instanceClass="db.serverless", engine="aurora-postgresql", tags=TAGS, **inputs)


def redis(key: str = "redis", subnets=None):
    groups = [resource("cache-subnets", CACHE_SUBNETS, name="cachesubnets-{id}-{suffix}",
                       subnetIds=subnets if subnets is not None else PRIVATE, tags=TAGS)]
    return [*groups, resource(key, REDIS, replicationGroupId=f"redis-{key}-{{id}}-{{suffix}}",
                              description="NET-02 case", engine="redis", nodeType="cache.t4g.micro",
                              numCacheClusters=1, subnetGroupName=ref("cache-subnets"), tags=TAGS)]


def function(key: str = "fn", **inputs):
    return resource(key, FUNCTION, name=f"lambda-{key}-{{id}}-{{suffix}}", role="arn:aws:iam::123456789012:role/x",
                    runtime="python3.11", handler="index.handler", tags=TAGS, **inputs)


def proxy(key: str = "proxy", subnets=None, **inputs):
    """An RDS Proxy for PostgreSQL in the private subnets, TLS required, IAM end to end (the program's), unless told."""
    settings = {"name": f"rdsproxy-{key}-{{id}}-{{suffix}}", "engineFamily": "POSTGRESQL",
                "roleArn": ref("@netiam-proxy-role", "arn"), "vpcSubnetIds": subnets if subnets is not None else PRIVATE,
                "requireTls": True, "defaultAuthScheme": "IAM_AUTH", "tags": TAGS}
    return resource(key, PROXY, **{**settings, **inputs})


def public_network(*extra, associated: bool = True):
    """A VPC of its own with a subnet ``net`` whose route table sends 0.0.0.0/0 to an internet gateway."""
    link = [associate("assoc", "net")] if associated else []
    return (vpc(), subnet("net", "10.61.1.0/24"), subnet("net-b", "10.61.2.0/24", "sa-east-1b"), gateway(), table(),
            route("default-route", ref("rtb"), gatewayId=ref("igw")), *link, *extra)


CASES = [
    case("net-02-aurora-in-private-subnets", "NET-02", "pass", "db",
         cluster(subnets_key="@netiam-db-subnets"), instance(publiclyAccessible=False),
         why="subnets whose (main) route table has only the local route, no public IPs"),
    case("net-02-instance-publicly-accessible", "NET-02", "fail", "writer",
         cluster(subnets_key="@netiam-db-subnets"), instance(publiclyAccessible=True), live_subject="db"),
    case("net-02-cluster-with-a-public-instance", "NET-02", "fail", "db",
         cluster(subnets_key="@netiam-db-subnets"), instance(publiclyAccessible=True),
         why="a cluster is reachable through any of its instances"),
    case("net-02-instance-flag-absent", "NET-02", "pass", "writer",
         cluster(subnets_key="@netiam-db-subnets"), instance(), live_subject="db",
         why="publiclyAccessible defaults to false for an instance in a DB subnet group"),
    case("net-02-subnet-maps-public-ips", "NET-02", "fail", "db",
         vpc(), subnet("net", "10.61.1.0/24", mapPublicIpOnLaunch=True), subnet("net-b", "10.61.2.0/24", "sa-east-1b"),
         subnet_group(), cluster()),
    case("net-02-associated-table-routes-to-internet-gateway", "NET-02", "fail", "db",
         *public_network(subnet_group(), cluster())),
    case("net-02-inline-route-to-internet-gateway", "NET-02", "fail", "db",
         vpc(), subnet("net", "10.61.1.0/24"), subnet("net-b", "10.61.2.0/24", "sa-east-1b"), gateway(),
         table(routes=[{"cidrBlock": "0.0.0.0/0", "gatewayId": ref("igw")}]), associate("assoc", "net"),
         subnet_group(), cluster(),
         why="a route declared inline on the route table counts like a Route resource"),
    case("net-02-ipv6-route-to-internet-gateway", "NET-02", "fail", "db",
         vpc(), subnet("net", "10.61.1.0/24"), subnet("net-b", "10.61.2.0/24", "sa-east-1b"), gateway(), table(),
         route("v6-route", ref("rtb"), ipv6=True, gatewayId=ref("igw")),
         associate("assoc", "net"), subnet_group(), cluster(),
         why="::/0 through the internet gateway makes the subnet public for IPv6"),
    case("net-02-main-route-table-routes-to-internet-gateway", "NET-02", "fail", "db",
         vpc(), subnet("net", "10.61.1.0/24"), subnet("net-b", "10.61.2.0/24", "sa-east-1b"), gateway(),
         route("main-default-route", ref("vpc", "mainRouteTableId"), gatewayId=ref("igw")),
         subnet_group(), cluster(),
         why="a subnet with no association uses the VPC's main route table, here given a route to the gateway"),
    case("net-02-public-table-of-another-subnet", "NET-02", "pass", "db",
         *public_network(subnet("other", "10.61.3.0/24"), associate("other-assoc", "other"), subnet_group(),
                         cluster(), associated=False),
         why="the internet route is on a table of another subnet; this one uses the untouched main table"),
    case("net-02-route-through-nat-gateway", "NET-02", "pass", "db",
         vpc(), subnet("net", "10.61.1.0/24"), subnet("net-b", "10.61.2.0/24", "sa-east-1b"),
         subnet("edge", "10.61.3.0/24"), gateway(),
         resource("eip", EIP, domain="vpc", tags=TAGS),
         resource("nat", NAT, subnetId=ref("edge"), allocationId=ref("eip"), tags=TAGS),
         table(), route("nat-route", ref("rtb"), natGatewayId=ref("nat")), associate("assoc", "net"),
         associate("assoc-b", "net-b"), subnet_group(), cluster(),
         why="a NAT gateway admits nothing from the internet (NET-03 is the control about NAT)"),
    case("net-02-subnet-group-outside-the-stack", "NET-02", "fail", "db",
         cluster(subnets_key=None, dbSubnetGroupName="dbsubnets-legacy-shared"),
         not_live="it names a subnet group that only exists outside the stack",
         why="subnets the layer cannot see cannot be shown private"),
    case("net-02-redis-in-private-subnets", "NET-02", "pass", "redis", *redis(), gaps={"live": REDIS_GAP}),
    case("net-02-redis-in-public-subnet", "NET-02", "fail", "redis",
         *public_network(*redis(subnets=[ref("net")])), gaps={"live": REDIS_GAP}),
    case("net-02-function-outside-any-vpc", "NET-02", "fail", "fn", function(), not_live=NO_CODE,
         why="a function without vpcConfig runs in the Lambda service network, which reaches the internet"),
    case("net-02-function-in-private-subnets", "NET-02", "pass", "fn",
         function(vpcConfig={"subnetIds": PRIVATE, "securityGroupIds": []}), not_live=NO_CODE),
    case("net-02-rds-proxy-in-private-subnets", "NET-02", "pass", "proxy", proxy(),
         why="the proxy in front of Aurora sits in the private subnets, as the data stores do"),
    case("net-02-rds-proxy-in-public-subnet", "NET-02", "fail", "proxy",
         *public_network(proxy(subnets=[ref("net"), ref("net-b")])),
         why="one of its subnets routes to an internet gateway"),
    case("net-02-rds-proxy-subnet-maps-public-ips", "NET-02", "fail", "proxy",
         vpc(), subnet("net", "10.61.1.0/24", mapPublicIpOnLaunch=True), subnet("net-b", "10.61.2.0/24", "sa-east-1b"),
         proxy(subnets=[ref("net"), ref("net-b")])),
    case("net-02-rds-proxy-without-subnets", "NET-02", "fail", "proxy", proxy(subnets=[]),
         not_live="AWS refuses a proxy without vpcSubnetIds (the input is required)",
         why="no subnets named: nothing shows the proxy private"),
]
