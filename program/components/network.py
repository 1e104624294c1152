"""NET-01..04: the VPC, its subnets, endpoints and security groups.

Public and private subnets in two availability zones; the private ones hold
every data store and the Lambda and have no route to the internet (no NAT
gateway): AWS services are reached through gateway endpoints (S3, DynamoDB)
and interface endpoints with private DNS (Kinesis, Secrets Manager, KMS, Logs,
STS, and SQS for the dead-letter queue). Security groups admit only what each tier needs: Redis 6379 and
RDS Proxy 5432 from the processor's group, Aurora 5432 from the proxy's and the
migration function's groups, the endpoints 443 from inside the VPC. No rule
anywhere admits 0.0.0.0/0 or ::/0; egress is limited to the ports and
destinations each function and the proxy use. The VPC's default security group is emptied.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from naming import Naming

VPC_CIDR = "10.40.0.0/16"
PUBLIC_CIDRS = ("10.40.0.0/24", "10.40.1.0/24")
PRIVATE_CIDRS = ("10.40.10.0/24", "10.40.11.0/24")
ZONE_LETTERS = ("a", "b")

GATEWAY_ENDPOINTS = ("s3", "dynamodb")
INTERFACE_ENDPOINTS = ("kinesis-streams", "secretsmanager", "kms", "logs", "sts", "sqs")

# The ENI calls a VPC-attached function needs; EC2 supports no resource-level scoping for them.
VPC_NETWORK_INTERFACE_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]

POSTGRES_PORT = 5432
REDIS_PORT = 6379
HTTPS_PORT = 443


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, naming: Naming, region: str,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iot-sensor-platform:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        zones = aws.get_availability_zones_output(state="available").names

        self.vpc = aws.ec2.Vpc(
            "main", cidr_block=VPC_CIDR, enable_dns_support=True, enable_dns_hostnames=True,
            tags=naming.tags(naming.name("vpc", "main")), opts=child,
        )
        aws.ec2.DefaultSecurityGroup(  # no rules: nothing may use the default group (CIS 5.4)
            "default", vpc_id=self.vpc.id, tags=naming.tags(naming.name("secgroup", "default")), opts=child,
        )
        self.public_subnets = [
            self._subnet("public", letter, cidr, zones[index], naming)
            for index, (letter, cidr) in enumerate(zip(ZONE_LETTERS, PUBLIC_CIDRS, strict=True))
        ]
        self.private_subnets = [
            self._subnet("private", letter, cidr, zones[index], naming)
            for index, (letter, cidr) in enumerate(zip(ZONE_LETTERS, PRIVATE_CIDRS, strict=True))
        ]

        gateway = aws.ec2.InternetGateway(
            "main", vpc_id=self.vpc.id, tags=naming.tags(naming.name("igw", "main")), opts=child,
        )
        public_table = aws.ec2.RouteTable(
            "public", vpc_id=self.vpc.id, tags=naming.tags(naming.name("rtb", "public")), opts=child,
        )
        aws.ec2.Route("public-internet", route_table_id=public_table.id, destination_cidr_block="0.0.0.0/0",
                      gateway_id=gateway.id, opts=child)
        # The private table has only the implicit local route plus the gateway endpoints' prefix lists.
        self.private_route_table = aws.ec2.RouteTable(
            "private", vpc_id=self.vpc.id, tags=naming.tags(naming.name("rtb", "private")), opts=child,
        )
        for tier, subnets, table in (("public", self.public_subnets, public_table),
                                     ("private", self.private_subnets, self.private_route_table)):
            for letter, subnet in zip(ZONE_LETTERS, subnets, strict=True):
                aws.ec2.RouteTableAssociation(f"{tier}-{letter}", subnet_id=subnet.id, route_table_id=table.id,
                                              opts=child)

        self.security_groups = {
            tier: aws.ec2.SecurityGroup(
                tier,
                name=naming.name("secgroup", tier),
                description=description,
                vpc_id=self.vpc.id,
                tags=naming.tags(),
                opts=child,
            )
            for tier, description in (
                ("processor", "Telemetry processor Lambda: egress to data stores and AWS endpoints only"),
                ("aurora", "Aurora PostgreSQL: 5432 from RDS Proxy and the migration function only"),
                ("proxy", "RDS Proxy: 5432 from the processor, to Aurora only"),
                ("migrator", "Schema migration Lambda: egress to Aurora and AWS endpoints only"),
                ("redis", "ElastiCache Redis: 6379 from the processor only"),
                ("endpoints", "Interface VPC endpoints: 443 from inside the VPC"),
            )
        }
        self._rules(naming, region)

        self.gateway_endpoints = {
            service: aws.ec2.VpcEndpoint(
                service,
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[self.private_route_table.id],
                tags=naming.tags(naming.name("vpce", service)),
                opts=child,
            )
            for service in GATEWAY_ENDPOINTS
        }
        self.interface_endpoints = {
            service: aws.ec2.VpcEndpoint(
                service,
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in self.private_subnets],
                security_group_ids=[self.security_groups["endpoints"].id],
                tags=naming.tags(naming.name("vpce", service)),
                opts=child,
            )
            for service in INTERFACE_ENDPOINTS
        }

        self.private_subnet_ids = [s.id for s in self.private_subnets]
        self.public_subnet_ids = [s.id for s in self.public_subnets]
        self.security_group_ids = {tier: sg.id for tier, sg in self.security_groups.items()}
        self.register_outputs({
            "vpcId": self.vpc.id,
            "privateSubnetIds": self.private_subnet_ids,
            "publicSubnetIds": self.public_subnet_ids,
            "securityGroupIds": self.security_group_ids,
        })

    def _subnet(self, tier: str, letter: str, cidr: str, zone: pulumi.Output[str], naming: Naming) -> aws.ec2.Subnet:
        return aws.ec2.Subnet(
            f"{tier}-{letter}",
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=zone,
            map_public_ip_on_launch=False,  # nothing in the platform gets a public address
            tags=naming.tags(naming.name("subnet", f"{tier}-{letter}")) | {"Tier": tier},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _rules(self, naming: Naming, region: str) -> None:
        """NET-01/NET-04: least-access rules, one resource per rule (aws.vpc rules, not inline blocks)."""
        child = pulumi.ResourceOptions(parent=self)
        sg = self.security_groups
        for source, store, port in (("processor", "redis", REDIS_PORT), ("processor", "proxy", POSTGRES_PORT),
                                    ("proxy", "aurora", POSTGRES_PORT), ("migrator", "aurora", POSTGRES_PORT)):
            aws.vpc.SecurityGroupIngressRule(
                f"{store}-from-{source}",
                security_group_id=sg[store].id,
                referenced_security_group_id=sg[source].id,
                ip_protocol="tcp", from_port=port, to_port=port,
                description=f"{port} from the {source}",
                tags=naming.tags(), opts=child,
            )
            aws.vpc.SecurityGroupEgressRule(
                f"{source}-to-{store}",
                security_group_id=sg[source].id,
                referenced_security_group_id=sg[store].id,
                ip_protocol="tcp", from_port=port, to_port=port,
                description=f"to {store} on {port}",
                tags=naming.tags(), opts=child,
            )
        aws.vpc.SecurityGroupIngressRule(
            "endpoints-from-vpc",
            security_group_id=sg["endpoints"].id,
            cidr_ipv4=VPC_CIDR,
            ip_protocol="tcp", from_port=HTTPS_PORT, to_port=HTTPS_PORT,
            description="HTTPS from inside the VPC",
            tags=naming.tags(), opts=child,
        )
        for function in ("processor", "migrator"):
            aws.vpc.SecurityGroupEgressRule(
                f"{function}-to-endpoints",
                security_group_id=sg[function].id,
                referenced_security_group_id=sg["endpoints"].id,
                ip_protocol="tcp", from_port=HTTPS_PORT, to_port=HTTPS_PORT,
                description="HTTPS to the interface endpoints",
                tags=naming.tags(), opts=child,
            )
        for service in GATEWAY_ENDPOINTS:
            prefix_list = aws.ec2.get_prefix_list_output(name=f"com.amazonaws.{region}.{service}")
            aws.vpc.SecurityGroupEgressRule(
                f"processor-to-{service}",
                security_group_id=sg["processor"].id,
                prefix_list_id=prefix_list.id,
                ip_protocol="tcp", from_port=HTTPS_PORT, to_port=HTTPS_PORT,
                description=f"HTTPS to {service} through its gateway endpoint",
                tags=naming.tags(), opts=child,
            )
