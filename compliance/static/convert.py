"""graph.json -> a Terraform-plan JSON document that checkov's ``terraform_plan`` framework reads.

pulumi-aws is bridged from the Terraform AWS provider, so every custom resource
of the graph has a Terraform twin: the type and property names come from the
bridge metadata (``bridge``), the values from the graph's inputs.

The document models the plan of a first deployment (every resource created):

- ``planned_values.root_module.resources[]``: ``address``, ``mode: managed``,
  ``type``, ``name`` and ``values``. Nested objects stay objects (checkov wraps
  them in lists as Terraform's max-one blocks), lists of blocks stay lists, map
  inputs (tags) keep their keys, integral floats become integers, secrets stay
  ``"[secret]"``, assets become their path.
- ``configuration.root_module.resources[].expressions.<attr>.references``: one
  entry per input that the graph's ``propertyDependencies`` tie to other
  resources, e.g. ``["aws_s3_bucket.raw.id", "aws_s3_bucket.raw"]``. As in a
  real first plan, such an input is unknown, so a plain-string value is left
  out of ``values`` and checkov puts the reference in its place: that is what
  lets cross-resource checks (S3 versioning and public-access-block resources,
  secret rotation, CloudTrail -> log group) find their edges. Structured values
  (policy documents, nested blocks) are known here and are kept.

Terraform names must be identifiers, unique per type: the Pulumi logical name
with other characters replaced by ``_`` (``_2``, ``_3`` … on collisions, in
registration order). ``PlanResource`` maps each address back to its URN.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from compliance.engine import SECRET_PLACEHOLDER, UNKNOWN
from compliance.errors import EvaluationError
from compliance.graph import Graph
from compliance.static.bridge import BridgeNames

# The plan-format version checkov is told it reads; no Terraform binary is involved.
TERRAFORM_VERSION = "1.9.8"
PLAN_FORMAT_VERSION = "1.2"
PROVIDER_NAME = "registry.terraform.io/hashicorp/aws"

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class PlanResource:
    """One converted resource: its Terraform address and the Pulumi resource it stands for."""

    address: str
    urn: str
    pulumi_type: str
    name: str
    source: str  # "program/components/ingestion.py:39" or ""


@dataclass(frozen=True)
class Plan:
    document: dict[str, Any]
    resources: tuple[PlanResource, ...]

    def by_address(self) -> dict[str, PlanResource]:
        return {r.address: r for r in self.resources}


def is_converted(resource: dict[str, Any]) -> bool:
    """Custom resources are converted; components and provider resources are not."""
    return resource["custom"] and not resource["type"].startswith("pulumi:providers:")


def terraform_name(logical_name: str, taken: set[str]) -> str:
    name = _NOT_IDENTIFIER.sub("_", logical_name)
    if not (name[:1].isalpha() or name[:1] == "_"):
        name = f"r_{name}"
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{name}_{counter}"
    taken.add(candidate)
    return candidate


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _plain_value(value: Any) -> Any:
    """A map or scalar: keys verbatim, numbers normalised, assets as their path."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dict):
        if set(value) in ({"archive"}, {"asset"}):
            return next(iter(value.values()))
        return {key: _plain_value(item) for key, item in value.items() if item != UNKNOWN}
    if isinstance(value, list):
        return [_plain_value(item) for item in value]
    return value


def _object(names: BridgeNames, type_token: str, obj: dict[str, Any]) -> dict[str, Any]:
    """An object of a known type: property names renamed, nested objects converted alike."""
    converted: dict[str, Any] = {}
    for key, value in obj.items():
        if value == UNKNOWN:
            continue  # unknown during preview: Terraform leaves it out of planned values too
        converted[names.property_name(type_token, key)] = _property(names, names.nested_type(type_token, key), value)
    return converted


def _property(names: BridgeNames, nested: str | None, value: Any) -> Any:
    if nested is None:
        return _plain_value(value)
    if isinstance(value, dict):
        return _object(names, nested, value)
    if isinstance(value, list):
        return [_object(names, nested, item) if isinstance(item, dict) else _plain_value(item) for item in value]
    return _plain_value(value)


def _is_policy_document(value: Any) -> bool:
    return isinstance(value, dict) and "Statement" in value


def _is_json_document(value: str) -> bool:
    if not value.lstrip().startswith(("{", "[")):
        return False
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _is_reference_like(value: Any) -> bool:
    """A plain string (or list of them) that a reference can stand in for; secrets stay redacted."""
    if isinstance(value, str):
        return value != SECRET_PLACEHOLDER and not _is_json_document(value)
    return isinstance(value, list) and bool(value) and all(_is_reference_like(item) for item in value)


def _reference(address: str, attribute: str) -> list[str]:
    output = "arn" if "arn" in attribute.split("_") else "id"
    return [f"{address}.{output}", address]


def graph_to_plan(graph: Graph, names: BridgeNames) -> Plan:
    """Convert every custom resource of ``graph``; an unmapped type raises EvaluationError (exit 3)."""
    selected = [r for r in graph.resources if is_converted(r)]
    if not selected:
        raise EvaluationError(f"graph of stack {graph.stack} has no custom resources to scan; an empty scan proves nothing")
    taken: dict[str, set[str]] = {}
    address_of: dict[str, str] = {}
    plan_resources: list[PlanResource] = []
    for resource in selected:
        tf_type = names.terraform_type(resource["type"])
        tf_name = terraform_name(resource["name"], taken.setdefault(tf_type, set()))
        address = f"{tf_type}.{tf_name}"
        address_of[resource["urn"]] = address
        source = resource.get("source") or {}
        where = f"{source['file']}:{source['line']}" if source.get("file") else ""
        plan_resources.append(PlanResource(address, resource["urn"], resource["type"], resource["name"], where))

    planned, configured = [], []
    for resource, entry in zip(selected, plan_resources, strict=True):
        token = resource["type"]
        values = _object(names, token, resource["inputs"])
        expressions: dict[str, Any] = {}
        for key, urns in sorted(resource["propertyDependencies"].items()):
            targets = [address_of[u] for u in urns if u in address_of]
            attribute = names.property_name(token, key)
            if not targets:
                continue
            expressions[attribute] = {"references": [ref for t in targets for ref in _reference(t, attribute)]}
            if _is_reference_like(values.get(attribute)):
                del values[attribute]
        for attribute, value in values.items():
            if _is_policy_document(value):
                values[attribute] = json.dumps(value, sort_keys=True)
        tf_type, tf_name = entry.address.split(".", 1)
        common = {"address": entry.address, "mode": "managed", "type": tf_type, "name": tf_name}
        planned.append({**common, "provider_name": PROVIDER_NAME, "schema_version": 0, "values": values})
        if expressions:
            configured.append({**common, "provider_config_key": "aws", "expressions": expressions})

    document = {
        "format_version": PLAN_FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "configuration": {"root_module": {"resources": configured}},
    }
    return Plan(document, tuple(plan_resources))
