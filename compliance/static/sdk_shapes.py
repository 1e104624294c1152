"""The nested object types of a pulumi-aws resource, read from the installed Python SDK.

Used when refreshing ``bridge_metadata.json`` (to list the nested object types
that have no renamed properties) and by the tests, as an oracle for the
converter's map-versus-object decisions. ``compliance scan`` itself reads only
the vendored metadata.

Each input property of a generated ``<Resource>Args`` class carries its Pulumi
name (``fget._pulumi_name``) and a type annotation that names its nested
``<Type>Args`` class, if any; map-typed inputs (tags) name none.
"""

from __future__ import annotations

import importlib
import keyword
import re
import sys
from dataclasses import dataclass
from typing import Any

_ARGS_REF = re.compile(r"ForwardRef\('([A-Za-z0-9_]+)Args'\)")


# Pulumi-only overlay types that serialize to JSON strings; they have no Terraform schema.
JSON_DOCUMENT_TYPES = frozenset({"PolicyDocument", "PolicyStatement", "AWSPrincipal", "ServicePrincipal",
                                 "FederatedPrincipal"})


@dataclass(frozen=True)
class NestedType:
    token: str
    is_list: bool


def _python_module(type_token: str) -> Any:
    module = type_token.split(":")[1].split("/")[0]
    if keyword.iskeyword(module):
        module += "_"
    return importlib.import_module(f"pulumi_aws.{module}")


def _properties(args_class: type) -> dict[str, tuple[str, bool]]:
    """Pulumi property name -> (the nested type name its annotation refers to, is it a list)."""
    found: dict[str, tuple[str, bool]] = {}
    for klass in reversed(args_class.__mro__):
        for attr in vars(klass).values():
            getter = getattr(attr, "fget", None)
            pulumi_name = getattr(getter, "_pulumi_name", None)
            if pulumi_name:
                annotation = repr(getter.__annotations__.get("return"))
                match = _ARGS_REF.search(annotation)
                is_list = annotation.startswith("typing.Union[typing.Sequence[")
                found[pulumi_name] = (match.group(1) if match else "", is_list)
    return found


def _resource_args(type_token: str) -> type:
    module = _python_module(type_token)
    resource_name = type_token.rsplit(":", 1)[1]
    # The resource's own module; where a nested type of another resource already has the
    # name <Resource>Args, the generator calls the resource's <Resource>InitArgs.
    resource_module = sys.modules[getattr(module, resource_name).__module__]
    return getattr(resource_module, resource_name + "InitArgs", None) or getattr(resource_module, resource_name + "Args")


def input_names(type_token: str) -> set[str]:
    """The Pulumi names of a resource's inputs (``tags`` among them when it takes tags)."""
    return set(_properties(_resource_args(type_token)))


def nested_types(type_token: str) -> dict[str, dict[str, NestedType]]:
    """``{object type token: {Pulumi property: its nested object type}}`` reachable from a resource.

    The resource's own token is included (possibly with an empty dict).
    """
    package, rest = type_token.split(":", 1)
    module_name = rest.split("/")[0]
    module = _python_module(type_token)
    inputs = importlib.import_module(f"{module.__name__}._inputs")
    result: dict[str, dict[str, NestedType]] = {}
    pending = [(type_token, _resource_args(type_token))]
    while pending:
        token, args_class = pending.pop()
        if token in result:
            continue
        result[token] = {}
        for prop, (type_name, is_list) in _properties(args_class).items():
            if not type_name or type_name in JSON_DOCUMENT_TYPES:
                continue
            child = f"{package}:{module_name}/{type_name}:{type_name}"
            result[token][prop] = NestedType(child, is_list)
            pending.append((child, getattr(inputs, type_name + "Args")))
    return result
