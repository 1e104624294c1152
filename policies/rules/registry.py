"""Rules -> CrossGuard policies, with name, levels, severity, framework and config from the catalog.

A *rule* is a plain check function plus what the catalog does not say: the
control it implements, a slug, a one-sentence description, its *scope* (the
resource types it judges) and the catalog parameters it reads. ``build_policy``
turns it into a ``ResourceValidationPolicy`` or ``StackValidationPolicy``:

* name ``<control id lowercased>-<slug>`` (e.g. ``enc-01-kinesis-customer-managed-key``);
* enforcement level and severity from the catalog (a ``--policy-pack-config``
  file overrides the level, as for any CrossGuard pack);
* ``remediation_steps`` and ``framework`` from the catalog entry;
* a config schema whose defaults are the catalog's ``parameters``;
* tags ``control:<ID>`` and one ``scope:<type token>`` per judged type
  (``scope:*`` every resource, ``scope:custom`` every custom resource,
  ``scope:stack`` the stack as a whole, ``scope:retired`` nothing: a retired
  policy kept so that config files naming it keep working). The offline gate reads the scope tags
  to record a *pass* for every in-scope resource a policy did not flag; the
  same tuple decides, in the wrapper below, which resources the check sees,
  so the tags cannot drift from the code.

A resource check is ``check(resource, config) -> Iterable[str]`` (violation
messages); it may raise ``NotApplicable``. A stack check is
``check(stack, config) -> Iterable[Violation]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from controls.catalog import FRAMEWORKS, CatalogError, Control
from controls.verdict import NOT_APPLICABLE, Verdict
from rules.model import Resource, StackView

ALL_RESOURCES = "*"
CUSTOM_RESOURCES = "custom"
STACK = "stack"
RETIRED = "retired"  # a policy kept only so that config files naming it keep working: it judges nothing
PROVIDER_PREFIX = "pulumi:providers:"


class NotApplicable(Exception):
    """The resource is of a judged type but the control does not apply to it (reason says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Violation:
    """A stack-policy violation: about ``urn`` (a resource) or, if empty, the stack itself."""

    message: str
    urn: str = ""


@dataclass(frozen=True)
class Undecided:
    """A check could not decide because ``path`` is unknown until apply.

    Checks yield it instead of raising so that every definite violation is
    reported first; the wrapper then raises the SDK's ``UnknownValueError``,
    which the SDK reports as its advisory "can't run policy during preview".
    """

    path: str


def resource_results(verdict: Verdict) -> Iterator[str | Undecided]:
    """A decision's verdict as a resource policy reports it: its violations, then its undecided facts."""
    if verdict.status == NOT_APPLICABLE:
        raise NotApplicable(verdict.reason)
    yield from (problem.reason for problem in verdict.problems)
    yield from (Undecided(problem.path) for problem in verdict.undecided)


def stack_results(verdict: Verdict, urn: str, part_urns: Mapping[str, str] | None = None
                  ) -> Iterator[Violation | Undecided]:
    """A verdict about the resource ``urn`` as a stack policy reports it.

    A problem about parts of the facts that other resources declared (a rule of a
    security group) is also reported on those resources (``part_urns``: part -> URN).
    """
    for problem in verdict.problems:
        urns = dict.fromkeys([urn, *((part_urns or {}).get(part, urn) for part in problem.parts)])
        yield from (Violation(problem.reason, target) for target in urns)
    yield from (Undecided(problem.path) for problem in verdict.undecided)


@dataclass(frozen=True)
class Rule:
    control: str
    slug: str
    description: str
    scope: tuple[str, ...]
    check: Callable[..., Iterable[Any]]
    kind: str  # "resource" | "stack"
    parameters: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.control.lower()}-{self.slug}"

    def in_scope(self, resource_type: str, custom: bool = True) -> bool:
        if ALL_RESOURCES in self.scope:
            return True
        if CUSTOM_RESOURCES in self.scope and custom and not resource_type.startswith(PROVIDER_PREFIX):
            return True
        return resource_type in self.scope


@dataclass
class Registry:
    """The rules of one module, in declaration order."""

    rules: list[Rule] = field(default_factory=list)

    def resource(self, control: str, slug: str, description: str, types: Iterable[str],
                 parameters: Iterable[str] = ()) -> Callable:
        def register(check: Callable) -> Callable:
            self.rules.append(Rule(control, slug, description, tuple(types), check, "resource", tuple(parameters)))
            return check
        return register

    def stack(self, control: str, slug: str, description: str, types: Iterable[str],
              parameters: Iterable[str] = ()) -> Callable:
        def register(check: Callable) -> Callable:
            self.rules.append(Rule(control, slug, description, tuple(types), check, "stack", tuple(parameters)))
            return check
        return register


