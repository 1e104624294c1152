"""What the stack declares it holds (its outputs), and whether the audit read all of it.

With ``--outputs`` (``pulumi stack output --json``) every resource the stack
exports must be found by the audit's listings: an exported resource absent from
the account is ``fail`` "declared by the stack's outputs (key) but absent from
the account" for each live check that judges its type (the report shows it as
drift), and one in a region the audit did not read is ``error`` naming the
region. ``OUTPUTS`` is the one table of the program's output keys
(``program/__main__.py``'s exports) and the resource type each names; a test
proves every output key of the rendered dev stack is in it or in
``NOT_RESOURCES``, so the two cannot drift apart.

A region the audit read that holds no in-scope regional resource is ``error``
when the stack declares resources there (by its outputs' ARNs or ``region``),
or when every audited region is empty (only global resources, IAM roles, were
read: the wrong ``--region`` or ``--suffix``). An empty region the stack does
not use is fine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from compliance.audit.aws import ApiError
from compliance.audit.inventory import LISTINGS, Inventory, Resource
from compliance.audit.registry import LiveCheck, Outcome, scope_ref
from compliance.audit.services.cloudtrail import TRAIL
from compliance.audit.services.dynamodb import TABLE
from compliance.audit.services.ec2 import SECURITY_GROUP, SUBNET, VPC
from compliance.audit.services.elasticache import REPLICATION_GROUP
from compliance.audit.services.iot import IOT_POLICY, THING, TOPIC_RULE
from compliance.audit.services.kinesis import STREAM
from compliance.audit.services.kms import KEY
from compliance.audit.services.lambda_ import FUNCTION
from compliance.audit.services.logs import LOG_GROUP
from compliance.audit.services.rds import CLUSTER
from compliance.audit.services.s3 import BUCKET
from compliance.audit.services.secretsmanager import SECRET
from compliance.audit.services.sqs import QUEUE
from compliance.findings import ResourceRef

PROXY = "aws:rds/proxy:Proxy"
THING_TYPE = "aws:iot/thingType:ThingType"
SECRET_PLACEHOLDER = "[secret]"  # how `pulumi stack output --json` prints a secret


@dataclass(frozen=True)
class Output:
    """One output key: the type of the resource(s) it names; ``same_as`` the key naming the same resource."""

    type: str
    same_as: str = ""


# program/__main__.py's exports -> what they name. A key naming a list or a map names one resource per value.
OUTPUTS: dict[str, Output] = {
    "vpcId": Output(VPC),
    "privateSubnetIds": Output(SUBNET),
    "publicSubnetIds": Output(SUBNET),
    "securityGroupIds": Output(SECURITY_GROUP),
    "kmsKeyArns": Output(KEY),
    "evidenceSigningKeyArn": Output(KEY),
    "streamName": Output(STREAM),
    "streamArn": Output(STREAM, same_as="streamName"),
    "auroraClusterId": Output(CLUSTER),
    "auroraClusterEndpoint": Output(CLUSTER, same_as="auroraClusterId"),
    "auroraMasterSecretArn": Output(SECRET),
    "rdsProxyName": Output(PROXY),
    "rdsProxyEndpoint": Output(PROXY, same_as="rdsProxyName"),
    "migratorFunctionName": Output(FUNCTION),
    "redisReplicationGroupId": Output(REPLICATION_GROUP),
    "redisPrimaryEndpoint": Output(REPLICATION_GROUP, same_as="redisReplicationGroupId"),
    "redisAuthSecretArn": Output(SECRET),
    "redisAuthRotationFunctionName": Output(FUNCTION),
    "metricsTableName": Output(TABLE),
    "devicesTableName": Output(TABLE),
    "idempotencyTableName": Output(TABLE),
    "archiveBucketName": Output(BUCKET),
    "trailBucketName": Output(BUCKET),
    "processorFunctionName": Output(FUNCTION),
    "dlqUrl": Output(QUEUE),
    "trailArn": Output(TRAIL),
    "trailLogGroupName": Output(LOG_GROUP),
    "logGroupNames": Output(LOG_GROUP),
    "iotTopicRuleName": Output(TOPIC_RULE),
    "iotPolicyName": Output(IOT_POLICY),
    "thingNames": Output(THING),
    "thingTypeNames": Output(THING_TYPE),
    "auditorFunctionName": Output(FUNCTION),  # the compliance auditor (config complianceAuditor, on by default)
    "auditorQueueUrl": Output(QUEUE),
    "auditorDlqUrl": Output(QUEUE),
    "evidenceBucketName": Output(BUCKET),
}
# Output keys that name no resource.
NOT_RESOURCES: dict[str, str] = {
    "region": "the stack's region (where its resources without an ARN are looked for)",
    "environmentSuffix": "the stack's suffix",
}


@dataclass(frozen=True)
class Declared:
    """One resource the outputs name: its type, the keys and values naming it, and its region if known."""

    type: str
    keys: tuple[str, ...]  # "kmsKeyArns.kinesis", "streamName", ...
    values: tuple[str, ...]
    region: str | None

    @property
    def ref(self) -> ResourceRef:
        arn = next((v for v in self.values if v.startswith("arn:")), "")
        plain = next((v for v in self.values if not v.startswith("arn:")), "")
        if plain.startswith(("http://", "https://")):  # a queue URL: the queue's name is its last segment
            plain = plain.rstrip("/").rsplit("/", 1)[-1]
        name = plain or arn.split(":", 5)[-1].rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        return ResourceRef(id=arn or plain, type=self.type, name=name, region=self.region or "")

    def named(self) -> dict[str, str]:
        """Output key -> the value naming this resource."""
        return dict(zip(self.keys, self.values, strict=True))

    def found_in(self, resources: Iterable[Resource]) -> bool:
        return any(resource.known_as(value) for resource in resources for value in self.values)


@dataclass(frozen=True)
class StackOutputs:
    """A ``pulumi stack output --json`` document, read for what it declares."""

    document: dict[str, Any]

    @property
    def region(self) -> str | None:
        region = self.document.get("region")
        return region if isinstance(region, str) and region else None

    def declared(self) -> list[Declared]:
        """Every resource the outputs name; a key naming the same resource as another (``same_as``) merged into it."""
        values = {key: list(_strings(key, self.document[key])) for key in sorted(self.document) if key in OUTPUTS}
        merged = {key for key, row in OUTPUTS.items() if row.same_as and len(values.get(key, [])) == 1
                  and len(values.get(row.same_as, [])) == 1}
        found: list[Declared] = []
        for key, named in values.items():
            if key in merged:
                continue
            also = [values[other][0] for other in sorted(merged) if OUTPUTS[other].same_as == key]
            for pair in named:
                paths, strings = zip(pair, *also, strict=True)
                found = _merged(found, Declared(OUTPUTS[key].type, paths, strings, self._region_of(strings)))
        return found

    def not_verified(self) -> dict[str, str]:
        """Output key -> why the audit does not look for what it names."""
        unknown = {key: "not an output key the audit knows (compliance/audit/declared.py OUTPUTS): what it names "
                        "is not looked for" for key in self.document if key not in OUTPUTS and key not in NOT_RESOURCES}
        unlisted = {key: f"the live audit lists no {row.type}: its presence is not verified"
                    for key, row in OUTPUTS.items() if key in self.document and row.type not in LISTINGS}
        return dict(sorted({**unknown, **unlisted}.items()))

    def regions(self) -> set[str]:
        """The regions the stack declares resources in: its ``region`` and its ARNs' regions."""
        return {d.region for d in self.declared() if d.region} | ({self.region} if self.region else set())

    def _region_of(self, values: list[str]) -> str | None:
        for value in values:
            parts = value.split(":", 5)
            if value.startswith("arn:") and len(parts) == 6 and parts[3]:
                return parts[3]
        return self.region


