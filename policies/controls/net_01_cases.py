"""NET-01 cases: world-open ingress however it is spelled, split or declared."""

from controls.cases import case, ref, resource

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def group(key: str = "sg", **inputs):
    return resource(key, SG, name=f"secgroup-{key}-{{id}}-{{suffix}}", description="NET-01 case", **inputs)


def inline(cidrs=(), ipv6=(), protocol="tcp", ports=(5432, 5432)):
    rule = {"protocol": protocol, "fromPort": ports[0], "toPort": ports[1]}
    if cidrs:
        rule["cidrBlocks"] = list(cidrs)
    if ipv6:
        rule["ipv6CidrBlocks"] = list(ipv6)
    return rule


def sg_rule(key: str, group_key: str = "sg", protocol="tcp", ports=(5432, 5432), **sources):
    return resource(key, SG_RULE, type="ingress", protocol=protocol, fromPort=ports[0], toPort=ports[1],
                    securityGroupId=ref(group_key, "id"), **sources)


def ingress_rule(key: str, group_key: str = "sg", protocol="tcp", ports=(6379, 6379), **sources):
    return resource(key, INGRESS_RULE, securityGroupId=ref(group_key, "id"), ipProtocol=protocol,
                    fromPort=ports[0], toPort=ports[1], **sources)


CASES = [
    case("net-01-vpc-cidr-only", "NET-01", "pass", "sg", group(ingress=[inline(["10.40.0.0/16"])]),
         why="a private CIDR admits only the VPC"),
    case("net-01-ipv4-world-inline", "NET-01", "fail", "sg", group(ingress=[inline(["0.0.0.0/0"])])),
    case("net-01-ipv6-world-inline", "NET-01", "fail", "sg", group(ingress=[inline(ipv6=["::/0"])])),
    case("net-01-ipv6-world-spelled-out", "NET-01", "fail", "sg", group(ingress=[inline(ipv6=["::0/0"])]),
         why="::0/0 is ::/0: compared as networks, not strings"),
    case("net-01-ipv4-world-split-inline", "NET-01", "fail", "sg",
         group(ingress=[inline(["0.0.0.0/1", "128.0.0.0/1"])])),
    case("net-01-ipv6-world-split-inline", "NET-01", "fail", "sg", group(ingress=[inline(ipv6=["::/1", "8000::/1"])])),
    case("net-01-ipv4-half-only", "NET-01", "pass", "sg", group(ingress=[inline(["0.0.0.0/1"])]),
         why="half of the addresses is not the world (the control is about whole-world sources)"),
    case("net-01-world-port-range-covers-data-store", "NET-01", "fail", "sg",
         group(ingress=[inline(["0.0.0.0/0"], ports=(5000, 6500))])),
    case("net-01-world-all-protocols", "NET-01", "fail", "sg",
         group(ingress=[inline(["0.0.0.0/0"], protocol="-1", ports=(0, 0))])),
    case("net-01-security-group-rule-world", "NET-01", "fail", "rule", group(),
         sg_rule("rule", cidrBlocks=["0.0.0.0/0"]), live_subject="sg"),
    case("net-01-security-group-rule-world-group", "NET-01", "fail", "sg", group(),
         sg_rule("rule", ipv6CidrBlocks=["::/0"]), why="the group a world-open rule names is world-open"),
    case("net-01-ingress-rule-world", "NET-01", "fail", "rule", group(),
         ingress_rule("rule", cidrIpv4="0.0.0.0/0"), live_subject="sg"),
    case("net-01-ingress-rule-ipv6-world-spelled-out", "NET-01", "fail", "sg", group(),
         ingress_rule("rule", cidrIpv6="0:0:0:0:0:0:0:0/0")),
    case("net-01-world-split-across-two-rules", "NET-01", "fail", "sg", group(),
         ingress_rule("low", cidrIpv4="0.0.0.0/1"), ingress_rule("high", cidrIpv4="128.0.0.0/1"),
         why="two rules of one group on one port together admit every IPv4 address"),
    case("net-01-split-across-rules-on-other-ports", "NET-01", "pass", "sg", group(),
         ingress_rule("low", cidrIpv4="0.0.0.0/1", ports=(5432, 5432)),
         ingress_rule("high", cidrIpv4="128.0.0.0/1", ports=(6379, 6379)),
         why="no port is open to both halves"),
    case("net-01-split-across-inline-and-all-protocols-rule", "NET-01", "fail", "sg",
         group(ingress=[inline(["0.0.0.0/1"], ports=(22, 22))]),
         sg_rule("rest", protocol="-1", ports=(0, 0), cidrBlocks=["128.0.0.0/1"]),
         why="protocol -1 meets every port of the inline rule"),
    case("net-01-source-group-only", "NET-01", "pass", "sg", group("peer"), group(),
         ingress_rule("rule", referencedSecurityGroupId=ref("peer", "id"))),
]
