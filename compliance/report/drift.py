"""Drift: the program declares one thing, the live account shows another.

Preview and static findings name a resource by its URN; live findings name it
by ARN, ID or physical name. ``ResourceIndex`` maps every identity a live
resource may carry back to the URNs of the graph: the physical names in the
inputs (``name``, ``bucket``, ``functionName``, …), the ``Name`` tag, the KMS
aliases that target a key, and, when the deployment's outputs are given, the
deployed value of each stack output that the graph exports from a resource.

A drift is one control on one resource where a declaring layer (preview or
static) and the live layer disagree on pass versus fail, before waivers. Each
side is that layer's verdict on the control and the resource, all of its checks
combined (any fail is a fail), never one check against another: a passing sibling
check is not drift. Declarations the live layer sees on their parent (a
security-group rule on its group, a bucket's policy or encryption configuration on
its bucket) count on that parent.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from compliance.graph import Graph
from compliance.report.accounts import account_properties

PHYSICAL_NAME_INPUTS = (
    "name", "bucket", "functionName", "clusterIdentifier", "replicationGroupId", "thingName", "thingTypeName",
    "policyName", "roleName", "streamName", "tableName", "identifier", "trailName", "secretId", "keyId",
)
DECLARING_LAYERS = ("preview", "static")


def identities_of(value: str) -> set[str]:
    """Every form of a name or ARN under which a resource may be recognised.

    ``arn:aws:kms:sa-east-1:1:key/abcd`` -> itself, ``key/abcd`` and ``abcd``;
    ``arn:aws:logs:r:1:log-group:/aws/lambda/f:*`` -> ``/aws/lambda/f`` among
    others; ``alias/kinesis-telemetry-dev`` -> ``kinesis-telemetry-dev``.
    """
    if not value:
        return set()
    found = {value}
    resource = value
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) == 6:
            resource = parts[5]
            found.add(resource)
    resource = resource.removesuffix(":*")
    for separator in ("/", ":"):
        if separator in resource:
            kind, _, rest = resource.partition(separator)
            if kind and rest:
                found.add(rest)
            found.add(resource.rsplit(separator, 1)[-1])
    if value.startswith("alias/"):
        found.add(value.removeprefix("alias/"))
    found.discard("")
    found.discard("*")
    return found


class ResourceIndex:
    """Identity -> URNs of the graph resources that carry it, in two tiers.

    ``exact`` holds the values as declared (or deployed); ``derived`` the forms
    ``identities_of`` derives from them. A lookup tries the strongest tier
    first, so that ``thing-1`` of one facility never matches another facility's.
    """

    def __init__(self, graph: Graph, deployed_outputs: dict[str, Any] | None = None) -> None:
        self.graph = graph
        self._exact: dict[str, set[str]] = defaultdict(set)
        self._derived: dict[str, set[str]] = defaultdict(set)
        for resource in graph.custom_resources():
            for value in self._declared_names(resource):
                self._add(value, resource["urn"])
        self._index_aliases()
        if deployed_outputs:
            self._index_outputs(deployed_outputs)

    def _add(self, value: str, urn: str) -> None:
        self._exact[value].add(urn)
        for identity in identities_of(value):
            self._derived[identity].add(urn)

    @staticmethod
    def _declared_names(resource: dict[str, Any]) -> list[str]:
        inputs = resource["inputs"]
        names = [inputs[key] for key in PHYSICAL_NAME_INPUTS
                 if isinstance(inputs.get(key), str) and inputs[key] and inputs[key] != "[secret]"]
        tags = inputs.get("tags")
        if isinstance(tags, dict) and isinstance(tags.get("Name"), str):
            names.append(tags["Name"])
        return names

    def _index_aliases(self) -> None:
        """A KMS alias names its target key: ``alias/kinesis-telemetry-dev`` identifies the key."""
        for alias in self.graph.of_type("aws:kms/alias:Alias"):
            name = alias["inputs"].get("name")
            if isinstance(name, str):
                for key_urn in alias["propertyDependencies"].get("targetKeyId", []):
                    self._add(name, key_urn)

    def _index_outputs(self, deployed: dict[str, Any]) -> None:
        """An output exported from a resource ties its deployed value (an ARN, an ID) to that resource.

        The graph holds the rendered value of each output. When it names exactly
        one resource of the graph, either by a declared name or as the synthetic
        ARN the offline mocks give a resource without one
        (``arn:…:<kind>/<logical name>``, see compliance.render.synthetic), the
        deployed value of the same output identifies that resource too.
        """
        for rendered, live in _paired_strings(self.graph.data.get("outputs", {}), deployed):
            if live == rendered:
                continue
            urns = self._lookup([rendered]) or self._synthetic_arn_owner(rendered)
            if len(urns) == 1:
                self._add(live, next(iter(urns)))

    def _synthetic_arn_owner(self, value: str) -> set[str]:
        parts = value.split(":", 5)
        if not value.startswith("arn:") or len(parts) != 6 or "/" not in parts[5]:
            return set()
        kind, _, logical = parts[5].partition("/")
        return {r["urn"] for r in self.graph.custom_resources()
                if r["name"] == logical and r["type"].rsplit(":", 1)[-1].lower() == kind}

    def _lookup(self, values: list[str]) -> set[str]:
        derived = set().union(*(identities_of(v) for v in values)) if values else set()
        tiers = (
            set().union(*(self._exact.get(v, set()) for v in values)) if values else set(),
            set().union(*(self._exact.get(i, set()) for i in derived)) if derived else set(),
            set().union(*(self._derived.get(i, set()) for i in derived)) if derived else set(),
        )
        return next((urns for urns in tiers if urns), set())

    def urns_for(self, resource: dict[str, Any]) -> set[str]:
        """The graph URNs a live ResourceRef (id, name, type) is, by its strongest matching identity.

        When the live type is a type token of the graph (the audit names types as
        Pulumi does), only resources of that type qualify: a bucket's name is also
        the ``bucket`` input of its versioning and encryption resources.
        """
        urns = self._lookup([v for v in (resource.get("id", ""), resource.get("name", "")) if v])
        by_urn = self.graph.by_urn()
        same_type = {u for u in urns if by_urn[u]["type"] == resource.get("type")}
        return same_type or urns


def _paired_strings(rendered: Any, deployed: Any) -> list[tuple[str, str]]:
    """(rendered, deployed) string pairs at the same place in two outputs documents of the same shape."""
    if isinstance(rendered, str) and isinstance(deployed, str):
        return [(rendered, deployed)]
    if isinstance(rendered, dict) and isinstance(deployed, dict):
        return [pair for key in sorted(rendered.keys() & deployed.keys())
                for pair in _paired_strings(rendered[key], deployed[key])]
    if isinstance(rendered, list) and isinstance(deployed, list) and len(rendered) == len(deployed):
        return [pair for r, d in zip(rendered, deployed, strict=True) for pair in _paired_strings(r, d)]
    return []


# Resource types the live layer judges on their parent, and the input that names the parent.
JUDGED_ON_PARENT = {
    "aws:ec2/securityGroupRule:SecurityGroupRule": "securityGroupId",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "securityGroupId",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "bucket",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "bucket",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "bucket",
}


def subject_urn(resource: dict[str, Any], by_urn: dict[str, dict[str, Any]]) -> str:
    """The URN a declared finding counts on: its resource's, or its parent's for the types above."""
    prop = JUDGED_ON_PARENT.get(resource["type"])
    parents = [u for u in resource["propertyDependencies"].get(prop, []) if u in by_urn] if prop else []
    return parents[0] if parents else resource["urn"]


def _verdict(findings: list[dict[str, Any]]) -> tuple[str, dict[str, Any]] | None:
    """A layer's verdict on one control and resource (fail wins), and the finding that decided it."""
    for status in ("fail", "pass"):
        deciding = [f for f in findings if f["originalStatus"] == status]
        if deciding:
            return status, min(deciding, key=lambda f: f["id"])
    return None


