"""Discovery: the in-scope resources of each audited type, listed once per region and shared.

Each listing pages through the service's list API, reads every resource's tags
(the ``Environment`` tag decides membership, GOV-03 needs them anyway) and keeps
the resources the scope admits (see ``compliance.audit.scope``), with the
description the checks read. Listings are memoized: ENC-01, KMS-02, GOV-01 and
GOV-03 all read the same stream listing, made once.

Resource types are named by their Pulumi type tokens so that the report can
join a live finding with the preview and static findings of the same resource.
Resources AWS creates by itself (default VPCs and subnets, a VPC's untouched
default security group, service-linked roles, AWS-managed keys) are marked
``managed_by_aws``: network checks still read them, naming and tagging checks
do not hold them to the program's conventions. Resources on their way out are
not audited: keys pending deletion (a destroyed stack's keys wait out their
deletion window), and clusters, replication groups and tables being deleted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compliance.audit.aws import ApiError, AwsAccess
from compliance.audit.gaps import KnownGaps
from compliance.audit.memo import Memo
from compliance.audit.scope import Scope
from compliance.findings import ResourceRef

STREAM = "aws:kinesis/stream:Stream"
KEY = "aws:kms/key:Key"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SECRET = "aws:secretsmanager/secret:Secret"
BUCKET = "aws:s3/bucket:Bucket"
TABLE = "aws:dynamodb/table:Table"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TRAIL = "aws:cloudtrail/trail:Trail"
FUNCTION = "aws:lambda/function:Function"
QUEUE = "aws:sqs/queue:Queue"
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ROLE = "aws:iam/role:Role"
IOT_POLICY = "aws:iot/policy:Policy"
THING = "aws:iot/thing:Thing"

PENDING_DELETION = ("PendingDeletion", "PendingReplicaDeletion")
DELETING = ("deleting", "DELETING")


@dataclass(frozen=True)
class Resource:
    """One in-scope resource: its reference, tags and the description the checks read.

    ``tags`` is None when the resource type has no tags (IoT things) or when a
    known gap of the endpoint keeps them unreadable (``tags_gap`` says which).
    """

    ref: ResourceRef
    data: dict[str, Any]
    tags: dict[str, str] | None
    taggable: bool = True
    tags_gap: str = ""
    managed_by_aws: bool = False

    @property
    def name(self) -> str:
        return self.ref.name

    @property
    def id(self) -> str:
        return self.ref.id


def tag_dict(pairs: list[dict[str, str]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {pair[key]: pair.get(value, "") for pair in pairs or []}


@dataclass
class Inventory:
    aws: AwsAccess
    scope: Scope
    gaps: KnownGaps
    home_region: str
    memo: Memo = field(default_factory=Memo)
    _audited: dict[str, ResourceRef] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- bookkeeping ---------------------------------------------------------

    def audited(self) -> dict[str, ResourceRef]:
        """Every in-scope resource any listing has returned so far, by id."""
        with self._lock:
            return dict(self._audited)

    def _listing(self, kind: str, region: str, discover: Callable[[], list[Resource]]) -> list[Resource]:
        def run() -> list[Resource]:
            found = discover()
            with self._lock:
                for resource in found:
                    self._audited[resource.id] = resource.ref
            return found

        return self.memo.get((kind, region), run)

    def _tags(self, read: Callable[[], dict[str, str]], *identity: str | None) -> tuple[dict[str, str] | None, str]:
        """Read tags; under a known gap of the endpoint, return (None, reason) instead of failing."""
        try:
            return read(), ""
        except ApiError as exc:
            gap = self.gaps.for_error(exc, *[i for i in identity if i])
            if gap is None:
                raise
            return None, gap.reason

    def _keep(self, type_: str, region: str, name: str, ids: tuple[str | None, ...], data: dict[str, Any],
              read_tags: Callable[[], dict[str, str]] | None, *, resource_id: str,
              managed_by_aws: bool = False) -> Resource | None:
        """The resource if the scope admits it (tags read first: ``Environment`` decides)."""
        tags, gap = self._tags(read_tags, resource_id, name, *ids) if read_tags is not None else (None, "")
        if not self.scope.decide(name, ids, tags):
            return None
        ref = ResourceRef(id=resource_id, type=type_, name=name, region=region)
        return Resource(ref, data, tags, taggable=read_tags is not None, tags_gap=gap, managed_by_aws=managed_by_aws)

    # -- shared reads --------------------------------------------------------

    def key(self, region: str, key_ref: str) -> dict[str, Any]:
        """DescribeKey: KeyMetadata of a key given by id, ARN, alias name or alias ARN."""
        if key_ref.startswith("arn:") and key_ref.split(":")[2] == "kms":  # a key in another region: ask there
            region = key_ref.split(":")[3] or region

        def describe() -> dict[str, Any]:
            return self.aws.call("kms", region, "DescribeKey", KeyId=key_ref)["KeyMetadata"]

        return self.memo.get(("DescribeKey", region, key_ref), describe)

    def aliases(self, region: str) -> dict[str, list[str]]:
        """Key id -> its alias names (ListAliases)."""
        def read() -> dict[str, list[str]]:
            by_key: dict[str, list[str]] = {}
            for alias in self.aws.pages("kms", region, "ListAliases", "Aliases"):
                if alias.get("TargetKeyId"):
                    by_key.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
            return by_key

        return self.memo.get(("ListAliases", region), read)

    def aws_alias_of(self, region: str, key_id: str) -> str | None:
        """An ``alias/aws/*`` alias of the key, if any: only AWS can create those, so the key is AWS-managed
        whatever else the endpoint reports (moto creates AWS's default keys as customer keys)."""
        return next((a for a in self.aliases(region).get(key_id, []) if a.startswith("alias/aws/")), None)

    # -- listings, one per audited type --------------------------------------

    def streams(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            found = []
            for summary in self.aws.pages("kinesis", region, "ListStreams", "StreamSummaries"):
                name, arn = summary["StreamName"], summary["StreamARN"]
                kept = self._keep(STREAM, region, name, (arn,), {}, lambda n=name: self._stream_tags(region, n),
                                  resource_id=arn)
                if kept:
                    description = self.aws.call("kinesis", region, "DescribeStreamSummary", StreamName=name)
                    found.append(_with_data(kept, description["StreamDescriptionSummary"]))
            return found

        return self._listing("streams", region, discover)

    def _stream_tags(self, region: str, name: str) -> dict[str, str]:
        tags: dict[str, str] = {}
        params: dict[str, Any] = {"StreamName": name}
        while True:  # ListTagsForStream has no botocore paginator
            page = self.aws.call("kinesis", region, "ListTagsForStream", **params)
            tags.update(tag_dict(page.get("Tags")))
            if not page.get("HasMoreTags") or not page.get("Tags"):
                return tags
            params["ExclusiveStartTagKey"] = page["Tags"][-1]["Key"]

    def keys(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            aliases = self.aliases(region)
            found = []
            for listed in self.aws.pages("kms", region, "ListKeys", "Keys"):
                meta = self.key(region, listed["KeyArn"])
                if meta.get("KeyManager") != "CUSTOMER" or meta.get("KeyState") in PENDING_DELETION:
                    continue
                own = sorted(a for a in aliases.get(meta["KeyId"], []) if not a.startswith("alias/aws/"))

                def read(key_id: str = meta["KeyId"]) -> dict[str, str]:
                    pairs = list(self.aws.pages("kms", region, "ListResourceTags", "Tags", KeyId=key_id))
                    return tag_dict(pairs, "TagKey", "TagValue")

                tags, gap = self._tags(read, meta["Arn"], meta["KeyId"])
                name = (own[0].removeprefix("alias/") if own else (tags or {}).get("Name", meta["KeyId"]))
                ids = (meta["Arn"], meta["KeyId"], *own)
                if self.scope.decide(name, ids, tags):
                    ref = ResourceRef(id=meta["Arn"], type=KEY, name=name, region=region)
                    found.append(Resource(ref, {**meta, "Aliases": own}, tags, tags_gap=gap))
            return found

        return self._listing("keys", region, discover)

    def clusters(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            found = []
            for cluster in self.aws.pages("rds", region, "DescribeDBClusters", "DBClusters"):
                if not str(cluster.get("Engine", "")).startswith("aurora") or cluster.get("Status") in DELETING:
                    continue
                kept = self._keep(CLUSTER, region, cluster["DBClusterIdentifier"],
                                  (cluster["DBClusterArn"], cluster.get("Endpoint")), cluster,
                                  lambda c=cluster: tag_dict(c.get("TagList")), resource_id=cluster["DBClusterArn"])
                if kept:
                    found.append(kept)
            return found

        return self._listing("clusters", region, discover)

    def cluster_instances(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            clusters = {c.data["DBClusterIdentifier"] for c in self.clusters(region)}
            found = []
            for instance in self.aws.pages("rds", region, "DescribeDBInstances", "DBInstances"):
                if not str(instance.get("Engine", "")).startswith("aurora"):
                    continue
                ids = (instance["DBInstanceArn"], (instance.get("Endpoint") or {}).get("Address"))
                kept = self._keep(CLUSTER_INSTANCE, region, instance["DBInstanceIdentifier"], ids, instance,
                                  lambda i=instance: tag_dict(i.get("TagList")), resource_id=instance["DBInstanceArn"])
                if kept or instance.get("DBClusterIdentifier") in clusters:
                    ref = ResourceRef(id=instance["DBInstanceArn"], type=CLUSTER_INSTANCE,
                                      name=instance["DBInstanceIdentifier"], region=region)
                    found.append(kept or Resource(ref, instance, tag_dict(instance.get("TagList"))))
            return found

        return self._listing("cluster_instances", region, discover)

    def replication_groups(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            found = []
            for group in self.aws.pages("elasticache", region, "DescribeReplicationGroups", "ReplicationGroups"):
                if group.get("Status") in DELETING:
                    continue

                def read(arn: str = group["ARN"]) -> dict[str, str]:
                    return tag_dict(self.aws.call("elasticache", region, "ListTagsForResource",
                                                  ResourceName=arn).get("TagList"))

                primary = ((group.get("NodeGroups") or [{}])[0].get("PrimaryEndpoint") or {}).get("Address")
                kept = self._keep(REPLICATION_GROUP, region, group["ReplicationGroupId"], (group["ARN"], primary),
                                  group, read, resource_id=group["ARN"])
                if kept:
                    found.append(kept)
            return found

        return self._listing("replication_groups", region, discover)

    def secrets(self, region: str) -> list[Resource]:
        """Secrets of the stack, including those RDS manages for an in-scope cluster's master user."""
        def discover() -> list[Resource]:
            owned_by_clusters = {c.id for c in self.clusters(region)}
            found = []
            for secret in self.aws.pages("secretsmanager", region, "ListSecrets", "SecretList"):
                tags = tag_dict(secret.get("Tags"))
                kept = self._keep(SECRET, region, secret["Name"], (secret["ARN"],), secret, lambda t=tags: t,
                                  resource_id=secret["ARN"])
                rds_owned = tags.get("aws:rds:primaryDBClusterArn") in owned_by_clusters
                if kept or rds_owned:
                    ref = ResourceRef(id=secret["ARN"], type=SECRET, name=secret["Name"], region=region)
                    found.append(Resource(ref, secret, tags, managed_by_aws=bool(secret.get("OwningService"))))
            return found

        return self._listing("secrets", region, discover)

    def _bucket_regions(self) -> list[tuple[str, str]]:
        """(bucket, region) for every bucket of the account: ListBuckets is global, GetBucketLocation places each."""
        def discover() -> list[tuple[str, str]]:
            home = self.home_region
            placed = []
            for bucket in self.aws.pages("s3", home, "ListBuckets", "Buckets"):
                location = self.aws.call("s3", home, "GetBucketLocation", Bucket=bucket["Name"])
                constraint = location.get("LocationConstraint") or "us-east-1"
                placed.append((bucket["Name"], "eu-west-1" if constraint == "EU" else constraint))
            return placed

        return self.memo.get(("bucket_regions",), discover)

    def buckets(self, region: str) -> list[Resource]:
        """Buckets located in ``region`` (an audit of other regions finds the others)."""
        def discover() -> list[Resource]:
            found = []
            for name, located in self._bucket_regions():
                if located != region:
                    continue

                def read(bucket: str = name) -> dict[str, str]:
                    answer = self.aws.call("s3", region, "GetBucketTagging", absent=("NoSuchTagSet",), Bucket=bucket)
                    return tag_dict((answer or {}).get("TagSet"))

                kept = self._keep(BUCKET, region, name, (f"arn:aws:s3:::{name}",), {"Name": name}, read,
                                  resource_id=f"arn:aws:s3:::{name}")
                if kept:
                    found.append(kept)
            return found

        return self._listing("buckets", region, discover)

    def tables(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            found = []
            for name in self.aws.pages("dynamodb", region, "ListTables", "TableNames"):
                table = self.aws.call("dynamodb", region, "DescribeTable", TableName=name)["Table"]
                if table.get("TableStatus") in DELETING:
                    continue

                def read(arn: str = table["TableArn"]) -> dict[str, str]:
                    return tag_dict(list(self.aws.pages("dynamodb", region, "ListTagsOfResource", "Tags",
                                                        ResourceArn=arn)))

                kept = self._keep(TABLE, region, name, (table["TableArn"],), table, read,
                                  resource_id=table["TableArn"])
                if kept:
                    found.append(kept)
            return found

        return self._listing("tables", region, discover)

    def log_groups(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            found = []
            for group in self.aws.pages("logs", region, "DescribeLogGroups", "logGroups"):
                arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")

                def read(resource_arn: str = arn) -> dict[str, str]:
                    return self.aws.call("logs", region, "ListTagsForResource", resourceArn=resource_arn).get("tags", {})

                kept = self._keep(LOG_GROUP, region, group["logGroupName"], (arn, group.get("arn")), group, read,
                                  resource_id=arn)
                if kept:
                    found.append(kept)
            return found

        return self._listing("log_groups", region, discover)

    def trails(self, region: str) -> list[Resource]:
        """Trails whose home is ``region`` (a multi-region trail is audited once, where it lives)."""
        def discover() -> list[Resource]:
            found = []
            answer = self.aws.call("cloudtrail", region, "DescribeTrails", includeShadowTrails=False)
            for trail in answer.get("trailList", []):
                def read(arn: str = trail["TrailARN"]) -> dict[str, str]:
                    listed = list(self.aws.pages("cloudtrail", region, "ListTags", "ResourceTagList",
                                                 ResourceIdList=[arn]))
                    return tag_dict(listed[0].get("TagsList") if listed else [])

                kept = self._keep(TRAIL, region, trail["Name"], (trail["TrailARN"],), trail, read,
                                  resource_id=trail["TrailARN"])
                if kept:
                    found.append(kept)
            return found

        return self._listing("trails", region, discover)

    def functions(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            found = []
            for function in self.aws.pages("lambda", region, "ListFunctions", "Functions"):
                def read(arn: str = function["FunctionArn"]) -> dict[str, str]:
                    return self.aws.call("lambda", region, "ListTags", Resource=arn).get("Tags", {})

                kept = self._keep(FUNCTION, region, function["FunctionName"], (function["FunctionArn"],),
                                  _without_environment(function), read, resource_id=function["FunctionArn"])
                if kept:
                    found.append(kept)
            return found

        return self._listing("functions", region, discover)

    def queues(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            found = []
            for url in self.aws.pages("sqs", region, "ListQueues", "QueueUrls"):
                attributes = self.aws.call("sqs", region, "GetQueueAttributes", QueueUrl=url,
                                           AttributeNames=["All"])["Attributes"]

                def read(queue_url: str = url) -> dict[str, str]:
                    return self.aws.call("sqs", region, "ListQueueTags", QueueUrl=queue_url).get("Tags", {})

                name = url.rstrip("/").rsplit("/", 1)[-1]
                kept = self._keep(QUEUE, region, name, (attributes["QueueArn"], url), {**attributes, "QueueUrl": url},
                                  read, resource_id=attributes["QueueArn"])
                if kept:
                    found.append(kept)
            return found

        return self._listing("queues", region, discover)

    def _ec2_all(self, region: str, operation: str, key: str) -> list[dict[str, Any]]:
        """One unscoped EC2 describe per region, shared by the scoped listing and the network checks."""
        return self.memo.get(("ec2", operation, region), lambda: list(self.aws.pages("ec2", region, operation, key)))

    def _ec2(self, kind: str, region: str, operation: str, key: str, type_: str, id_field: str,
             arn: Callable[[dict[str, Any]], str], name: Callable[[dict[str, Any], dict[str, str]], str],
             managed_by_aws: Callable[[dict[str, Any], dict[str, str]], bool]) -> list[Resource]:
        """EC2 describes carry their tags; an EC2 resource's name is its Name tag (or its own name)."""
        def discover() -> list[Resource]:
            found = []
            for item in self._ec2_all(region, operation, key):
                tags = tag_dict(item.get("Tags"))
                kept = self._keep(type_, region, name(item, tags), (item[id_field], arn(item)), item,
                                  lambda t=tags: t, resource_id=arn(item), managed_by_aws=managed_by_aws(item, tags))
                if kept:
                    found.append(kept)
            return found

        return self._listing(kind, region, discover)

    def _ec2_arn(self, region: str, kind: str, resource_id: str, owner: str) -> str:
        return f"arn:aws:ec2:{region}:{owner}:{kind}/{resource_id}"

    def vpcs(self, region: str) -> list[Resource]:
        return self._ec2(
            "vpcs", region, "DescribeVpcs", "Vpcs", VPC, "VpcId",
            lambda v: self._ec2_arn(region, "vpc", v["VpcId"], v.get("OwnerId", "")),
            lambda v, tags: tags.get("Name", v["VpcId"]),
            lambda v, tags: bool(v.get("IsDefault")),
        )

    def subnets(self, region: str) -> list[Resource]:
        return self._ec2(
            "subnets", region, "DescribeSubnets", "Subnets", SUBNET, "SubnetId",
            lambda s: s.get("SubnetArn") or self._ec2_arn(region, "subnet", s["SubnetId"], s.get("OwnerId", "")),
            lambda s, tags: tags.get("Name", s["SubnetId"]),
            lambda s, tags: bool(s.get("DefaultForAz")),
        )

    def security_groups(self, region: str) -> list[Resource]:
        return self._ec2(
            "security_groups", region, "DescribeSecurityGroups", "SecurityGroups", SECURITY_GROUP, "GroupId",
            lambda g: g.get("SecurityGroupArn")
            or self._ec2_arn(region, "security-group", g["GroupId"], g.get("OwnerId", "")),
            lambda g, tags: tags.get("Name", g["GroupName"]) if g["GroupName"] == "default" else g["GroupName"],
            lambda g, tags: g["GroupName"] == "default" and not tags,
        )

    def vpc_endpoints(self, region: str) -> list[Resource]:
        return self._ec2(
            "vpc_endpoints", region, "DescribeVpcEndpoints", "VpcEndpoints", VPC_ENDPOINT, "VpcEndpointId",
            lambda e: self._ec2_arn(region, "vpc-endpoint", e["VpcEndpointId"], e.get("OwnerId", "")),
            lambda e, tags: tags.get("Name", e["VpcEndpointId"]),
            lambda e, tags: False,
        )

    def route_tables(self, region: str) -> list[dict[str, Any]]:
        """Every route table of the region (unscoped: a subnet's table decides whether it is private)."""
        return self._ec2_all(region, "DescribeRouteTables", "RouteTables")

    def all_subnets(self, region: str) -> dict[str, dict[str, Any]]:
        """Every subnet of the region by id (a data store's subnet group may name any)."""
        return {s["SubnetId"]: s for s in self._ec2_all(region, "DescribeSubnets", "Subnets")}

    def all_security_groups(self, region: str) -> dict[str, dict[str, Any]]:
        return {g["GroupId"]: g for g in self._ec2_all(region, "DescribeSecurityGroups", "SecurityGroups")}

    def all_vpc_endpoints(self, region: str) -> list[dict[str, Any]]:
        return self._ec2_all(region, "DescribeVpcEndpoints", "VpcEndpoints")

    def nat_gateways(self, region: str) -> list[dict[str, Any]]:
        return self._ec2_all(region, "DescribeNatGateways", "NatGateways")

    def security_group_ref(self, region: str, group: dict[str, Any]) -> ResourceRef:
        tags = tag_dict(group.get("Tags"))
        name = tags.get("Name", group["GroupName"]) if group["GroupName"] == "default" else group["GroupName"]
        arn = group.get("SecurityGroupArn") or self._ec2_arn(region, "security-group", group["GroupId"],
                                                              group.get("OwnerId", ""))
        return ResourceRef(id=arn, type=SECURITY_GROUP, name=name, region=region)

    def regional_listings(self, region: str) -> list[tuple[str, Callable[[], list[Resource]]]]:
        """(type, listing) for every regional type: what GOV-01/02/03 hold to the conventions."""
        return [
            (STREAM, lambda: self.streams(region)), (KEY, lambda: self.keys(region)),
            (CLUSTER, lambda: self.clusters(region)), (CLUSTER_INSTANCE, lambda: self.cluster_instances(region)),
            (REPLICATION_GROUP, lambda: self.replication_groups(region)), (SECRET, lambda: self.secrets(region)),
            (BUCKET, lambda: self.buckets(region)), (TABLE, lambda: self.tables(region)),
            (LOG_GROUP, lambda: self.log_groups(region)), (TRAIL, lambda: self.trails(region)),
            (FUNCTION, lambda: self.functions(region)), (QUEUE, lambda: self.queues(region)),
            (VPC, lambda: self.vpcs(region)), (SUBNET, lambda: self.subnets(region)),
            (SECURITY_GROUP, lambda: self.security_groups(region)), (VPC_ENDPOINT, lambda: self.vpc_endpoints(region)),
            (IOT_POLICY, lambda: self.iot_policies(region)), (THING, lambda: self.things(region)),
        ]

    def roles(self) -> list[Resource]:
        """IAM is global: roles are listed once (region ""); service-linked roles are AWS's own."""
        def discover() -> list[Resource]:
            found = []
            for role in self.aws.pages("iam", "", "ListRoles", "Roles"):
                if role.get("Path", "").startswith("/aws-service-role/"):
                    continue

                def read(name: str = role["RoleName"]) -> dict[str, str]:
                    return tag_dict(list(self.aws.pages("iam", "", "ListRoleTags", "Tags", RoleName=name)))

                kept = self._keep(ROLE, "", role["RoleName"], (role["Arn"],), role, read, resource_id=role["Arn"])
                if kept:
                    found.append(kept)
            return found

        return self._listing("roles", "", discover)

    def iot_policies(self, region: str) -> list[Resource]:
        def discover() -> list[Resource]:
            found = []
            for policy in self.aws.pages("iot", region, "ListPolicies", "policies"):
                def read(arn: str = policy["policyArn"]) -> dict[str, str]:
                    return tag_dict(list(self.aws.pages("iot", region, "ListTagsForResource", "tags",
                                                        resourceArn=arn)))

                kept = self._keep(IOT_POLICY, region, policy["policyName"], (policy["policyArn"],), policy, read,
                                  resource_id=policy["policyArn"])
                if kept:
                    found.append(kept)
            return found

        return self._listing("iot_policies", region, discover)

    def things(self, region: str) -> list[Resource]:
        """IoT things carry attributes, not tags: they are scoped by name (or the outputs)."""
        def discover() -> list[Resource]:
            found = []
            for thing in self.aws.pages("iot", region, "ListThings", "things"):
                kept = self._keep(THING, region, thing["thingName"], (thing["thingArn"],), thing, None,
                                  resource_id=thing["thingArn"])
                if kept:
                    found.append(kept)
            return found

        return self._listing("things", region, discover)


def _with_data(resource: Resource, data: dict[str, Any]) -> Resource:
    return Resource(resource.ref, data, resource.tags, resource.taggable, resource.tags_gap, resource.managed_by_aws)


def _without_environment(function: dict[str, Any]) -> dict[str, Any]:
    """A function's description without its environment values: they may hold configuration secrets."""
    return {k: v for k, v in function.items() if k != "Environment"}