def _merged(found: list[Declared], new: Declared) -> list[Declared]:
    """``found`` with ``new``, merged into the one of its type that shares a value (trailLogGroupName is also
    one of logGroupNames)."""
    for index, old in enumerate(found):
        if old.type == new.type and set(old.values) & set(new.values):
            extra = [(k, v) for k, v in zip(new.keys, new.values, strict=True) if k not in old.keys]
            keys, values = (old.keys, old.values) if not extra else (
                old.keys + tuple(k for k, _ in extra), old.values + tuple(v for _, v in extra))
            return [*found[:index], Declared(old.type, keys, values, old.region or new.region), *found[index + 1:]]
    return [*found, new]


def _strings(path: str, value: Any) -> Iterator[tuple[str, str]]:
    """(key path, value) of every string under an output (lists and maps name one resource per value)."""
    if isinstance(value, str):
        if value and value != SECRET_PLACEHOLDER:
            yield path, value
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _strings(f"{path}.{key}", value[key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(f"{path}[{index}]", item)


@dataclass
class Coverage:
    """What the audit makes of the outputs: outcomes per judging check, and the summary for the scope."""

    outcomes: list[tuple[LiveCheck, Outcome]]
    declared: int  # declared resources of a type the audit lists (the others are in ``not_verified``)
    absent: list[str]  # the ids of declared resources absent from the account
    not_read: dict[str, int]  # region the audit did not read -> declared resources there

    def describe(self, outputs: StackOutputs) -> dict[str, Any]:
        return {"declared": self.declared, "absent": sorted(self.absent), "regionsNotRead": self.not_read,
                "notVerified": outputs.not_verified()}


def declared_outcomes(outputs: StackOutputs, inventory: Inventory, regions: tuple[str, ...],
                      checks: list[LiveCheck]) -> Coverage:
    """For each check judging a declared type: a fail per declared resource absent from the account, and one
    error per (type, region) the audit did not read that the outputs declare some in. A type whose listing
    failed is an error of its checks already: not repeated."""
    outcomes: list[tuple[LiveCheck, Outcome]] = []
    absent: list[str] = []
    not_read: dict[tuple[str, str], list[Declared]] = {}
    every = outputs.declared()
    for declared in every:
        listing = LISTINGS.get(declared.type)
        if listing is None:
            continue  # listed in scope as not verified
        if not listing.regional:
            where: tuple[str, ...] = ("",)
        elif declared.region is None:
            where = regions
        elif declared.region in regions:
            where = (declared.region,)
        else:
            not_read.setdefault((declared.type, declared.region), []).append(declared)
            continue
        try:
            listed = [r for region in where for r in listing(inventory, region)]
        except ApiError:
            continue
        if not declared.found_in(listed):
            ref = declared.ref
            absent.append(ref.id)
            message = f"{ref.name}: declared by the stack's outputs ({', '.join(declared.keys)}) but absent from " \
                      "the account"
            evidence = {"outputs": declared.named(), "listedIn": [region or "global" for region in where]}
            outcomes += [(c, Outcome(ref, "fail", message, evidence)) for c in checks if c.judges(declared.type)]
    for (type_, region), missed in sorted(not_read.items()):
        keys = [key for d in missed for key in d.keys]
        message = (f"the stack's outputs declare {len(missed)} {type_} in {region} ({', '.join(keys)}), a region "
                   f"this audit did not read: add --region {region}")
        evidence = {"outputs": {k: v for d in missed for k, v in d.named().items()}, "regionNotRead": region}
        outcomes += [(c, Outcome(scope_ref(type_, region), "error", message, evidence))
                     for c in checks if c.judges(type_)]
    regions_not_read: dict[str, int] = {}
    for (_, region), missed in not_read.items():
        regions_not_read[region] = regions_not_read.get(region, 0) + len(missed)
    looked_for = sum(1 for d in every if d.type in LISTINGS)
    return Coverage(outcomes, looked_for, absent, dict(sorted(regions_not_read.items())))