_ENFORCEMENT = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY}


def rule_config(rule: Rule, control: Control, configured: Any) -> dict[str, Any]:
    """The catalog's defaults for the rule's parameters, overlaid with the pack config."""
    values = {name: control.parameters[name] for name in rule.parameters}
    for key, value in dict(configured or {}).items():
        if key in values:
            # Config travels as protobuf Struct numbers (doubles): give integer thresholds back their type.
            integral = isinstance(values[key], int) and isinstance(value, float) and value.is_integer()
            values[key] = int(value) if integral else value
    return values


def config_schema(rule: Rule, control: Control) -> PolicyConfigSchema | None:
    if not rule.parameters:
        return None
    properties = {name: _schema_for(control.parameters[name]) for name in rule.parameters}
    return PolicyConfigSchema(properties=properties)


def _schema_for(default: Any) -> dict[str, Any]:
    if isinstance(default, bool):
        return {"type": "boolean", "default": default}
    if isinstance(default, int):
        return {"type": "integer", "minimum": 0, "default": default}
    if isinstance(default, list):
        return {"type": "array", "items": {"type": "string"}, "default": default}
    return {"type": "string", "default": default}


def framework(control: Control) -> PolicyComplianceFramework | None:
    """The first framework the catalog maps (NIST first); all of them are also tags."""
    for key, (name, version) in FRAMEWORKS.items():
        refs = control.frameworks.get(key)
        if refs:
            return PolicyComplianceFramework(name=name, version=version or None, reference=", ".join(refs))
    return None


def tags(rule: Rule, control: Control) -> list[str]:
    out = [f"control:{control.id}", *(f"scope:{s}" for s in rule.scope)]
    for key, refs in sorted(control.frameworks.items()):
        out.extend(f"{key}:{ref}" for ref in refs)
    return out


def build_policy(rule: Rule, controls: dict[str, Control]) -> Policy:
    control = controls.get(rule.control)
    if control is None:
        raise CatalogError(f"policy {rule.name}: control {rule.control} is not in controls.yaml")
    missing = [p for p in rule.parameters if p not in control.parameters]
    if missing:
        raise CatalogError(f"policy {rule.name}: controls.yaml {control.id} has no parameter {missing[0]}")
    common: dict[str, Any] = {
        "name": rule.name,
        "description": rule.description,
        "enforcement_level": _ENFORCEMENT[control.enforcement],
        "config_schema": config_schema(rule, control),
        "display_name": f"{control.id}: {control.title}",
        "severity": Severity(control.severity),
        "framework": framework(control),
        "tags": tags(rule, control),
        "remediation_steps": control.remediation,
    }
    if rule.kind == "resource":
        return ResourceValidationPolicy(validate=_resource_validation(rule, control), **common)
    return StackValidationPolicy(validate=_stack_validation(rule, control), **common)


def _resource_validation(rule: Rule, control: Control) -> Callable:
    def validate(args: Any, report_violation: Callable) -> None:
        if not rule.in_scope(args.resource_type, custom=_is_custom(args)):
            return
        resource = Resource.from_args(args)
        config = rule_config(rule, control, args.get_config())
        undecided: list[Undecided] = []
        try:
            _report(rule.check(resource, config), report_violation, undecided)
        except NotApplicable as exc:
            args.not_applicable(exc.reason)
        _raise_if_undecided(undecided)

    validate.__name__ = rule.name.replace("-", "_")
    return validate


def _stack_validation(rule: Rule, control: Control) -> Callable:
    def validate(args: Any, report_violation: Callable) -> None:
        stack = StackView.from_args(args)
        config = rule_config(rule, control, args.get_config())
        undecided: list[Undecided] = []
        _report(rule.check(stack, config), lambda v: report_violation(v.message, v.urn or None), undecided)
        _raise_if_undecided(undecided)

    validate.__name__ = rule.name.replace("-", "_")
    return validate


def _report(results: Iterable[Any], report: Callable[[Any], None], undecided: list[Undecided]) -> None:
    """Report each violation as the check yields it; keep the undecided ones for the end."""
    for result in results:
        if isinstance(result, Undecided):
            undecided.append(result)
        else:
            report(result)


def _raise_if_undecided(undecided: list[Undecided]) -> None:
    if undecided:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, undecided[0].path.split("."))


def _is_custom(args: Any) -> bool:
    """Analyze requests carry no 'custom' flag: component resources have no provider."""
    return getattr(args, "provider", None) is not None
