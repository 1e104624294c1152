"""NET-01..04, LOG-03: the VPC, its subnets, endpoints, security groups and flow logs.

Public and private subnets in two availability zones; the private ones hold
every data store and both Lambdas and have no route to the internet (no NAT
gateway): AWS services are reached through gateway endpoints (S3, DynamoDB)
and interface endpoints with private DNS (Kinesis, Secrets Manager, KMS, Logs,
STS, SQS for the dead-letter queue, and the ElastiCache API for the Redis AUTH
rotation, IAM-05). Security groups admit only what each tier needs: Redis 6379
from the processor and the rotation function, RDS Proxy 5432 from the
processor, Aurora 5432 from the proxy and the migration function, the endpoints
443 from inside the VPC. No rule anywhere admits 0.0.0.0/0 or ::/0; egress is
limited to the ports and destinations each function and the proxy use. The
VPC's default security group is emptied.

LOG-03: the VPC's flow log (all traffic) goes to a CloudWatch log group of its
own, encrypted with the CloudWatch Logs key and kept 30 days, through a role
that may write to that group only. The logs key already admits the CloudWatch
Logs service for every log group of the account and region (components/keys.py),
which is all an encrypted group needs: the delivery role itself never calls KMS.

Children are named after the component (``<name>-<child>``), so that two
networks in one stack do not collide. The network that existed before that rule
was named ``network`` and its children had bare names (``main``, ``private-a``):
that instance aliases each child to its old name, so existing stacks keep their
URNs and nothing is replaced. Any other instance is new and has no aliases.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from aws_context import AwsContext
from naming import Naming
from policy_documents import assume_role, document, statement

VPC_CIDR = "10.40.0.0/16"
PUBLIC_CIDRS = ("10.40.0.0/24", "10.40.1.0/24")
PRIVATE_CIDRS = ("10.40.10.0/24", "10.40.11.0/24")
ZONE_LETTERS = ("a", "b")

GATEWAY_ENDPOINTS = ("s3", "dynamodb")
INTERFACE_ENDPOINTS = ("kinesis-streams", "secretsmanager", "kms", "logs", "sts", "sqs")
# IAM-05: the rotation function calls ModifyReplicationGroup; the ElastiCache API has no gateway endpoint.
ROTATION_ENDPOINTS = ("elasticache",)
# The compliance auditor (components/compliance_auditor.py) reads every audited service and writes to Security Hub;
# what INTERFACE_ENDPOINTS and the gateways do not already serve. IAM has an interface endpoint only in us-east-1,
# outside the approved regions: the deployed auditor cannot read IAM (IAM-01 is left to the CI audit).
AUDITOR_ENDPOINTS = ("ec2", "rds", "iot.api", "cloudtrail", "lambda", "tagging", "securityhub", "xray")
AUDITOR_TIER = "auditor"
AUDITOR_TIER_DESCRIPTION = "Compliance auditor Lambda: egress to AWS endpoints only"

POSTGRES_PORT = 5432
REDIS_PORT = 6379
HTTPS_PORT = 443

# The name of the one Network declared before children were named after their component (issue 12).
LEGACY_NAME = "network"

# LOG-03: flow logs of every traffic type, kept at least 30 days.
FLOW_LOG_TRAFFIC_TYPE = "ALL"
FLOW_LOG_RETENTION_DAYS = 30
FLOW_LOG_AGGREGATION_SECONDS = 600  # AWS's default; 60 costs ten times the records for a finer timeline

# Descriptions unchanged since the groups were created: a new description replaces a group (and detaches
# what uses it), so the Aurora group keeps its words although the proxy, not the processor, now reaches it.
TIERS = {
    "processor": "Telemetry processor Lambda: egress to data stores and AWS endpoints only",
    "aurora": "Aurora PostgreSQL: 5432 from the processor only",
    "redis": "ElastiCache Redis: 6379 from the processor only",
    "endpoints": "Interface VPC endpoints: 443 from inside the VPC",
}
ROTATION_TIER = "redis-rotation"  # IAM-05: the Redis AUTH rotation function
# Tiers added after the children were named after the component: no alias.
NEW_TIERS = {
    "proxy": "RDS Proxy: 5432 from the processor, to Aurora only",
    "migrator": "Schema migration Lambda: egress to Aurora and AWS endpoints only",
    ROTATION_TIER: "Redis AUTH rotation Lambda: egress to Redis and AWS endpoints only",
}
# (source tier, destination tier, port) of every tier-to-tier path; the processor -> redis one existed before.
PATHS = (("processor", "redis", REDIS_PORT), ("processor", "proxy", POSTGRES_PORT), ("proxy", "aurora", POSTGRES_PORT),
         ("migrator", "aurora", POSTGRES_PORT), (ROTATION_TIER, "redis", REDIS_PORT))
ENDPOINT_CLIENTS = ("processor", "migrator", ROTATION_TIER)


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, naming: Naming, ctx: AwsContext, logs_key_arn: pulumi.Input[str],
                 opts: pulumi.ResourceOptions | None = None, *, auditor: bool = False) -> None:
        """``auditor``: the tier and endpoints of the compliance auditor (config ``complianceAuditor``)."""
        super().__init__("iot-sensor-platform:network:Network", name, None, opts)
        self._prefix = name
        self._auditor = auditor
        zones = aws.get_availability_zones_output(state="available").names
        region = ctx.region

        self.vpc = aws.ec2.Vpc(
            self._child("main"), cidr_block=VPC_CIDR, enable_dns_support=True, enable_dns_hostnames=True,
            tags=naming.tags(naming.name("vpc", "main")), opts=self._opts("main"),
        )
        aws.ec2.DefaultSecurityGroup(  # no rules: nothing may use the default group (CIS 5.4)
            self._child("default"), vpc_id=self.vpc.id, tags=naming.tags(naming.name("secgroup", "default")),
            opts=self._opts("default"),
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
            self._child("main"), vpc_id=self.vpc.id, tags=naming.tags(naming.name("igw", "main")),
            opts=self._opts("main"),
        )
        public_table = aws.ec2.RouteTable(
            self._child("public"), vpc_id=self.vpc.id, tags=naming.tags(naming.name("rtb", "public")),
            opts=self._opts("public"),
        )
        aws.ec2.Route(self._child("public-internet"), route_table_id=public_table.id,
                      destination_cidr_block="0.0.0.0/0", gateway_id=gateway.id, opts=self._opts("public-internet"))
        # The private table has only the implicit local route plus the gateway endpoints' prefix lists.
        self.private_route_table = aws.ec2.RouteTable(
            self._child("private"), vpc_id=self.vpc.id, tags=naming.tags(naming.name("rtb", "private")),
            opts=self._opts("private"),
        )
        for tier, subnets, table in (("public", self.public_subnets, public_table),
                                     ("private", self.private_subnets, self.private_route_table)):
            for letter, subnet in zip(ZONE_LETTERS, subnets, strict=True):
                aws.ec2.RouteTableAssociation(self._child(f"{tier}-{letter}"), subnet_id=subnet.id,
                                              route_table_id=table.id, opts=self._opts(f"{tier}-{letter}"))

        self.security_groups = {
            tier: aws.ec2.SecurityGroup(
                self._child(tier),
                name=naming.name("secgroup", tier),
                description=description,
                vpc_id=self.vpc.id,
                tags=naming.tags(),
                opts=self._opts(tier, existed=tier in TIERS),
            )
            for tier, description in {**TIERS, **NEW_TIERS, **self._auditor_tier()}.items()
        }
        self._rules(naming, region)

        self.gateway_endpoints = {
            service: aws.ec2.VpcEndpoint(
                self._child(service),
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[self.private_route_table.id],
                tags=naming.tags(naming.name("vpce", service)),
                opts=self._opts(service),
            )
            for service in GATEWAY_ENDPOINTS
        }
        self.interface_endpoints = {
            service: aws.ec2.VpcEndpoint(
                self._child(service),
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in self.private_subnets],
                security_group_ids=[self.security_groups["endpoints"].id],
                tags=naming.tags(naming.name("vpce", service.replace(".", "-"))),
                opts=self._opts(service, existed=service in INTERFACE_ENDPOINTS),
            )
            for service in (*INTERFACE_ENDPOINTS, *ROTATION_ENDPOINTS, *(AUDITOR_ENDPOINTS if auditor else ()))
        }
        self.flow_log = self._flow_log(naming, ctx, logs_key_arn)

        self.private_subnet_ids = [s.id for s in self.private_subnets]
        self.public_subnet_ids = [s.id for s in self.public_subnets]
        self.security_group_ids = {tier: sg.id for tier, sg in self.security_groups.items()}
        self.register_outputs({
            "vpcId": self.vpc.id,
            "privateSubnetIds": self.private_subnet_ids,
            "publicSubnetIds": self.public_subnet_ids,
            "securityGroupIds": self.security_group_ids,
            "flowLogGroupName": self.flow_log_group.name,
        })

    def _auditor_tier(self) -> dict[str, str]:
        return {AUDITOR_TIER: AUDITOR_TIER_DESCRIPTION} if self._auditor else {}

    def _child(self, local: str) -> str:
        """A child's logical name: the component's name, then the child's own."""
        return f"{self._prefix}-{local}"

    def _opts(self, local: str, *, existed: bool = True) -> pulumi.ResourceOptions:
        """Parent, plus an alias to the bare name the child had, for the legacy instance's older children.

        ``existed=False`` for children added after the rename (flow logs, the rotation,
        proxy and migration tiers): they never had another name.
        """
        aliases = [pulumi.Alias(name=local)] if existed and self._prefix == LEGACY_NAME else None
        return pulumi.ResourceOptions(parent=self, aliases=aliases)

    def _subnet(self, tier: str, letter: str, cidr: str, zone: pulumi.Output[str], naming: Naming) -> aws.ec2.Subnet:
        return aws.ec2.Subnet(
            self._child(f"{tier}-{letter}"),
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=zone,
            map_public_ip_on_launch=False,  # nothing in the platform gets a public address
            tags=naming.tags(naming.name("subnet", f"{tier}-{letter}")) | {"Tier": tier},
            opts=self._opts(f"{tier}-{letter}"),
        )

    def _rules(self, naming: Naming, region: str) -> None:
        """NET-01/NET-04: least-access rules, one resource per rule (aws.vpc rules, not inline blocks)."""
        sg = self.security_groups
        for source, store, port in PATHS:
            existed = source in TIERS and store in TIERS
            aws.vpc.SecurityGroupIngressRule(
                self._child(f"{store}-from-{source}"),
                security_group_id=sg[store].id,
                referenced_security_group_id=sg[source].id,
                ip_protocol="tcp", from_port=port, to_port=port,
                description=f"{port} from the processor only" if existed else f"{port} from the {source}",
                tags=naming.tags(), opts=self._opts(f"{store}-from-{source}", existed=existed),
            )
            aws.vpc.SecurityGroupEgressRule(
                self._child(f"{source}-to-{store}"),
                security_group_id=sg[source].id,
                referenced_security_group_id=sg[store].id,
                ip_protocol="tcp", from_port=port, to_port=port,
                description=f"to {store} on {port}",
                tags=naming.tags(), opts=self._opts(f"{source}-to-{store}", existed=existed),
            )
        aws.vpc.SecurityGroupIngressRule(
            self._child("endpoints-from-vpc"),
            security_group_id=sg["endpoints"].id,
            cidr_ipv4=VPC_CIDR,
            ip_protocol="tcp", from_port=HTTPS_PORT, to_port=HTTPS_PORT,
            description="HTTPS from inside the VPC",
            tags=naming.tags(), opts=self._opts("endpoints-from-vpc"),
        )
        for source in (*ENDPOINT_CLIENTS, *self._auditor_tier()):
            aws.vpc.SecurityGroupEgressRule(
                self._child(f"{source}-to-endpoints"),
                security_group_id=sg[source].id,
                referenced_security_group_id=sg["endpoints"].id,
                ip_protocol="tcp", from_port=HTTPS_PORT, to_port=HTTPS_PORT,
                description="HTTPS to the interface endpoints",
                tags=naming.tags(), opts=self._opts(f"{source}-to-endpoints", existed=source in TIERS),
            )
        for service in GATEWAY_ENDPOINTS:
            prefix_list = aws.ec2.get_prefix_list_output(name=f"com.amazonaws.{region}.{service}")
            for source in ("processor", *self._auditor_tier()):
                aws.vpc.SecurityGroupEgressRule(
                    self._child(f"{source}-to-{service}"),
                    security_group_id=sg[source].id,
                    prefix_list_id=prefix_list.id,
                    ip_protocol="tcp", from_port=HTTPS_PORT, to_port=HTTPS_PORT,
                    description=f"HTTPS to {service} through its gateway endpoint",
                    tags=naming.tags(), opts=self._opts(f"{source}-to-{service}", existed=source == "processor"),
                )

    def _flow_log(self, naming: Naming, ctx: AwsContext, logs_key_arn: pulumi.Input[str]) -> aws.ec2.FlowLog:
        """LOG-03: every VPC's traffic to a CMK-encrypted log group kept 30 days, through a least-privilege role."""
        self.flow_log_group = aws.cloudwatch.LogGroup(
            self._child("flow-logs"),
            name=naming.log_group("vpc", "flowlogs", self._prefix),
            retention_in_days=FLOW_LOG_RETENTION_DAYS,
            kms_key_id=logs_key_arn,
            tags=naming.tags(),
            opts=self._opts("flow-logs", existed=False),
        )
        # Confused-deputy guard: only flow logs of this account and region may assume the role.
        from_this_account = {
            "StringEquals": {"aws:SourceAccount": ctx.account_id},
            "ArnLike": {"aws:SourceArn": ctx.arn("ec2", "vpc-flow-log/*")},
        }
        role = aws.iam.Role(
            self._child("flow-logs"),
            name=naming.name("role", f"{self._prefix}-flow-logs"),
            description="VPC flow logs deliver to their CloudWatch log group (LOG-03)",
            assume_role_policy=assume_role("vpc-flow-logs.amazonaws.com", from_this_account),
            tags=naming.tags(),
            opts=self._opts("flow-logs", existed=False),
        )
        group_arn = self.flow_log_group.arn
        role_policy = aws.iam.RolePolicy(
            self._child("flow-logs"),
            name=naming.name("policy", f"{self._prefix}-flow-logs"),
            role=role.id,
            policy=document(
                statement("WriteFlowLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents",
                                                "logs:DescribeLogStreams"],
                          [group_arn, pulumi.Output.concat(group_arn, ":log-stream:*")]),
                # DescribeLogGroups lists groups; it takes no single-group ARN, only the account's groups.
                statement("FindFlowLogGroup", ["logs:DescribeLogGroups"], ctx.arn("logs", "log-group:*")),
            ),
            opts=self._opts("flow-logs", existed=False),
        )
        return aws.ec2.FlowLog(
            self._child("main"),
            vpc_id=self.vpc.id,
            traffic_type=FLOW_LOG_TRAFFIC_TYPE,
            log_destination_type="cloud-watch-logs",
            log_destination=group_arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=FLOW_LOG_AGGREGATION_SECONDS,
            tags=naming.tags(naming.name("flowlog", "main")),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
        )
