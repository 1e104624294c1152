"""What a policy check sees: one resource, or the whole stack with its dependency edges.

Both are built from the SDK's arguments (``ResourceValidationArgs`` or
``StackValidationArgs``) with every proxy turned into plain data (unknowns as
``values.UNKNOWN``), so checks are ordinary functions that tests can call on
fixtures without a running pack.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rules.values import MISSING, UNKNOWN, is_unknown, lookup, plain


class Resource:
    """One resource; its inputs and provider are converted from the SDK's proxies on first use.

    A stack policy sees every resource of the stack but reads the inputs of a
    few types: converting lazily keeps large stacks fast.
    """

    def __init__(self, type: str, urn: str, name: str, props: dict[str, Any] | None = None, *,  # noqa: A002
                 protect: bool = False, provider: dict[str, Any] | None = None,
                 property_dependencies: dict[str, list[str]] | None = None,
                 raw_props: Any = None, raw_provider: Any = None) -> None:
        self.type, self.urn, self.name, self.protect = type, urn, name, protect
        self.property_dependencies = property_dependencies or {}
        self._props, self._raw_props = props, raw_props
        self._provider, self._raw_provider = provider, raw_provider

    @classmethod
    def from_args(cls, args: Any) -> Resource:
        """From ``ResourceValidationArgs`` (Analyze) or ``PolicyResource`` (AnalyzeStack)."""
        provider = getattr(args, "provider", None)
        deps = getattr(args, "property_dependencies", None) or {}
        return cls(
            type=args.resource_type, urn=args.urn, name=args.name,
            protect=bool(args.opts.protect) if args.opts is not None else False,
            property_dependencies={k: [d.urn for d in v] for k, v in deps.items()},
            raw_props=args.props, raw_provider=provider.props if provider is not None else None,
        )

    @property
    def props(self) -> dict[str, Any]:
        if self._props is None:
            self._props = plain(self._raw_props) if self._raw_props is not None else {}
        return self._props

    @property
    def provider(self) -> dict[str, Any] | None:
        """The provider's inputs (a default provider's: the stack's config of its package), if any."""
        if self._provider is None and self._raw_provider is not None:
            self._provider = plain(self._raw_provider)
        return self._provider

    def lookup(self, path: str) -> Any:
        """The value, ``MISSING`` or ``UNKNOWN`` (never raises)."""
        return lookup(self.props, path)

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
        found += [r for r in self.named(prop, target_name, *types) if r not in found]
        return found

    def named(self, prop: str, value: Any, *types: str) -> list[Resource]:
        """Resources of ``types`` whose ``prop`` input is the literal string ``value``."""
        if not isinstance(value, str) or is_unknown(value):
            return []
        return list(self._literal_index(prop, types).get(value, []))

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

