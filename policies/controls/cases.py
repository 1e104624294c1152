"""The shape of a control's case table: resources in Pulumi-input form, and the verdict every layer must reach.

A case is a few resources, written as a Pulumi program would declare them
(type token, camelCase inputs, options), with the one resource the verdict is
about (``subject``) and the verdict every layer the catalog claims for the control
must reach on it: the pack over gRPC (preview), checkov on the converted plan
(static) and the live audit of the resources deployed into the sandbox (live).

* ``ref(key, output)`` stands for another resource's output, as ``key.arn`` in a
  program: it becomes a property dependency in the graph and the real value in the
  sandbox. Keys starting with ``@`` name shared fixtures: resources a case module
  offers in its ``FIXTURES`` list (declared once per run, only when referenced).
* Strings may hold ``{id}`` (the case's short id, unique in a run) and ``{suffix}``
  (the stack's environment suffix), so physical names stay unique and follow the
  naming convention: ``"secgroup-{id}-{suffix}"``.
* ``live_subject``: where the live layer reports the verdict when the subject is no
  live resource of its own (a security-group rule is judged on its group).
* ``not_live``: why the case cannot be deployed at all (a value AWS refuses, such
  as a log retention of 29 days): a preview/static-only case.
* ``gaps``: layer -> why that layer cannot serve the case here (an emulator
  limitation); the layer must then report ``not_applicable``, never a pass.

Standard library only; the runner lives in the harness (``compliance/cases``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERDICTS = ("pass", "fail", "not_applicable")


@dataclass(frozen=True)
class Ref:
    key: str
    output: str = "id"


def ref(key: str, output: str = "id") -> Ref:
    return Ref(key, output)


@dataclass(frozen=True)
class Resource:
    key: str
    type: str
    inputs: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)


def resource(key: str, type_token: str, options: dict[str, Any] | None = None, **inputs: Any) -> Resource:
    return Resource(key, type_token, inputs, dict(options or {}))


@dataclass(frozen=True)
class Case:
    name: str
    control: str
    expect: str
    subject: str
    resources: tuple[Resource, ...]
    why: str = ""
    live_subject: str = ""
    not_live: str = ""
    gaps: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.expect not in VERDICTS:
            raise ValueError(f"case {self.name}: expect must be one of {VERDICTS}, not {self.expect!r}")
        keys = [r.key for r in self.resources]
        if len(set(keys)) != len(keys):
            raise ValueError(f"case {self.name}: two resources share a key")
        for key in (self.subject, self.live_subject):
            if key and key not in keys:
                raise ValueError(f"case {self.name}: {key!r} is not one of its resources")
        if self.not_live and "live" in self.gaps:
            raise ValueError(f"case {self.name}: a case that is not deployed needs no live gap")


def case(name: str, control: str, expect: str, subject: str, *resources: Resource, **details: Any) -> Case:
    return Case(name, control, expect, subject, tuple(resources), **details)


def references(value: Any) -> list[Ref]:
    """Every ``Ref`` inside an input value."""
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, dict):
        return [r for item in value.values() for r in references(item)]
    if isinstance(value, (list, tuple)):
        return [r for item in value for r in references(item)]
    return []
