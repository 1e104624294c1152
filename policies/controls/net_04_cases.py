"""NET-04 cases: a data store judged with every ingress of every security group attached to it."""

from controls.cases import case, ref, resource
from controls.net_02_cases import PRIVATE, TAGS, cluster

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
CACHE_SUBNETS = "aws:elasticache/subnetGroup:SubnetGroup"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"


def group(key: str = "sg", **inputs):
    return resource(key, SG, name=f"secgroup-{key}-{{id}}-{{suffix}}", description="NET-04 case",
                    vpcId=ref("@netiam-vpc"), tags=TAGS, **inputs)


def from_group(key: str = "from-peer", group_key: str = "sg", port: int = 5432):
    return resource(key, INGRESS_RULE, securityGroupId=ref(group_key), referencedSecurityGroupId=ref("peer"),
                    ipProtocol="tcp", fromPort=port, toPort=port, tags=TAGS)


def store(*guards: str, **inputs):
    """An Aurora cluster in the shared private subnets, guarded by ``guards``."""
    groups = {"vpcSecurityGroupIds": [ref(g) for g in guards]} if guards else {}
    return cluster(subnets_key="@netiam-db-subnets", **groups, **inputs)


def redis(*guards: str):
    return [resource("cache-subnets", CACHE_SUBNETS, name="cachesubnets-{id}-{suffix}", subnetIds=PRIVATE, tags=TAGS),
            resource("redis", REDIS, replicationGroupId="redis-{id}-{suffix}", description="NET-04 case",
                     engine="redis", nodeType="cache.t4g.micro", numCacheClusters=1,
                     subnetGroupName=ref("cache-subnets"), securityGroupIds=[ref(g) for g in guards], tags=TAGS)]


PEER = group("peer")
REDIS_GAP = ("moto does not list a replication group's member clusters (DescribeCacheClusters), so a Redis group's "
             "security groups are not observable (compliance/audit/moto-read-gaps.json)")

CASES = [
    case("net-04-ingress-from-security-group-only", "NET-04", "pass", "db", PEER, group(), from_group(), store("sg")),
    case("net-04-ingress-rule-private-cidr", "NET-04", "fail", "db", PEER, group(),
         resource("from-vpc", INGRESS_RULE, securityGroupId=ref("sg"), cidrIpv4="10.60.0.0/16", ipProtocol="tcp",
                  fromPort=5432, toPort=5432, tags=TAGS),
         store("sg"), why="a private CIDR still admits whatever holds an address in it"),
    case("net-04-inline-ingress-cidr", "NET-04", "fail", "db",
         group(ingress=[{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.60.1.0/24"]}]),
         store("sg")),
    case("net-04-inline-ingress-group-and-cidr", "NET-04", "fail", "db", PEER,
         group(ingress=[{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "securityGroups": [ref("peer")],
                         "cidrBlocks": ["10.60.2.0/24"]}]),
         store("sg"), why="a CIDR beside a source group is still a CIDR"),
    case("net-04-security-group-rule-ipv6", "NET-04", "fail", "db", group(),
         resource("v6", SG_RULE, type="ingress", securityGroupId=ref("sg"), protocol="tcp", fromPort=5432,
                  toPort=5432, ipv6CidrBlocks=["fd00::/8"]),
         store("sg")),
    case("net-04-cidr-on-another-port", "NET-04", "fail", "db", PEER, group(), from_group(),
         resource("ssh", INGRESS_RULE, securityGroupId=ref("sg"), cidrIpv4="10.60.0.0/16", ipProtocol="tcp",
                  fromPort=22, toPort=22, tags=TAGS),
         store("sg"), why="any port of a data store's group counts, not only 5432"),
    case("net-04-second-group-admits-cidr", "NET-04", "fail", "db", PEER, group(), from_group(),
         group("extra", ingress=[{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.60.0.0/16"]}]),
         store("sg", "extra"), why="every group attached to the store is judged"),
    case("net-04-egress-cidr-is-not-ingress", "NET-04", "pass", "db", PEER, group(), from_group(),
         resource("out", EGRESS_RULE, securityGroupId=ref("sg"), cidrIpv4="10.60.0.0/16", ipProtocol="tcp",
                  fromPort=443, toPort=443, tags=TAGS),
         store("sg")),
    case("net-04-no-security-group", "NET-04", "fail", "db", store(),
         why="without a group of its own the store gets the VPC's default group"),
    case("net-04-group-judged-with-its-store", "NET-04", "fail", "sg", PEER, group(),
         resource("from-vpc", INGRESS_RULE, securityGroupId=ref("sg"), cidrIpv4="10.60.0.0/16", ipProtocol="tcp",
                  fromPort=5432, toPort=5432, tags=TAGS),
         store("sg"), why="the group that admits the CIDR is reported too"),
    case("net-04-rule-judged-with-its-store", "NET-04", "fail", "from-vpc", PEER, group(),
         resource("from-vpc", INGRESS_RULE, securityGroupId=ref("sg"), cidrIpv4="10.60.0.0/16", ipProtocol="tcp",
                  fromPort=5432, toPort=5432, tags=TAGS),
         store("sg"), live_subject="sg"),
    case("net-04-redis-from-security-group-only", "NET-04", "pass", "redis", PEER, group(),
         from_group(port=6379), *redis("sg"), gaps={"live": REDIS_GAP}),
    case("net-04-redis-admits-cidr", "NET-04", "fail", "redis", group(),
         resource("from-vpc", INGRESS_RULE, securityGroupId=ref("sg"), cidrIpv4="10.60.0.0/16", ipProtocol="tcp",
                  fromPort=6379, toPort=6379, tags=TAGS),
         *redis("sg"), gaps={"live": REDIS_GAP}),
]
