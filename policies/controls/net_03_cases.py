"""NET-03 cases: each VPC judged on its own endpoints and NAT gateways, never on another VPC's."""

from controls.cases import case, ref, resource
from controls.net_02_cases import TAGS

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
IGW = "aws:ec2/internetGateway:InternetGateway"

GATEWAY_SERVICES = ("s3", "dynamodb")
INTERFACE_SERVICES = ("kinesis-streams", "secretsmanager", "kms", "logs")


def vpc(key: str = "vpc", cidr: str = "10.62.0.0/16"):
    return resource(key, VPC, cidrBlock=cidr, tags={**TAGS, "Name": f"vpc-{key}-{{id}}-{{suffix}}"})


def endpoints(vpc_key: str = "vpc", services=GATEWAY_SERVICES + INTERFACE_SERVICES, region: str = "sa-east-1"):
    return [resource(f"{vpc_key}-{service}", ENDPOINT, vpcId=ref(vpc_key),
                     serviceName=f"com.amazonaws.{region}.{service}",
                     vpcEndpointType="Gateway" if service in GATEWAY_SERVICES else "Interface",
                     tags={**TAGS, "Name": f"vpce-{service}-{{id}}-{{suffix}}"})
            for service in services]


def nat(vpc_key: str = "vpc", cidr: str = "10.62.9.0/24"):
    return [resource(f"{vpc_key}-edge", SUBNET, vpcId=ref(vpc_key), cidrBlock=cidr, availabilityZone="sa-east-1a",
                     tags={**TAGS, "Name": "subnet-edge-{id}-{suffix}"}),
            resource(f"{vpc_key}-igw", IGW, vpcId=ref(vpc_key), tags=TAGS),
            resource(f"{vpc_key}-eip", EIP, domain="vpc", tags=TAGS),
            resource(f"{vpc_key}-nat", NAT, subnetId=ref(f"{vpc_key}-edge"), allocationId=ref(f"{vpc_key}-eip"),
                     tags={**TAGS, "Name": "nat-egress-{id}-{suffix}"})]


CASES = [
    case("net-03-every-endpoint-no-nat", "NET-03", "pass", "vpc", vpc(), *endpoints()),
    case("net-03-no-endpoints", "NET-03", "fail", "vpc", vpc()),
    case("net-03-kms-endpoint-missing", "NET-03", "fail", "vpc", vpc(),
         *endpoints(services=("s3", "dynamodb", "kinesis-streams", "secretsmanager", "logs"))),
    case("net-03-nat-gateway", "NET-03", "fail", "vpc", vpc(), *endpoints(), *nat(),
         why="a NAT gateway gives the private subnets a path to the internet even with every endpoint"),
    case("net-03-endpoints-of-another-vpc-do-not-count", "NET-03", "fail", "vpc",
         vpc(), vpc("other", "10.63.0.0/16"), *endpoints("other"),
         why="endpoints serve only the VPC they sit in"),
    case("net-03-nat-of-another-vpc-does-not-count", "NET-03", "pass", "vpc",
         vpc(), *endpoints(), vpc("other", "10.63.0.0/16"), *nat("other", "10.63.9.0/24"),
         why="a NAT gateway in another VPC gives this one no path to the internet"),
    case("net-03-other-vpc-with-nat-fails-alone", "NET-03", "fail", "other",
         vpc(), *endpoints(), vpc("other", "10.63.0.0/16"), *endpoints("other"), *nat("other", "10.63.9.0/24")),
]
