"""LOG-03 cases: a VPC and its flow logs, their traffic type, destination, and the log group's key and retention.

Each case has a VPC of its own (the subject). ``FIXTURES`` offers the CloudWatch
Logs key (its policy lets the Logs service use it: AWS refuses a group keyed by one
that does not), the role flow logs deliver through, and an S3 bucket for the case
that delivers there. CloudWatch Logs takes a key ARN only, has no AWS-managed key,
and accepts only its listed retention values: anything else is refused at deploy,
so such cases are preview/static only (``not_live``).
"""

import json

from controls.cases import case, ref, resource

ACCOUNT, REGION = "123456789012", "sa-east-1"  # the sandbox's account and the case runner's region
TAGS = {"Environment": "{suffix}"}
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
GROUP_NAME = "/aws/vpc/flowlogs-{id}-{suffix}"

FIXTURES = [
    resource("log03-key", "aws:kms/key:Key", description="LOG-03 cases: the CloudWatch Logs key",
             enableKeyRotation=True, deletionWindowInDays=7, tags=TAGS,
             policy=json.dumps({"Version": "2012-10-17", "Statement": [
                 {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                  "Action": "kms:*", "Resource": "*"},
                 {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
                  "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                             "kms:Describe*"], "Resource": "*"}]})),
    resource("log03-role", "aws:iam/role:Role", name="role-log03-flowlogs-{suffix}", tags=TAGS,
             assumeRolePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
                 "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                 "Action": "sts:AssumeRole"}]})),
    resource("log03-bucket", "aws:s3/bucket:Bucket", bucket="s3-log03-flowlogs-{suffix}", forceDestroy=True, tags=TAGS),
]


def vpc():
    return resource("vpc", VPC, cidrBlock="10.60.0.0/16", tags={**TAGS, "Name": "vpc-{id}-{suffix}"})


def group(key="group", name=GROUP_NAME, retention=30, kms=True):
    settings = {"retentionInDays": retention} if retention is not None else {}
    if kms:
        settings["kmsKeyId"] = ref("@log03-key", "arn")
    return resource(key, LOG_GROUP, name=name, tags=TAGS, **settings)


def flow_log(key="flowlog", traffic="ALL", destination=None, **inputs):
    """A flow log of the case's VPC into ``destination`` (default: the case's group), through the fixture role."""
    settings = {"trafficType": traffic, "logDestinationType": "cloud-watch-logs",
                "logDestination": ref("group", "arn") if destination is None else destination,
                "iamRoleArn": ref("@log03-role", "arn"), **inputs}
    return resource(key, FLOW_LOG, vpcId=ref("vpc", "id"), tags=TAGS,
                    **{k: v for k, v in settings.items() if v is not None})


def logged(traffic="ALL", **group_inputs):
    """A VPC with one flow log into a log group of its own."""
    return vpc(), group(**group_inputs), flow_log(traffic=traffic)


REFUSED_RETENTION = "CloudWatch Logs accepts only its listed retention values (29 is not one): AWS refuses it"

CASES = [
    case("log-03-all-traffic-to-cmk-group-30-days", "LOG-03", "pass", "vpc", *logged(),
         why="ALL traffic, CloudWatch Logs, the CloudWatch Logs key (an ARN), 30 days"),
    case("log-03-retention-3653-days", "LOG-03", "pass", "vpc", *logged(retention=3653)),
    case("log-03-group-never-expires", "LOG-03", "pass", "vpc", *logged(retention=None),
         why="a group that never expires keeps flow logs at least 30 days; RET-04 fails it for keeping them forever"),
    case("log-03-destination-type-absent", "LOG-03", "pass", "vpc", vpc(), group(),
         flow_log(logDestinationType=None), why="AWS's default destination type is cloud-watch-logs"),
    case("log-03-group-named-by-literal-arn", "LOG-03", "pass", "vpc", vpc(), group(),
         flow_log(destination=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP_NAME}"),
         why="the destination's ARN names a group the program declares: every layer finds it by name"),
    case("log-03-no-flow-log", "LOG-03", "fail", "vpc", vpc()),
    case("log-03-reject-traffic-only", "LOG-03", "fail", "vpc", *logged(traffic="REJECT"),
         why="CIS 3.7's minimum, but LOG-03 asks for ALL traffic"),
    case("log-03-accept-traffic-only", "LOG-03", "fail", "vpc", *logged(traffic="ACCEPT")),
    case("log-03-one-of-two-flow-logs-rejects-only", "LOG-03", "fail", "vpc", vpc(), group(), flow_log(),
         group("group2", name="/aws/vpc/flowlogs-{id}-rejected-{suffix}"),
         flow_log("second", traffic="REJECT", destination=ref("group2", "arn")),
         why="every flow log of the VPC must record ALL traffic (AWS takes one flow log per VPC and destination)"),
    case("log-03-subnet-flow-log-only", "LOG-03", "fail", "vpc", vpc(),
         resource("subnet", "aws:ec2/subnet:Subnet", vpcId=ref("vpc", "id"), cidrBlock="10.60.1.0/24",
                  tags={**TAGS, "Name": "subnet-{id}-{suffix}"}),
         group(),
         resource("flowlog", FLOW_LOG, subnetId=ref("subnet", "id"), trafficType="ALL",
                  logDestinationType="cloud-watch-logs", logDestination=ref("group", "arn"),
                  iamRoleArn=ref("@log03-role", "arn"), tags=TAGS),
         why="a subnet's flow log covers part of the VPC only"),
    case("log-03-to-s3", "LOG-03", "fail", "vpc", vpc(),
         flow_log(logDestinationType="s3", destination=ref("@log03-bucket", "arn"), iamRoleArn=None),
         why="the catalog asks for a CloudWatch log group with the plant's key and a retention"),
    case("log-03-to-firehose", "LOG-03", "fail", "vpc", vpc(),
         flow_log(logDestinationType="kinesis-data-firehose", iamRoleArn=None,
                  destination=f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/firehose-log03-{{suffix}}"),
         not_live="the sandbox deploys no Firehose delivery stream, and AWS refuses a flow log to one that "
                  "does not exist"),
    case("log-03-group-without-key", "LOG-03", "fail", "vpc", *logged(kms=False),
         why="CloudWatch Logs' own encryption is not a key the plant controls"),
    case("log-03-group-aws-managed-alias", "LOG-03", "fail", "vpc", vpc(),
         resource("group", LOG_GROUP, name=GROUP_NAME, retentionInDays=30, kmsKeyId="alias/aws/logs", tags=TAGS),
         flow_log(), not_live="CloudWatch Logs has no AWS-managed key and takes a key ARN only: AWS refuses it"),
    case("log-03-retention-14-days", "LOG-03", "fail", "vpc", *logged(retention=14)),
    case("log-03-retention-29-days", "LOG-03", "fail", "vpc", *logged(retention=29), not_live=REFUSED_RETENTION),
    case("log-03-retention-1-day", "LOG-03", "fail", "vpc", *logged(retention=1)),
    case("log-03-group-not-declared", "LOG-03", "fail", "vpc", vpc(),
         flow_log(destination=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/vpc/flowlogs-missing-{{id}}-{{suffix}}"),
         why="a group that cannot be found cannot be verified (AWS would create it on first delivery, without a "
             "key or a retention)"),
]
