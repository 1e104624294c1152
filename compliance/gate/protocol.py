"""graph.json resources -> the Analyzer messages the engine sends during ``pulumi preview``.

Per resource the engine sends its type, URN, name, input properties, options
(protect, ignoreChanges, parent, ...) and its provider (for a default provider:
the stack's config of that package, e.g. ``aws:region``). AnalyzeStack gets all
resources with their parent, dependencies and property dependencies.

``first_preview_inputs`` reproduces a stack's *first* preview, where nothing
exists yet: every input computed from another resource's output (its property
dependencies are non-empty) is the engine's unknown sentinel.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from compliance.engine import UNKNOWN
from compliance.graph import Graph


def first_preview_inputs(resource: dict[str, Any]) -> dict[str, Any]:
    inputs = dict(resource["inputs"])
    for prop, sources in resource["propertyDependencies"].items():
        if sources and prop in inputs:
            inputs[prop] = UNKNOWN
    return inputs


def to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


@cache
def _plugin_version(package: str) -> str:
    try:
        return metadata.version(f"pulumi-{package}")
    except metadata.PackageNotFoundError:
        return ""


def _config_value(value: str) -> Any:
    """Structured config (objects, lists) reaches providers parsed; scalars stay strings."""
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


class MessageBuilder:
    """Builds Analyze/AnalyzeStack messages for one graph."""

    def __init__(self, graph: Graph, *, first_preview: bool = False) -> None:
        self.graph = graph
        self.first_preview = first_preview
        self.by_urn = graph.by_urn()
        self._providers: dict[str, analyzer_pb2.AnalyzerProviderResource] = {}

    def inputs(self, resource: dict[str, Any]) -> dict[str, Any]:
        return first_preview_inputs(resource) if self.first_preview else resource["inputs"]

    def default_provider(self, package: str) -> analyzer_pb2.AnalyzerProviderResource:
        """The provider the engine creates for a package when the program names none."""
        if package not in self._providers:
            version = _plugin_version(package)
            name = f"default_{version.replace('.', '_')}" if version else "default"
            props = {key.split(":", 1)[1]: _config_value(value)
                     for key, value in self.graph.config.items() if key.startswith(f"{package}:")}
            if version:
                props["version"] = version
            self._providers[package] = analyzer_pb2.AnalyzerProviderResource(
                type=f"pulumi:providers:{package}", name=name, properties=to_struct(props),
                urn=f"urn:pulumi:{self.graph.stack}::{self.graph.project}::pulumi:providers:{package}::{name}",
            )
        return self._providers[package]

    def provider(self, resource: dict[str, Any]) -> analyzer_pb2.AnalyzerProviderResource | None:
        if not resource["custom"] or resource["type"].startswith("pulumi:providers:"):
            return None
        reference = resource["options"].get("provider") or ""
        urn = reference.rsplit("::", 1)[0] if reference.count("::") >= 4 else reference  # "<urn>::<id>"
        explicit = self.by_urn.get(urn)
        if explicit is None:
            return self.default_provider(resource["type"].split(":", 1)[0])
        return analyzer_pb2.AnalyzerProviderResource(
            type=explicit["type"], urn=explicit["urn"], name=explicit["name"],
            properties=to_struct(self.inputs(explicit)))

    @staticmethod
    def options(resource: dict[str, Any]) -> analyzer_pb2.AnalyzerResourceOptions:
        opts = resource["options"]
        return analyzer_pb2.AnalyzerResourceOptions(
            protect=bool(opts.get("protect")),
            ignoreChanges=list(opts.get("ignoreChanges") or []),
            deleteBeforeReplace=bool(opts.get("deleteBeforeReplace")),
            deleteBeforeReplaceDefined="deleteBeforeReplace" in opts,
            additionalSecretOutputs=list(opts.get("additionalSecretOutputs") or []),
            parent=resource["parent"],
        )

    def analyze_request(self, resource: dict[str, Any]) -> analyzer_pb2.AnalyzeRequest:
        request = analyzer_pb2.AnalyzeRequest(
            type=resource["type"], urn=resource["urn"], name=resource["name"],
            properties=to_struct(self.inputs(resource)), options=self.options(resource))
        provider = self.provider(resource)
        if provider is not None:
            request.provider.CopyFrom(provider)
        return request

    def analyzer_resource(self, resource: dict[str, Any]) -> analyzer_pb2.AnalyzerResource:
        message = analyzer_pb2.AnalyzerResource(
            type=resource["type"], urn=resource["urn"], name=resource["name"],
            properties=to_struct(self.inputs(resource)), options=self.options(resource),
            parent=resource["parent"], dependencies=resource["dependencies"],
            propertyDependencies={
                prop: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                for prop, urns in resource["propertyDependencies"].items()
            },
        )
        provider = self.provider(resource)
        if provider is not None:
            message.provider.CopyFrom(provider)
        return message

    def analyze_stack_request(self) -> analyzer_pb2.AnalyzeStackRequest:
        return analyzer_pb2.AnalyzeStackRequest(
            resources=[self.analyzer_resource(r) for r in self.graph.resources])
