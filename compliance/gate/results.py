"""Analyzer responses -> per-policy outcomes -> one finding per (control, resource).

What the pack says, and what the gate records for it:

* a diagnostic (violation) -> ``fail`` for that policy and resource;
* the SDK's "can't run policy ... during preview" diagnostic (a value the
  policy needed is unknown until apply) -> ``not_applicable`` with that reason
  (never ``pass``: nothing was decided);
* ``not_applicable`` from the policy -> ``not_applicable`` with its reason;
* an RPC error -> ``error``;
* nothing at all, for a resource in the policy's scope -> ``pass``. The scope
  is the pack's own ``scope:`` tags (see policies/rules/registry.py): resource
  type tokens, ``*`` (every resource), ``custom`` (every custom resource) or
  ``stack`` (one finding about the stack as a whole);
* a policy disabled by the config file -> ``waived`` for its scope.

Policies of one control are then merged per resource, the worst status
winning: fail > error > undecided > waived > pass > not_applicable.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from compliance.catalog import Catalog
from compliance.errors import EvaluationError
from compliance.findings import Finding, ResourceRef
from compliance.graph import Graph

POLICY_NAME = re.compile(r"^([a-z]{3}-[0-9]{2})-[a-z0-9-]+$")
UNKNOWN_PREFIX = "can't run policy"
STACK_KEY = ""  # outcome key of findings about the stack as a whole
RETAIN_CHECK = "gate:options.retainOnDelete"
RETAIN_CONTROL = "DES-01"

_RANK = {"fail": 5, "error": 4, "undecided": 3, "waived": 2, "pass": 1, "not_applicable": 0}


@dataclass(frozen=True)
class PolicyMeta:
    name: str
    control: str
    kind: str  # "resource" | "stack" | "gate"
    scope: tuple[str, ...]
    description: str

    def covers(self, resource: dict[str, Any]) -> bool:
        if "*" in self.scope:
            return True
        if "custom" in self.scope and resource["custom"] and not resource["type"].startswith("pulumi:providers:"):
            return True
        return resource["type"] in self.scope


def policy_metas(info: analyzer_pb2.AnalyzerInfo, catalog: Catalog) -> dict[str, PolicyMeta]:
    """Each policy's control (from its name) and scope (from its tags); exit 3 if either is missing."""
    metas: dict[str, PolicyMeta] = {}
    for policy in info.policies:
        match = POLICY_NAME.match(policy.name)
        control = match.group(1).upper() if match else ""
        if control not in catalog:
            raise EvaluationError(f"policy {policy.name!r} of pack {info.name} maps to no control in "
                                  "policies/controls.yaml: name it <control id>-<what>, e.g. enc-01-...")
        scope = tuple(tag.split(":", 1)[1] for tag in policy.tags if tag.startswith("scope:"))
        if not scope:
            raise EvaluationError(f"policy {policy.name!r} declares no scope: tag, so its passes cannot be counted")
        kind = "stack" if policy.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource"
        metas[policy.name] = PolicyMeta(policy.name, control, kind, scope, policy.description)
    return metas


@dataclass(frozen=True)
class Diagnostic:
    """One line of the CLI's "Policies:" block."""

    policy: str
    urn: str
    enforcement: str
    message: str
    undecided: bool


@dataclass
class Outcomes:
    """Per (policy, resource key) the statuses and messages the pack returned."""

    entries: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, policy: str, key: str, status: str, message: str, enforcement: str) -> None:
        self.entries[(policy, key)].append((status, message, enforcement))

    def record_response(self, response: analyzer_pb2.AnalyzeResponse, default_key: str,
                        levels: dict[str, str]) -> None:
        """Record one Analyze (default_key = the resource) or AnalyzeStack (STACK_KEY) response."""
        for diag in response.diagnostics:
            level = "mandatory" if diag.enforcementLevel == analyzer_pb2.MANDATORY else "advisory"
            undecided = diag.message.startswith(UNKNOWN_PREFIX) and not diag.urn
            text = _violation_text(diag.message, diag.description)
            key = diag.urn or default_key
            self.diagnostics.append(Diagnostic(diag.policyName, key, level, text, undecided))
            if undecided:
                self.add(diag.policyName, key, "undecided", text, levels.get(diag.policyName, level))
            else:
                self.add(diag.policyName, key, "fail", text, level)
        for entry in response.not_applicable:
            self.add(entry.policy_name, default_key, "not_applicable", entry.reason or "not applicable",
                     levels.get(entry.policy_name, "advisory"))


