"""IAM-01 .. IAM-04: least privilege, device identity and database credentials."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.documents import Statement, judged, names, policy_statements
from rules.model import Resource, StackView
from rules.registry import Registry, Undecided, Violation
from rules.values import MISSING, UNKNOWN, as_list, describe, is_unknown, lookup, number, truthy

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
    elif r.type in _DOCUMENT_TYPES:
        yield "policy", r.lookup("policy")


_DOCUMENT_TYPES = (t.IAM_POLICY, t.IAM_ROLE_POLICY, t.IAM_USER_POLICY, t.IAM_GROUP_POLICY)

# The input naming the managed policies each type attaches (one ARN, or a list of them).
_MANAGED_POLICY_INPUTS = {
    t.IAM_ROLE: "managedPolicyArns",
    t.IAM_POLICY_ATTACHMENT: "policyArn",
    t.IAM_ROLE_POLICY_ATTACHMENT: "policyArn",
    t.IAM_USER_POLICY_ATTACHMENT: "policyArn",
    t.IAM_GROUP_POLICY_ATTACHMENT: "policyArn",
    t.IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE: "policyArns",
    t.IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE: "policyArns",
    t.IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE: "policyArns",
}

# AWS-managed policies that allow * or service:* on Resource "*" (AdministratorAccess, PowerUserAccess,
# AmazonS3FullAccess, IAMFullAccess, CloudWatchFullAccessV2 ...), in any partition and under any path.
_BROAD_MANAGED_POLICY = re.compile(
    r"arn:aws[a-z-]*:iam::aws:policy/(?:[^/]*/)*(AdministratorAccess|PowerUserAccess|[^/]*FullAccess[^/]*)",
    re.IGNORECASE)

# An action made of wildcards only, with or without a service prefix: *, **, s3:*, s3:**, *:*, iot:?*.
_WILDCARD_ACTION = re.compile(r"(?:[^:]*:)?[*?]*\*[*?]*")

# A resource naming every resource: only wildcards, or an ARN whose service is only wildcards (arn:aws:*:*:*:*).
_EVERY_RESOURCE = re.compile(r"[*?]*\*[*?]*|arn:[^:]*:[*?]*\*[*?]*(?::.*)?")


def _wildcard(action: str) -> bool:
    return bool(_WILDCARD_ACTION.fullmatch(action))


def _resource_scope(statement: Statement) -> Any:
    """How the statement reaches every resource (for the message), ``None`` if it does not, or ``UNKNOWN``.

    NotResource allows everything it does not name, so it counts as Resource "*"
    whatever it lists, even an unknown value.
    """
    every = [res for res in statement.resources if isinstance(res, str) and _EVERY_RESOURCE.fullmatch(res)]
    if every:
        return "Resource " + ", ".join(f'"{res}"' for res in every)
    if statement.not_resources:
        return f"every resource but NotResource {names(statement.raw.get('NotResource'))}"
    if "Resource" in statement.unknown:
        return UNKNOWN
    return None


def _broad_grant(statement: Statement, where: str) -> Iterator[Any]:
    scope = _resource_scope(statement)
    broad = [a for a in statement.actions if _wildcard(a)]
    if statement.not_actions:
        broad.append(f"every action but NotAction {names(statement.raw.get('NotAction'))}")
    actions_unknown = not broad and "Action" in statement.unknown
    if scope is None or not (broad or actions_unknown):
        return
    if scope is UNKNOWN or actions_unknown:
        yield from judged(statement, where, [], ["Resource" if scope is UNKNOWN else "Action"])
        return
    yield from judged(statement, where, [
        f"{where}: statement {statement.label} allows {', '.join(broad)} on {scope}: list the actions the "
        "principal calls and the ARNs it calls them on."], [])


def _managed_policy_arns(r: Resource) -> Iterator[tuple[str, Any]]:
    prop = _MANAGED_POLICY_INPUTS.get(r.type)
    if prop is None:
        return
    value = r.lookup(prop)
    if isinstance(value, list):
        yield from ((f"{prop}[{index}]", arn) for index, arn in enumerate(value))
    else:
        yield prop, value


def _broad_managed_policies(r: Resource) -> Iterator[str]:
    """AWS-managed policies that grant wildcards; customer policies are judged where the stack declares them.

    An unknown ARN is compliant: AWS-managed ARNs are literals in a program, an
    unknown one is the ARN of a policy being created (and judged) in the stack.
    """
    for where, arn in _managed_policy_arns(r):
        match = _BROAD_MANAGED_POLICY.fullmatch(arn) if isinstance(arn, str) else None
        if match:
            yield (f"{where} attaches the AWS-managed {match.group(1)}, which allows wildcard actions on "
                   "Resource \"*\": attach a policy of your own instead; list the actions the principal calls "
                   "and the ARNs it calls them on.")


@registry.resource("IAM-01", "no-wildcard-actions-on-all-resources",
                   "No IAM policy allows * or service:* actions on resource *.",
                   [*_DOCUMENT_TYPES, *_MANAGED_POLICY_INPUTS])
def no_wildcard_actions_on_all_resources(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _broad_managed_policies(r)
    for where, document in _documents(r):
        for statement in policy_statements(where, document):
            if isinstance(statement, Statement):
                yield from _broad_grant(statement, where)
            else:
                yield statement


def _iot_problems(statement: Statement) -> tuple[list[str], list[str]]:
    """(violations, unknown elements) of one IoT policy statement, taken as an Allow."""
    problems, unclear = [], []
    if statement.not_actions:
        problems.append(f"policy statement {statement.label} allows every action but NotAction "
                        f"{names(statement.raw.get('NotAction'))}: list the actions a device needs (iot:Connect, "
                        "iot:Publish) in Action.")
    wildcards = [a for a in statement.actions if "*" in a or "?" in a]
    if wildcards:
        problems.append(f"policy allows {', '.join(wildcards)}: list the actions a device needs (iot:Connect, "
                        "iot:Publish).")
    elif "Action" in statement.unknown:
        unclear.append("Action")
    if statement.not_resources:
        problems.append(f"policy statement {statement.label} allows every resource but NotResource "
                        f"{names(statement.raw.get('NotResource'))}: use {THING_NAME_VARIABLE} in the client "
                        "and topic ARNs, listed in Resource.")
    unscoped = [res for res in statement.resources if not is_unknown(res) and THING_NAME_VARIABLE not in str(res)]
    if unscoped:
        problems.append(f"policy allows {names(statement.raw.get('Action'))} on {names(unscoped)}, not scoped to "
                        f"the connecting thing: use {THING_NAME_VARIABLE} in the client and topic ARNs.")
    elif "Resource" in statement.unknown:
        unclear.append("Resource")
    return problems, unclear


@registry.resource("IAM-02", "iot-policy-scoped-to-thing",
                   "IoT policies let a device act only as its own thing; no iot:* or * actions.", [t.IOT_POLICY])
def iot_policy_scoped_to_thing(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    for statement in policy_statements("policy", r.lookup("policy")):
        if isinstance(statement, Statement):
            yield from judged(statement, "policy", *_iot_problems(statement))
        else:
            yield statement


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
