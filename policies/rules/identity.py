"""IAM-01 .. IAM-04: least privilege, device identity and database credentials."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.documents import DocumentError, Statement, statements
from rules.model import Resource, StackView
from rules.registry import Registry, Undecided, Violation
from rules.values import MISSING, UNKNOWN, as_list, describe, lookup, number, truthy

registry = Registry()

THING_NAME_VARIABLE = "${iot:Connection.Thing.ThingName}"


def _documents(r: Resource) -> Iterator[tuple[str, Any]]:
    if r.type == t.IAM_ROLE:
        policies = r.lookup("inlinePolicies")
        if policies is UNKNOWN:
            yield "inlinePolicies", UNKNOWN
            return
        for index, inline in enumerate(as_list(policies)):
            yield f"inlinePolicies[{index}].policy", lookup(inline, "policy") if inline is not UNKNOWN else UNKNOWN
    else:
        yield "policy", r.lookup("policy")


def _statements(where: str, document: Any) -> Iterator[Statement | str | Undecided]:
    if document is UNKNOWN:
        yield Undecided(where)
        return
    if document is MISSING:
        return
    try:
        yield from statements(document)
    except DocumentError as exc:
        yield f"{where} is {exc}: write it as a JSON policy document."


def _wildcard(action: str) -> bool:
    return action == "*" or action.endswith(":*")


@registry.resource("IAM-01", "no-wildcard-actions-on-all-resources",
                   "No IAM policy allows * or service:* actions on resource *.",
                   [t.IAM_POLICY, t.IAM_ROLE_POLICY, t.IAM_USER_POLICY, t.IAM_GROUP_POLICY, t.IAM_ROLE])
def no_wildcard_actions_on_all_resources(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    for where, document in _documents(r):
        for statement in _statements(where, document):
            if not isinstance(statement, Statement):
                yield statement
                continue
            if not statement.allows or "*" not in statement.resources:
                continue
            broad = [a for a in statement.actions if _wildcard(a)]
            if statement.not_actions:
                broad.append(f"NotAction {', '.join(statement.not_actions)}")
            if broad:
                sid = statement.raw.get("Sid", "")
                yield (f"{where}: statement {sid!r} allows {', '.join(broad)} on Resource \"*\": list the actions "
                       "the principal calls and the ARNs it calls them on.")


@registry.resource("IAM-02", "iot-policy-scoped-to-thing",
                   "IoT policies let a device act only as its own thing; no iot:* or * actions.", [t.IOT_POLICY])
def iot_policy_scoped_to_thing(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    for statement in _statements("policy", r.lookup("policy")):
        if not isinstance(statement, Statement):
            yield statement
            continue
        if not statement.allows:
            continue
        wildcards = [a for a in statement.actions if "*" in a]
        if wildcards:
            yield (f"policy allows {', '.join(wildcards)}: list the actions a device needs (iot:Connect, "
                   "iot:Publish).")
        unscoped = [str(res) for res in statement.resources if THING_NAME_VARIABLE not in str(res)]
        if unscoped:
            yield (f"policy allows {', '.join(statement.actions)} on {', '.join(unscoped)}, not scoped to the "
                   f"connecting thing: use {THING_NAME_VARIABLE} in the client and topic ARNs.")


def _principal_certificates(stack: StackView, thing: Resource) -> list[Resource]:
    name = thing.lookup("name")
    attachments = stack.linked(thing, name if name is not MISSING else thing.name, "thing",
                               t.IOT_THING_PRINCIPAL_ATTACHMENT)
    return [c for a in attachments for c in stack.sources(a, "principal", t.IOT_CERTIFICATE)]


@registry.stack("IAM-03", "iot-thing-has-active-certificate",
                "Every IoT thing has an active X.509 certificate attached, and the certificate has a policy.",
                [t.IOT_THING])
def iot_thing_has_active_certificate(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for thing in stack.of_type(t.IOT_THING):
        certificates = _principal_certificates(stack, thing)
        if not certificates:
            yield Violation(f"thing '{thing.name}' has no certificate from this stack attached: create an "
                            "aws.iot.Certificate and a ThingPrincipalAttachment for it.", thing.urn)
            continue
        for certificate in certificates:
            active = certificate.lookup("active")
            if active is UNKNOWN:
                yield Undecided("active")
            elif not truthy(active):
                yield Violation(f"thing '{thing.name}': certificate '{certificate.name}' is not active: set "
                                "active to true.", thing.urn)
            if not stack.referrers(certificate, "target", t.IOT_POLICY_ATTACHMENT):
                yield Violation(f"thing '{thing.name}': certificate '{certificate.name}' has no IoT policy "
                                "attached: add an aws.iot.PolicyAttachment with the device policy.", thing.urn)


_RATE = re.compile(r"^rate\((\d+)\s+(day|days|hour|hours)\)$")


def rotation_days(rules: Any) -> Any:
    """Days between rotations from rotationRules: a number, UNKNOWN, or None if not decidable."""
    if rules is UNKNOWN:
        return UNKNOWN
    days = lookup(rules, "automaticallyAfterDays")
    if days is UNKNOWN:
        return UNKNOWN
    if days is not MISSING:
        return number(days)
    expression = lookup(rules, "scheduleExpression")
    if expression is UNKNOWN:
        return UNKNOWN
    match = _RATE.match(str(expression).strip()) if expression is not MISSING else None
    if not match:
        return None
    amount = int(match.group(1))
    return amount / 24 if match.group(2).startswith("hour") else float(amount)


@registry.resource("IAM-04", "secret-rotation-schedule",
                   "Secret rotation runs at least every 30 days.", [t.SECRET_ROTATION],
                   parameters=("maxRotationDays",))
def secret_rotation_schedule(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    limit = config["maxRotationDays"]
    days = rotation_days(r.lookup("rotationRules"))
    if days is UNKNOWN:
        yield Undecided("rotationRules")
    elif days is None:
        yield (f"rotationRules {describe(r.lookup('rotationRules'))} gives no checkable interval: set "
               f"automaticallyAfterDays (or scheduleExpression \"rate(N days)\") to {limit} days or fewer.")
    elif days > limit:
        yield f"rotation runs every {describe(days)} days: rotate every {limit} days or fewer."


@registry.stack("IAM-04", "database-credentials-in-secrets-manager",
                "Database master credentials live in Secrets Manager and rotate automatically.",
                [t.RDS_CLUSTER, t.RDS_INSTANCE], parameters=("maxRotationDays",))
def database_credentials_in_secrets_manager(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for database in stack.of_type(t.RDS_CLUSTER, t.RDS_INSTANCE):
        managed = database.lookup("manageMasterUserPassword")
        if managed is UNKNOWN:
            yield Undecided("manageMasterUserPassword")
            continue
        if truthy(managed):
            continue  # RDS keeps the password in Secrets Manager and rotates it
        if database.lookup("masterPassword") is MISSING:
            yield Violation(f"{database.label()}: set manageMasterUserPassword to true so RDS keeps the master "
                            "password in Secrets Manager and rotates it.", database.urn)
            continue
        versions = stack.sources(database, "masterPassword", t.SECRET_VERSION)
        secrets = [s for v in versions for s in stack.sources(v, "secretId", t.SECRET)]
        rotations = [rot for s in secrets for rot in stack.referrers(s, "secretId", t.SECRET_ROTATION)]
        intervals = [rotation_days(rot.lookup("rotationRules")) for rot in rotations]
        if any(i is UNKNOWN for i in intervals):
            yield Undecided("rotationRules")
        elif not any(isinstance(i, float) and i <= config["maxRotationDays"] for i in intervals):
            yield Violation(f"{database.label()}: masterPassword is not a Secrets Manager secret rotated every "
                            f"{config['maxRotationDays']} days or fewer: set manageMasterUserPassword to true.",
                            database.urn)