def _violation_text(message: str, description: str) -> str:
    """The SDK prefixes violations with the policy description; keep what the policy said."""
    if description and message.startswith(description):
        rest = message[len(description):].lstrip("\n")
        return rest or description
    return message


def resource_ref(graph: Graph, resource: dict[str, Any] | None, key: str) -> ResourceRef:
    if resource is None:
        if key == STACK_KEY:
            return ResourceRef.stack(graph.stack)
        parts = key.split("::")
        return ResourceRef(id=key, type=parts[2] if len(parts) > 3 else "unknown", name=parts[-1])
    region = resource["inputs"].get("region") if isinstance(resource["inputs"].get("region"), str) else None
    if resource["custom"] and region is None:
        region = graph.config.get(f"{resource['type'].split(':', 1)[0]}:region", "")
    return ResourceRef(id=resource["urn"], type=resource["type"], name=resource["name"], region=region or "")


def build_findings(graph: Graph, catalog: Catalog, metas: dict[str, PolicyMeta], levels: dict[str, str],
                   outcomes: Outcomes) -> list[Finding]:
    """Every in-scope (policy, resource) gets a status; then policies merge per (control, resource)."""
    by_urn = graph.by_urn()
    statuses: dict[tuple[str, str], dict[str, tuple[str, list[str], str]]] = defaultdict(dict)
    seen: set[tuple[str, str]] = set()
    for meta in metas.values():
        level = levels.get(meta.name, "mandatory")
        keys = [STACK_KEY] if "stack" in meta.scope else [r["urn"] for r in graph.resources if meta.covers(r)]
        stack_undecided = [e for e in outcomes.entries.get((meta.name, STACK_KEY), []) if e[0] == "undecided"]
        for key in keys:
            seen.add((meta.name, key))
            recorded = outcomes.entries.get((meta.name, key)) or []
            if not recorded and meta.kind == "stack" and stack_undecided:
                recorded = stack_undecided  # a stack policy that could not run decided nothing in its scope
            if not recorded:
                recorded = [("waived", "disabled by the policy pack config", "advisory") if level == "disabled"
                            else ("pass", "", level)]
            for status, message, enforcement in recorded:
                _merge(statuses[(meta.control, key)], meta.name, status, message, enforcement)
    for (policy, key), recorded in outcomes.entries.items():
        meta = metas.get(policy)
        if meta is None or (policy, key) in seen:
            continue
        for status, message, enforcement in recorded:  # violations reported outside the declared scope
            if status != "undecided":
                _merge(statuses[(meta.control, key)], policy, status, message, enforcement)
    return [_finding(graph, catalog, control, key, by_urn.get(key), policies)
            for (control, key), policies in statuses.items()]


def _merge(policies: dict[str, tuple[str, list[str], str]], name: str, status: str, message: str,
           enforcement: str) -> None:
    current = policies.get(name)
    if current is None or _RANK[status] > _RANK[current[0]]:
        policies[name] = (status, [message] if message else [], enforcement)
    elif status == current[0] and message:
        current[1].append(message)


def _finding(graph: Graph, catalog: Catalog, control: str, key: str, resource: dict[str, Any] | None,
             policies: dict[str, tuple[str, list[str], str]]) -> Finding:
    worst = max((s for s, _, _ in policies.values()), key=lambda s: _RANK[s])
    deciding = sorted(name for name, (s, _, _) in policies.items() if s == worst)
    messages = [f"{name}: {m}" for name in deciding for m in policies[name][1]]
    if worst == "pass":
        message = f"compliant ({', '.join(deciding)})"
    elif worst == "undecided":
        message = "not decided during preview (values unknown until apply): " + "; ".join(messages)
    elif worst == "waived":
        message = f"waived: {', '.join(deciding)} disabled by the policy pack config"
    else:
        message = "; ".join(messages) or worst
    enforcements = {policies[name][2] for name in deciding}
    evidence: dict[str, Any] = {"policies": {name: s for name, (s, _, _) in sorted(policies.items())}}
    if resource is not None and resource.get("source"):
        evidence["source"] = resource["source"]
    return Finding(
        control=control,
        layer="preview",
        status="not_applicable" if worst == "undecided" else worst,
        resource=resource_ref(graph, resource, key),
        message=message,
        check=", ".join(deciding),
        enforcement="mandatory" if "mandatory" in enforcements else "advisory",
        severity=catalog[control].severity,
        evidence=evidence,
    )
