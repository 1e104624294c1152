"""Re-check only what changed: the controls a change can break, on the resource(s) it named.

The checks are the audit's own (``compliance.audit.runner.run_checks``) run for
the triggered controls over the stack's resources of their type; only the
findings about a resource the change named are kept, with any error about the
whole type (a listing that failed: the named resource could not be judged
either). When none is, the change was to a resource outside the stack (or to
one the checks do not judge), and nothing is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.audit.aws import AwsAccess
from compliance.audit.inventory import Inventory
from compliance.audit.registry import is_scope_ref
from compliance.audit.runner import AuditRequest, run_checks
from compliance.catalog import Catalog
from compliance.findings import Finding, ResourceRef
from compliance_auditor.cloudtrail import Change


def names_of(resource: ResourceRef) -> set[str]:
    """What a change may call a resource: its ARN or ID, its name, and the ID at the end of its ARN
    (``sg-0abc`` of a security group's ARN, the key ID of a key's ARN)."""
    names = {resource.id, resource.name}
    if resource.id.startswith("arn:"):
        tail = resource.id.split(":", 5)[-1]
        names.update({tail, tail.rsplit("/", 1)[-1]})
    return {name for name in names if name}


@dataclass(frozen=True)
class Recheck:
    controls: tuple[str, ...]  # the controls the change can break
    findings: list[Finding]  # their findings on the resource(s) the change named (empty: outside the stack)


@dataclass
class Rechecker:
    aws: AwsAccess
    request: AuditRequest
    account: str
    catalog: Catalog

    def recheck(self, change: Change) -> Recheck:
        controls = tuple(c.id for c in self.catalog.triggered_by(change.source, change.name))
        if not controls:
            return Recheck((), [])
        inventory = Inventory(self.aws, self.request.scope, self.request.gaps, home_region=self.request.regions[0])
        findings = run_checks(self.aws, inventory, self.request, frozenset(controls), self.account, self.catalog)
        # An error about the whole type (its listing failed) is about the named resource too: it could not be
        # judged, and must not read as "outside the stack".
        return Recheck(controls, [f for f in findings if names_of(f.resource) & change.identifiers
                                  or (f.status == "error" and is_scope_ref(f.resource))])
