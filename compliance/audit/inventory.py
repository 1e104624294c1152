"""Discovery, the generic part: listings by resource type, memoized per region, and the reads they share.

Each service module (``compliance.audit.services``) registers one listing per
audited resource type with ``@listing(TYPE)``: a generator ``(inventory,
region)`` that pages through the service's list API, reads every resource's
tags (the ``Environment`` tag decides membership, GOV-03 needs them anyway) and
yields ``inventory.keep(...)``: the resource with the description the checks
read if the scope admits it (see ``compliance.audit.scope``), else None. The
registered listing is called as ``streams(inventory, region)``; it is memoized
per (type, region) and counts what it returns as audited: ENC-01, KMS-02,
GOV-01 and GOV-03 all read the same stream listing, made once.

Resource types are named by their Pulumi type tokens so that the report can
join a live finding with the preview and static findings of the same resource.
Resources AWS creates by itself (default VPCs and subnets, a VPC's untouched
default security group, service-linked roles, AWS-managed keys) are marked
``managed_by_aws``: network checks still read them, naming and tagging checks
do not hold them to the program's conventions. Resources on their way out are
not audited: keys pending deletion (a destroyed stack's keys wait out their
deletion window), and clusters, replication groups and tables being deleted.

Tags of the services the Resource Groups Tagging API serves (``TAGGING_API_SERVICES``)
come from one paginated ``GetResources`` per region, read when the region's
first such resource is listed (a region holding none makes no call), instead
of one tag read per resource. ``GetResources`` returns every resource that is
or was tagged: one it leaves out has no tags. Kinesis streams, CloudTrail
trails and IoT resources keep their own tag reads (moto's tagging API does not
serve them).

The KMS key reads live here rather than in ``services/kms.py``: every
encryption check of every service resolves its key reference through them, and
KMS-02 in ``services/kms.py`` imports every service's listing, so a service
importing ``services/kms.py`` would import in a circle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from compliance.audit.aws import ApiError, AwsAccess
from compliance.audit.gaps import KnownGaps
from compliance.audit.memo import Memo
from compliance.audit.scope import Scope
from compliance.findings import ResourceRef

DELETING = ("deleting", "DELETING")
# Services whose tags the audit reads from the Resource Groups Tagging API's GetResources (ResourceTypeFilters).
TAGGING_API_SERVICES = ("dynamodb", "elasticache", "kms", "lambda", "logs", "rds", "s3", "sqs")


@dataclass(frozen=True)
class Resource:
    """One in-scope resource: its reference, tags and the description the checks read.

    ``tags`` is None when the resource type has no tags (IoT things) or when a
    known gap of the endpoint keeps them unreadable (``tags_gap`` says which).
    ``identifiers`` are the other values it is known by (an ARN, an ID, a URL,
    an endpoint): a value of the stack's outputs names it when it is one of
    these, its ``id`` or its ``name``.
    """

    ref: ResourceRef
    data: dict[str, Any]
    tags: dict[str, str] | None
    taggable: bool = True
    tags_gap: str = ""
    managed_by_aws: bool = False
    identifiers: tuple[str, ...] = ()

    def known_as(self, value: str) -> bool:
        """Is ``value`` this resource's id, name or one of its identifiers (a log group's ARN with or without :*)?"""
        value = value.removesuffix(":*")
        return value in (self.ref.id, self.ref.name) or value in self.identifiers

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
    _own: set[str] = field(default_factory=set)  # ids of audited resources AWS did not create by itself
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- bookkeeping ---------------------------------------------------------

    def audited(self) -> dict[str, ResourceRef]:
        """Every in-scope resource any listing has returned so far, by id."""
        with self._lock:
            return dict(self._audited)

    def own_regional(self) -> dict[str, int]:
        """Region -> how many in-scope regional resources (not AWS's defaults) the listings returned there."""
        with self._lock:
            regions = [self._audited[i].region for i in self._own if self._audited[i].region]
        return {region: regions.count(region) for region in sorted(set(regions))}

    def listed(self, resource_type: str, region: str, discover: Callable[[], list[Resource]]) -> list[Resource]:
        """``discover()`` once per (type, region), its resources counted as audited."""
        def run() -> list[Resource]:
            found = discover()
            with self._lock:
                for resource in found:
                    self._audited[resource.id] = resource.ref
                    if not resource.managed_by_aws:
                        self._own.add(resource.id)
            return found

        return self.memo.get((resource_type, region), run)

    # -- scope ---------------------------------------------------------------

    def tags(self, read: Callable[[], dict[str, str]], *identity: str | None) -> tuple[dict[str, str] | None, str]:
        """Read tags; under a known gap of the endpoint, return (None, reason) instead of failing."""
        try:
            return read(), ""
        except ApiError as exc:
            gap = self.gaps.for_error(exc, *[i for i in identity if i])
            if gap is None:
                raise
            return None, gap.reason

    def keep(self, type_: str, region: str, name: str, ids: tuple[str | None, ...], data: dict[str, Any],
             read_tags: Callable[[], dict[str, str]] | None, *, resource_id: str,
             managed_by_aws: bool = False) -> Resource | None:
        """The resource if the scope admits it (tags read first: ``Environment`` decides)."""
        tags, gap = self.tags(read_tags, resource_id, name, *ids) if read_tags is not None else (None, "")
        if not self.scope.decide(name, ids, tags):
            return None
        ref = ResourceRef(id=resource_id, type=type_, name=name, region=region)
        known = tuple(dict.fromkeys(i.removesuffix(":*") for i in ids if i))
        return Resource(ref, data, tags, taggable=read_tags is not None, tags_gap=gap, managed_by_aws=managed_by_aws,
                        identifiers=known)

    def tags_of(self, region: str, arn: str) -> dict[str, str]:
        """The tags of a resource of ``TAGGING_API_SERVICES`` from the region's GetResources answer (read once)."""
        def read() -> dict[str, dict[str, str]]:
            mappings = self.aws.pages("resourcegroupstaggingapi", region, "GetResources", "ResourceTagMappingList",
                                      ResourceTypeFilters=list(TAGGING_API_SERVICES), ResourcesPerPage=100)
            return {mapping["ResourceARN"]: tag_dict(mapping.get("Tags")) for mapping in mappings}

        return dict(self.memo.get(("GetResources", region), read).get(arn, {}))

    # -- KMS key reads every encryption check shares ---------------------------

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


Discover = Callable[[Inventory, str], Iterable[Resource | None]]


@dataclass(frozen=True)
class Listing:
    """A registered listing: ``listing(inventory, region)`` gives the in-scope resources, memoized.

    A global type (IAM roles) is listed once, with region "", whatever region it is asked for.
    """

    resource_type: str
    discover: Discover
    regional: bool = True

    def __call__(self, inventory: Inventory, region: str) -> list[Resource]:
        region = region if self.regional else ""
        return inventory.listed(self.resource_type, region, lambda: [
            resource for resource in self.discover(inventory, region) if resource is not None])


LISTINGS: dict[str, Listing] = {}


def listing(resource_type: str, *, regional: bool = True) -> Callable[[Discover], Listing]:
    """Register the listing of ``resource_type`` (one per type)."""
    def register(discover: Discover) -> Listing:
        if resource_type in LISTINGS:
            raise ValueError(f"a listing of {resource_type!r} is registered twice")
        LISTINGS[resource_type] = Listing(resource_type, discover, regional)
        return LISTINGS[resource_type]

    return register


def regional_listings() -> list[Listing]:
    """Every regional listing, in registration order: what GOV-01/02/03 hold to the conventions."""
    return [registered for registered in LISTINGS.values() if registered.regional]
