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
* a policy the config file disabled, a pass under a parameter it weakened, or a
  violation of a mandatory control it lowered to advisory -> ``error`` carrying the
  exception (``compliance.exceptions``): only a waiver in the report may accept it;
* a control with policies none of whose scopes matches a resource of the stack ->
  one ``not_applicable`` finding about the stack that says so (a control with no
  policy at all records nothing: the report calls that an error).

Policies of one control are then merged per resource, the worst status
winning: fail > error > exception > undecided > pass > not_applicable.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from compliance.catalog import Catalog, Control
from compliance.errors import EvaluationError
from compliance.exceptions import EVIDENCE_KEY, StageException
from compliance.findings import Finding, ResourceRef
from compliance.graph import Graph

POLICY_NAME = re.compile(r"^([a-z]{3}-[0-9]{2})-[a-z0-9-]+$")
UNKNOWN_PREFIX = "can't run policy"
STACK_KEY = ""  # outcome key of findings about the stack as a whole
RETAIN_CHECK = "gate:options.retainOnDelete"
RETAIN_CONTROL = "DES-01"

RETIRED_SCOPE = "retired"
LAYER = "preview"

# "exception": what a policy reported under a setting that is an exception (recorded as error).
_RANK = {"fail": 5, "error": 4, "exception": 3, "undecided": 2, "pass": 1, "not_applicable": 0}


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


@dataclass
class _Outcome:
    """What one policy decided about one resource, after its exceptions are applied."""

    status: str  # a key of _RANK
    messages: list[str]
    enforcement: str
    shown: str  # the pack's own verdict, as evidence ("pass", "fail", "not run: disabled", ...)
    exceptions: tuple[StageException, ...] = ()


def _apply_exceptions(status: str, message: str, enforcement: str, exceptions: list[StageException],
                      control: Control) -> _Outcome:
    """The pack's verdict under the policy's exceptions: what they silenced becomes ``exception``."""
    by_kind = {kind: [e for e in exceptions if e.kind == kind] for kind in ("disabled", "advisory", "weakened")}
    if by_kind["disabled"]:
        e = by_kind["disabled"][0]
        return _Outcome("exception", [f"not evaluated: disabled by {e.source}; a disabled policy is an "
                                      "exception that needs a waiver"], control.enforcement, "not run: disabled",
                        (e,))
    if status == "pass" and by_kind["weakened"]:
        weakened = by_kind["weakened"]
        details = "; ".join(e.detail for e in weakened)
        return _Outcome("exception", [f"passed only under a weakened setting ({details}, by {weakened[0].source}): "
                                      "not a pass of the catalog's standard; a weakening needs a waiver"],
                        enforcement, "pass under a weakened setting", tuple(weakened))
    if status == "fail" and enforcement == "advisory" and by_kind["advisory"]:
        e = by_kind["advisory"][0]
        return _Outcome("exception", [f"violation of a mandatory control lowered to advisory by {e.source}: "
                                      f"{message}"], control.enforcement, "fail (advisory)", (e,))
    return _Outcome(status, [message] if message else [], enforcement, status)


