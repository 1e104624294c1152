"""The registry of live checks: control ID -> the check functions that decide it.

A check is a function ``(ctx: CheckContext) -> Iterable[Outcome]`` registered
with ``@live_check("ENC-01", "enc-01-kinesis-stream-key")``. It runs once per
audited region (or once for the account when ``scope="global"``, e.g. IAM),
reads the in-scope resources from its service's listing (``streams(ctx.inventory,
ctx.region)``, see ``compliance.audit.inventory``) and yields one Outcome per
resource: pass or fail with the evidence that decided it. API failures on one
resource are turned into ``error`` for that resource by ``ctx.each``; a failure
of the listing itself becomes one ``error`` for the check (in ``runner``).

A test proves that the registry's control IDs are exactly the catalog's
controls with the ``live`` layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from compliance.audit.aws import ApiError, AwsAccess
from compliance.audit.gaps import KnownGaps
from compliance.audit.inventory import Inventory, Resource, regional_listings
from compliance.audit.scope import Scope
from compliance.findings import ResourceRef


@dataclass(frozen=True)
class Outcome:
    resource: ResourceRef
    status: str  # pass | fail | error | not_applicable
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckContext:
    region: str  # "" for a global check
    regions: tuple[str, ...]  # every audited region
    inventory: Inventory
    aws: AwsAccess
    scope: Scope
    gaps: KnownGaps
    parameters: dict[str, Any]
    account: str
    control: str = ""  # the control of the check being run (recorded on the gaps it applies)

    def each(self, resources: Iterable[Resource],
             evaluate: Callable[[Resource], Outcome | Iterable[Outcome]]) -> Iterator[Outcome]:
        """Evaluate every resource alone: an API failure on one is that resource's error, not the check's."""
        for resource in resources:
            try:
                result = evaluate(resource)
                yield from ([result] if isinstance(result, Outcome) else list(result))
            except ApiError as exc:
                yield api_error_outcome(resource.ref, exc, self.gaps, self.control)

    def call(self, service: str, operation: str, *, absent: tuple[str, ...] = (), **params: Any) -> Any:
        return self.aws.call(service, self.region, operation, absent=absent, **params)


def scope_ref(resource_type: str, region: str) -> ResourceRef:
    """What a finding is about when no single resource is: every resource of a type in a region."""
    where = region or "global"
    return ResourceRef(id=f"{resource_type}@{where}", type=resource_type, name=f"all in {where}", region=region)


def is_scope_ref(ref: ResourceRef) -> bool:
    """Whether a finding is about a whole type in a region (``scope_ref``), not one resource."""
    return ref.id == scope_ref(ref.type, ref.region).id


def api_error_outcome(ref: ResourceRef, exc: ApiError, gaps: KnownGaps, control: str = "") -> Outcome:
    """``error`` naming the fix, or not_applicable when an emulator gap explains the failure (never a pass)."""
    gap = gaps.for_error(exc, ref.id, ref.name, control=control)
    if gap is not None:
        return Outcome(ref, "not_applicable", f"not observable here: {gap.reason} ({exc.api})",
                       {"api": exc.api, "knownGap": gap.reason})
    return Outcome(ref, "error", exc.message, {"api": exc.api, "errorKind": exc.kind, "errorCode": exc.code})


CheckFunction = Callable[[CheckContext], Iterable[Outcome]]
STACK = "stack"  # the resource type of checks that judge every regional resource (GOV-01..03)


@dataclass(frozen=True)
class LiveCheck:
    control: str
    name: str
    function: CheckFunction
    scope: str  # "regional" | "global"
    resource_type: str  # what it audits (for "none in scope" and listing errors)
    also: tuple[str, ...] = ()  # other resource types it judges (NET-04: the Redis groups beside the clusters)

    def judges(self, resource_type: str) -> bool:
        """Does this check judge resources of ``resource_type``? (GOV-01..03's "stack" checks judge every
        regional listing's type.)"""
        if self.resource_type == STACK:
            return any(listed.resource_type == resource_type for listed in regional_listings())
        return resource_type == self.resource_type or resource_type in self.also


REGISTRY: dict[str, list[LiveCheck]] = {}


def live_check(control: str, name: str, *, resource_type: str, scope: str = "regional",
               also: tuple[str, ...] = ()) -> Callable[[CheckFunction], CheckFunction]:
    if not name.startswith(control.lower()):
        raise ValueError(f"check {name!r} must start with its control id {control.lower()!r}")

    def register(function: CheckFunction) -> CheckFunction:
        checks = REGISTRY.setdefault(control, [])
        if any(c.name == name for checks_ in REGISTRY.values() for c in checks_):
            raise ValueError(f"check {name!r} registered twice")
        checks.append(LiveCheck(control, name, function, scope, resource_type, also))
        return function

    return register


def all_checks() -> list[LiveCheck]:
    """Every registered check, after importing the service modules (which register themselves)."""
    import compliance.audit.services  # noqa: F401  (registration side effect)

    return [check for control in sorted(REGISTRY) for check in REGISTRY[control]]
