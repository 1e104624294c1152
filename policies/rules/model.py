"""What a policy check sees: one resource, or the whole stack with its dependency edges.

Both are built from the SDK's arguments (``ResourceValidationArgs`` or
``StackValidationArgs``) with every proxy turned into plain data (unknowns as
``values.UNKNOWN``), so checks are ordinary functions that tests can call on
fixtures without a running pack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.values import MISSING, UNKNOWN, is_unknown, lookup, plain, require


@dataclass
class Resource:
    type: str
    urn: str
    name: str
    props: dict[str, Any]
    protect: bool = False
    provider: dict[str, Any] | None = None
    parent: str = ""
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: Any) -> Resource:
        """From ``ResourceValidationArgs`` (Analyze) or ``PolicyResource`` (AnalyzeStack)."""
        provider = getattr(args, "provider", None)
        deps = getattr(args, "property_dependencies", None) or {}
        parent = getattr(args, "parent", None)
        return cls(
            type=args.resource_type,
            urn=args.urn,
            name=args.name,
            props=plain(args.props),
            protect=bool(args.opts.protect) if args.opts is not None else False,
            provider=plain(provider.props) if provider is not None else None,
            parent=parent.urn if parent is not None and hasattr(parent, "urn") else "",
            property_dependencies={k: [d.urn for d in v] for k, v in deps.items()},
            dependencies=[d.urn for d in getattr(args, "dependencies", None) or []],
        )

    def lookup(self, path: str) -> Any:
        """The value, ``MISSING`` or ``UNKNOWN`` (never raises)."""
        return lookup(self.props, path)

    def require(self, path: str) -> Any:
        """The value or ``MISSING``; an unknown value skips the policy with the SDK's preview diagnostic."""
        return require(self.props, path)

    def has(self, path: str) -> bool:
        """Set, whether known or not."""
        return self.lookup(path) is not MISSING

    def region(self) -> Any:
        """The resource's region: its own ``region`` input (pulumi-aws 7) or its provider's."""
        own = self.lookup("region")
        if own is not MISSING:
            return own
        if self.provider is None:
            return MISSING
        return lookup(self.provider, "region")

    def label(self) -> str:
        return f"{self.type.split(':')[-1]} '{self.name}'"


class StackView:
    """All resources of the stack, indexed, with the edges CrossGuard passes to stack policies."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}
        self._by_type: dict[str, list[Resource]] = {}
        self._edges: dict[tuple[str, str], list[Resource]] = {}  # (source urn, input) -> resources using it
        self._literals: dict[tuple[str, tuple[str, ...]], dict[str, list[Resource]]] = {}
        for r in self.resources:
            self._by_type.setdefault(r.type, []).append(r)
            for prop, sources in r.property_dependencies.items():
                for source in dict.fromkeys(sources):
                    self._edges.setdefault((source, prop), []).append(r)

    @classmethod
    def from_args(cls, args: Any) -> StackView:
        return cls(Resource.from_args(r) for r in args.resources)

    def of_type(self, *types: str) -> list[Resource]:
        if len(types) == 1:
            return list(self._by_type.get(types[0], []))
        wanted = set(types)
        return [r for r in self.resources if r.type in wanted]

    def sources(self, resource: Resource, prop: str, *types: str) -> list[Resource]:
        """The resources an input was computed from (its property dependencies), optionally by type."""
        found = [self.by_urn[u] for u in resource.property_dependencies.get(prop, []) if u in self.by_urn]
        return [r for r in found if not types or r.type in types]

    def referrers(self, target: Resource, prop: str, *types: str) -> list[Resource]:
        """Resources whose ``prop`` input was computed from ``target`` (e.g. configurations of a bucket)."""
        return [r for r in self._edges.get((target.urn, prop), []) if not types or r.type in types]

    def linked(self, target: Resource, target_name: Any, prop: str, *types: str) -> list[Resource]:
        """Resources whose ``prop`` points at ``target``: by dependency edge, or by equal literal name.

        The edge decides during a first preview (names unknown); the literal
        match covers programs that pass a name string instead of an output.
        """
        found = self.referrers(target, prop, *types)
        if isinstance(target_name, str) and not is_unknown(target_name):
            found += [r for r in self._literal_index(prop, types).get(target_name, []) if r not in found]
        return found

    def _literal_index(self, prop: str, types: tuple[str, ...]) -> dict[str, list[Resource]]:
        """Literal string value of ``prop`` -> resources of ``types`` holding it (built once per query shape)."""
        key = (prop, types)
        if key not in self._literals:
            index: dict[str, list[Resource]] = {}
            for r in self.of_type(*types):
                value = r.lookup(prop)
                if isinstance(value, str):
                    index.setdefault(value, []).append(r)
            self._literals[key] = index
        return self._literals[key]


def physical(resource: Resource, prop: str) -> Any:
    """A resource's physical name or id input, as used by literal references (may be MISSING/UNKNOWN)."""
    value = resource.lookup(prop)
    return value if isinstance(value, str) or value in (MISSING, UNKNOWN) else MISSING


def first(mapping: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in mapping and mapping[key] is not None:
            return mapping[key]
    return MISSING