def build_findings(graph: Graph, catalog: Catalog, metas: dict[str, PolicyMeta], levels: dict[str, str],
                   outcomes: Outcomes, exceptions: dict[str, list[StageException]] | None = None) -> list[Finding]:
    """Every in-scope (policy, resource) gets a status; then policies merge per (control, resource)."""
    exceptions = exceptions or {}
    by_urn = graph.by_urn()
    statuses: dict[tuple[str, str], dict[str, _Outcome]] = defaultdict(dict)
    seen: set[tuple[str, str]] = set()
    for meta in metas.values():
        level = levels.get(meta.name, "mandatory")
        mine = exceptions.get(meta.name, [])
        control = catalog[meta.control]
        keys = [STACK_KEY] if "stack" in meta.scope else [r["urn"] for r in graph.resources if meta.covers(r)]
        stack_undecided = [e for e in outcomes.entries.get((meta.name, STACK_KEY), []) if e[0] == "undecided"]
        for key in keys:
            seen.add((meta.name, key))
            recorded = outcomes.entries.get((meta.name, key)) or []
            if not recorded and meta.kind == "stack" and stack_undecided:
                recorded = stack_undecided  # a stack policy that could not run decided nothing in its scope
            for status, message, enforcement in recorded or [("pass", "", level)]:
                _merge(statuses[(meta.control, key)], meta.name,
                       _apply_exceptions(status, message, enforcement, mine, control))
    for (policy, key), recorded in outcomes.entries.items():
        meta = metas.get(policy)
        if meta is None or (policy, key) in seen:
            continue
        for status, message, enforcement in recorded:  # violations reported outside the declared scope
            if status != "undecided":
                _merge(statuses[(meta.control, key)], policy,
                       _apply_exceptions(status, message, enforcement, exceptions.get(policy, []),
                                         catalog[meta.control]))
    findings = [_finding(graph, catalog, control, key, by_urn.get(key), policies)
                for (control, key), policies in statuses.items()]
    return findings + _not_applicable(graph, catalog, metas, {control for control, _ in statuses})


def _merge(policies: dict[str, _Outcome], name: str, outcome: _Outcome) -> None:
    current = policies.get(name)
    if current is None or _RANK[outcome.status] > _RANK[current.status]:
        policies[name] = outcome
    elif outcome.status == current.status:
        current.messages.extend(outcome.messages)


def _finding(graph: Graph, catalog: Catalog, control: str, key: str, resource: dict[str, Any] | None,
             policies: dict[str, _Outcome]) -> Finding:
    worst = max((o.status for o in policies.values()), key=lambda s: _RANK[s])
    deciding = sorted(name for name, o in policies.items() if o.status == worst)
    messages = [f"{name}: {m}" for name in deciding for m in policies[name].messages]
    if worst == "pass":
        message = f"compliant ({', '.join(deciding)})"
    elif worst == "undecided":
        message = "not decided during preview (values unknown until apply): " + "; ".join(messages)
    else:
        message = "; ".join(messages) or worst
    enforcements = {policies[name].enforcement for name in deciding}
    evidence: dict[str, Any] = {"policies": {name: o.shown for name, o in sorted(policies.items())}}
    if worst == "exception":
        evidence[EVIDENCE_KEY] = [e.to_dict() for name in deciding for e in policies[name].exceptions]
    if resource is not None and resource.get("source"):
        evidence["source"] = resource["source"]
    return Finding(
        control=control,
        layer=LAYER,
        status={"undecided": "not_applicable", "exception": "error"}.get(worst, worst),
        resource=resource_ref(graph, resource, key),
        message=message,
        check=", ".join(deciding),
        enforcement="mandatory" if "mandatory" in enforcements else "advisory",
        severity=catalog[control].severity,
        evidence=evidence,
    )


def _not_applicable(graph: Graph, catalog: Catalog, metas: dict[str, PolicyMeta], decided: set[str]) -> list[Finding]:
    """A control whose policies found no resource of their types in the stack does not apply: say so, once."""
    policies: dict[str, list[PolicyMeta]] = defaultdict(list)
    for meta in metas.values():
        if RETIRED_SCOPE not in meta.scope:
            policies[meta.control].append(meta)
    findings = []
    for control in catalog.with_layer(LAYER):
        if control.id in decided or not policies.get(control.id):
            continue
        scopes = "; ".join(f"{m.name}: {', '.join(m.scope)}" for m in sorted(policies[control.id], key=lambda m: m.name))
        findings.append(Finding(
            control=control.id, layer=LAYER, status="not_applicable", resource=ResourceRef.stack(graph.stack),
            message=f"the stack has no resource of the types this control's policies govern ({scopes})",
            check=", ".join(sorted(m.name for m in policies[control.id])), enforcement=control.enforcement,
            severity=control.severity, evidence={"policies": {m.name: "no resource in scope"
                                                              for m in policies[control.id]}},
        ))
    return findings
