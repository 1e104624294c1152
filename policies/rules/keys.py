"""KMS-01 .. KMS-03: the customer-managed keys themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.documents import Statement, judged, names, policy_statements
from rules.keyrefs import KEY_CONSUMERS, aws_managed
from rules.model import Resource, StackView
from rules.registry import NotApplicable, Registry, Undecided, Violation
from rules.retention import trail_buckets
from rules.values import MISSING, UNKNOWN, describe, is_unknown, lookup, number, truthy

registry = Registry()


@registry.resource("KMS-01", "key-rotation-enabled",
                   "Customer-managed KMS keys rotate their key material automatically.", [t.KMS_KEY])
def key_rotation_enabled(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    spec = r.lookup("customerMasterKeySpec")
    if spec is MISSING:
        spec = r.lookup("keySpec")
    if isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT":
        raise NotApplicable(f"a {spec} key cannot rotate automatically; only symmetric keys can")
    rotation = r.lookup("enableKeyRotation")
    if rotation is UNKNOWN:
        yield Undecided("enableKeyRotation")
    elif not truthy(rotation):
        yield f"enableKeyRotation is {describe(rotation)}: set enableKeyRotation to true."


def _public_grant(statement: Statement) -> tuple[list[str], list[str]]:
    """(violations, unknown elements) of one key policy statement, taken as an Allow.

    NotPrincipal grants everyone it does not name, so it counts as Principal "*".
    A Condition that is present decides nothing here: it narrows the grant.
    """
    if statement.has_condition:
        return [], []
    if statement.not_principals:
        grantee = f"every principal but NotPrincipal {names(list(statement.not_principals))}"
    elif "*" in statement.principals:
        grantee = 'Principal "*"'
    else:
        return [], ["Principal"] if "Principal" in statement.unknown else []
    if is_unknown(statement.raw.get("Condition")):
        return [], ["Condition"]
    actions = names(statement.raw.get("Action")) or "actions"
    return [f"statement {statement.label} allows {actions} to {grantee} without a Condition: name the account "
            "root and the service principals instead."], []


@registry.resource("KMS-03", "key-policy-no-public-principal",
                   "Key policies grant nothing to a wildcard principal without a condition.",
                   [t.KMS_KEY, t.KMS_KEY_POLICY])
def key_policy_no_public_principal(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    document = r.lookup("policy")
    if document is MISSING:
        if r.type == t.KMS_KEY_POLICY:
            yield "policy is not set: write a key policy naming the account root and the service principals."
        return  # a key without a policy gets the default policy: the account root only
    for statement in policy_statements("policy", document, "write the key policy as a JSON document"):
        if isinstance(statement, Statement):
            yield from judged(statement, "policy", *_public_grant(statement))
        else:
            yield statement


@registry.resource("KMS-03", "key-deletion-window",
                   "KMS keys keep a deletion window of 7 to 30 days.", [t.KMS_KEY],
                   parameters=("minDeletionWindowDays", "maxDeletionWindowDays"))
def key_deletion_window(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    low, high = config["minDeletionWindowDays"], config["maxDeletionWindowDays"]
    window = r.lookup("deletionWindowInDays")
    if window is UNKNOWN:
        yield Undecided("deletionWindowInDays")
        return
    if window is MISSING:
        return  # AWS applies 30 days
    days = number(window)
    if days is None or not low <= days <= high:
        yield f"deletionWindowInDays is {describe(window)}: set it between {low} and {high}."


def _key_of(stack: StackView, ref: Resource) -> Resource | None:
    if ref.type == t.KMS_KEY:
        return ref
    targets = stack.sources(ref, "targetKeyId", t.KMS_KEY)
    return targets[0] if targets else None


def _key_settings(resource: Resource) -> Iterator[tuple[str, str, Any]]:
    """(top-level input, service, key value) for each key setting the resource declares."""
    for prop, path, service in KEY_CONSUMERS.get(resource.type, []):
        if resource.type in (t.S3_SSE, t.S3_SSE_V2):
            rules = resource.lookup(prop)
            values = ([UNKNOWN] if rules is UNKNOWN else
                      [lookup(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId") for rule in rules or []])
        else:
            values = [resource.lookup(path)]
            if path != prop and resource.lookup(prop) is UNKNOWN:
                values = [UNKNOWN]
        for value in values:
            if value is not MISSING:
                yield prop, service, value


def _keys_used(stack: StackView, resource: Resource, prop: str) -> list[Resource]:
    refs = stack.sources(resource, prop, t.KMS_KEY, t.KMS_ALIAS)
    return [k for k in (_key_of(stack, ref) for ref in refs) if k is not None]


def _audit_bucket_configs(stack: StackView) -> set[str]:
    """Encryption configurations of CloudTrail's buckets: part of the audit trail, not of "s3"."""
    log_buckets = trail_buckets(stack)
    return {sse.urn for sse in stack.of_type(*t.S3_SSES)
            if any(b.urn in log_buckets for b in stack.sources(sse, "bucket", *t.S3_BUCKETS))}


@registry.stack("KMS-02", "one-key-per-service",
                "No KMS key is shared by two services (a trail's bucket belongs to the trail).", [t.KMS_KEY])
def one_key_per_service(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    users: dict[str, dict[str, list[str]]] = {}
    audit_configs = _audit_bucket_configs(stack)
    for resource in stack.of_type(*KEY_CONSUMERS):
        for prop, service, _ in _key_settings(resource):
            service = "cloudtrail" if resource.urn in audit_configs else service
            for key in _keys_used(stack, resource, prop):
                users.setdefault(key.urn, {}).setdefault(service, []).append(resource.name)
    for key in stack.of_type(t.KMS_KEY):
        services = users.get(key.urn, {})
        if len(services) > 1:
            detail = "; ".join(f"{s}: {', '.join(sorted(set(n)))}" for s, n in sorted(services.items()))
            yield Violation(f"key '{key.name}' is used by {len(services)} services ({detail}): give each service "
                            "its own key and alias.", key.urn)


@registry.stack("KMS-02", "key-references-resolve-in-stack",
                "Every key a resource encrypts with is a customer-managed key declared in this stack.",
                tuple(KEY_CONSUMERS))
def key_references_resolve_in_stack(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for resource in stack.of_type(*KEY_CONSUMERS):
        for prop, _, value in _key_settings(resource):
            if aws_managed(value) or _keys_used(stack, resource, prop):
                continue  # AWS-managed keys are the ENC policies' violation; resolved references are fine
            yield Violation(f"{resource.label()}: {prop} refers to {describe(value)}, which is not a key or alias "
                            "declared in this stack, so its rotation and key policy cannot be verified: pass the "
                            "ARN of the service's key from this program.", resource.urn)
