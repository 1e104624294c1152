"""Cases -> one Pulumi program: each case's resources under names of its own, fixtures shared.

Resources are registered as generic ``pulumi.CustomResource`` with their type token
and camelCase inputs, exactly the form graph.json and the policy pack see. A
``Ref`` becomes the referenced resource's output (so the graph records a property
dependency and the sandbox passes the real ID or ARN). ``{id}`` and ``{suffix}`` in
strings become the case's short id and the stack's suffix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from compliance.errors import UsageError
from controls.cases import Case, Ref, Resource, references


@dataclass(frozen=True)
class Planned:
    """A case in one run: its short id (``c007``) names its resources."""

    case: Case
    short: str

    def qualified(self, key: str) -> str:
        return key if key.startswith("@") else f"{self.short}.{key}"

    def logical(self, key: str) -> str:
        return f"{self.short}-{key}"


def plan_cases(cases: list[Case]) -> list[Planned]:
    return [Planned(case, f"c{index:03d}") for index, case in enumerate(cases, start=1)]


def logical_name(qualified: str) -> str:
    return f"fixture-{qualified[1:]}" if qualified.startswith("@") else qualified.replace(".", "-", 1)


def _substitute(value: Any, short: str, suffix: str) -> Any:
    if isinstance(value, str):
        return value.replace("{id}", short).replace("{suffix}", suffix)
    if isinstance(value, dict):
        return {k: _substitute(v, short, suffix) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_substitute(v, short, suffix) for v in value]
    return value


def declarations(planned: list[Planned], fixtures: dict[str, Resource]) -> dict[str, tuple[Resource, str]]:
    """Qualified key -> (resource, short id of its case or ""), in an order where references come first."""
    found: dict[str, tuple[Resource, str, Planned | None]] = {}
    for p in planned:
        for resource in p.case.resources:
            found[p.qualified(resource.key)] = (resource, p.short, p)
    used_fixtures = {r.key for p in planned for res in p.case.resources for r in references(res.inputs)
                     if r.key.startswith("@")}
    pending = list(used_fixtures)
    while pending:
        key = pending.pop()
        if key not in fixtures:
            raise UsageError(f"a case references fixture {key}, which no case module offers in FIXTURES")
        if key not in found:
            found[key] = (fixtures[key], "fixture", None)
            pending += [r.key for r in references(fixtures[key].inputs) if r.key.startswith("@")]
    ordered: dict[str, tuple[Resource, str]] = {}

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in ordered:
            return
        if key in trail:
            raise UsageError(f"cases reference each other in a cycle: {' -> '.join((*trail, key))}")
        if key not in found:
            raise UsageError(f"a case references {key}, which is not one of its resources")
        resource, short, owner = found[key]
        for r in references(resource.inputs):
            visit(owner.qualified(r.key) if owner else r.key, (*trail, key))
        ordered[key] = (resource, short)

    for key in found:
        visit(key, ())
    return ordered


def case_program(planned: list[Planned], fixtures: dict[str, Resource], suffix: str) -> Callable[[], None]:
    """The program's main: declares every case's resources (and the fixtures they use)."""
    owners = {p.short: p for p in planned}
    ordered = declarations(planned, fixtures)
    wanted: dict[str, set[str]] = defaultdict(set)
    for resource, short in ordered.values():
        for r in references(resource.inputs):
            wanted[_owner_key(owners, short, r)].add(r.output)

    def main() -> None:
        made: dict[str, pulumi.CustomResource] = {}

        def materialize(value: Any, short: str) -> Any:
            if isinstance(value, Ref):
                target = made[_owner_key(owners, short, value)]
                return target.id if value.output == "id" else getattr(target, value.output)
            if isinstance(value, dict):
                return {k: materialize(v, short) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [materialize(v, short) for v in value]
            return value

        for key, (resource, short) in ordered.items():
            props = materialize(_substitute(resource.inputs, short, suffix), short)
            props.update({name: None for name in wanted[key] - {"id"} if name not in props})
            options = pulumi.ResourceOptions(protect=bool(resource.options.get("protect")),
                                             retain_on_delete=bool(resource.options.get("retainOnDelete")))
            made[key] = pulumi.CustomResource(resource.type, logical_name(key), props, opts=options)

    return main


def _owner_key(owners: dict[str, Planned], short: str, ref: Ref) -> str:
    return ref.key if ref.key.startswith("@") or short not in owners else owners[short].qualified(ref.key)