def find_drift(findings: list[dict[str, Any]], index: ResourceIndex) -> list[dict[str, Any]]:
    """(declaring layer, live) verdicts on one control and one resource that disagree.

    Marks the findings of both sides with ``drift: true`` (in place) and returns the drift records, sorted.
    """
    by_urn = index.graph.by_urn()
    declared: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        if finding["layer"] in DECLARING_LAYERS and finding["resource"]["id"] in by_urn:
            urn = subject_urn(by_urn[finding["resource"]["id"]], by_urn)
            declared[(finding["control"], urn, finding["layer"])].append(finding)
    live: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        if finding["layer"] == "live":
            for urn in index.urns_for(finding["resource"]):
                live[(finding["control"], urn)].append(finding)
    records = []
    for (control, urn), live_findings in sorted(live.items()):
        live_side = _verdict(live_findings)
        if live_side is None:
            continue
        for layer in DECLARING_LAYERS:
            layer_findings = declared.get((control, urn, layer), [])
            declared_side = _verdict(layer_findings)
            if declared_side is None or declared_side[0] == live_side[0]:
                continue
            for finding in (*layer_findings, *live_findings):
                if finding["originalStatus"] in ("pass", "fail"):
                    finding["drift"] = True
            records.append(_record(control, by_urn[urn], layer, declared_side, live_side))
    return sorted(records, key=lambda r: (r["control"], r["resource"]["urn"], r["declared"]["layer"],
                                          r["live"]["findingId"]))


def _record(control: str, resource: dict[str, Any], layer: str, declared: tuple[str, dict[str, Any]],
            live: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    (declared_status, decl), (live_status, observed) = declared, live
    return {
        "control": control,
        "resource": {"urn": resource["urn"], "name": resource["name"], "type": resource["type"],
                     "source": resource.get("source")},
        "declared": {"layer": layer, "status": declared_status, "findingId": decl["id"], "message": decl["message"]},
        "live": {"status": live_status, "findingId": observed["id"], "resourceId": observed["resource"]["id"],
                 **account_properties(observed["resource"]),
                 "message": observed["message"], "evidence": observed["evidence"]},
        "summary": (f"{control} on {resource['name']}: the program declares {declared_status} ({layer}), the "
                    f"live account shows {live_status} on {observed['resource']['id']}"),
    }
