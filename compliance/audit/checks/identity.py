"""IAM-01..IAM-04: IAM role policies, IoT device policies and certificates, database credential rotation."""

from __future__ import annotations

import json
import re
from typing import Any

from compliance.audit.checks.common import as_list, pick, statements, verdict
from compliance.audit.checks.encryption import describe_secret
from compliance.audit.inventory import CLUSTER, IOT_POLICY, ROLE, THING, Resource
from compliance.audit.registry import CheckContext, Outcome, live_check

SERVICE_WILDCARD = re.compile(r"^[a-z0-9-]+:\*$")
THING_NAME_VARIABLE = "${iot:Connection.Thing.ThingName}"


def wildcard_grants(document: dict[str, Any] | None) -> list[str]:
    """Allow statements granting ``*`` or ``service:*`` (or NotAction) on resource ``*``."""
    found = []
    for index, statement in enumerate(statements(document)):
        if statement.get("Effect") != "Allow" or "*" not in as_list(statement.get("Resource")):
            continue
        actions = as_list(statement.get("Action"))
        broad = [a for a in actions if a == "*" or SERVICE_WILDCARD.match(str(a))]
        if statement.get("NotAction") is not None:
            broad.append(f"NotAction {as_list(statement['NotAction'])}")
        if broad:
            found.append(f"{statement.get('Sid', f'#{index}')}: {', '.join(map(str, broad))} on *")
    return found


def role_documents(ctx: CheckContext, role: str) -> dict[str, dict[str, Any]]:
    """Policy name -> document, for the role's inline and attached (default version) policies."""
    documents = {}
    for name in ctx.aws.pages("iam", "", "ListRolePolicies", "PolicyNames", RoleName=role):
        answer = ctx.aws.call("iam", "", "GetRolePolicy", RoleName=role, PolicyName=name)
        documents[f"inline:{name}"] = _document(answer["PolicyDocument"])
    for attached in ctx.aws.pages("iam", "", "ListAttachedRolePolicies", "AttachedPolicies", RoleName=role):
        arn = attached["PolicyArn"]

        def read(policy_arn: str = arn) -> dict[str, Any]:
            policy = ctx.aws.call("iam", "", "GetPolicy", PolicyArn=policy_arn)["Policy"]
            version = ctx.aws.call("iam", "", "GetPolicyVersion", PolicyArn=policy_arn,
                                   VersionId=policy["DefaultVersionId"])
            return _document(version["PolicyVersion"]["Document"])

        documents[arn] = ctx.inventory.memo.get(("GetPolicyVersion", arn), read)
    return documents


def _document(document: Any) -> dict[str, Any]:
    """Policy documents arrive decoded by botocore, or as JSON text."""
    if isinstance(document, str):
        from urllib.parse import unquote

        return json.loads(unquote(document))
    return document


@live_check("IAM-01", "iam-01-role-policies-no-wildcards", resource_type=ROLE, scope="global")
def role_policies(ctx: CheckContext):
    def evaluate(role: Resource) -> Outcome:
        documents = role_documents(ctx, role.name)
        grants = {name: found for name, document in documents.items() if (found := wildcard_grants(document))}
        evidence = {"iam:ListRolePolicies+ListAttachedRolePolicies": {"Policies": sorted(documents)},
                    "iam:GetRolePolicy+GetPolicyVersion": {"WildcardGrants": grants}}
        problems = [f"{name} allows {'; '.join(found)}: list the actions and ARNs" for name, found in grants.items()]
        return verdict(role, problems, f"no wildcard grant on * in {len(documents)} policies", evidence)

    return ctx.each(ctx.inventory.roles(), evaluate)


def iot_policy_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    for index, statement in enumerate(statements(document)):
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid", f"#{index}")
        wild = [a for a in as_list(statement.get("Action")) if "*" in str(a)]
        if wild:
            problems.append(f"{sid} allows {', '.join(wild)}: list iot:Connect and iot:Publish only")
        unscoped = [r for r in as_list(statement.get("Resource")) if THING_NAME_VARIABLE not in str(r)]
        if unscoped:
            problems.append(f"{sid} is not scoped to the connecting thing ({', '.join(map(str, unscoped))}): "
                            f"use {THING_NAME_VARIABLE} in the resource")
    return problems


@live_check("IAM-02", "iam-02-iot-policy-scoped-to-thing", resource_type=IOT_POLICY)
def iot_policies(ctx: CheckContext):
    def evaluate(policy: Resource) -> Outcome:
        answer = ctx.call("iot", "GetPolicy", policyName=policy.name)
        document = json.loads(answer["policyDocument"])
        evidence = {"iot:GetPolicy": {"defaultVersionId": answer.get("defaultVersionId"),
                                      "Statement": [pick(s, "Sid", "Effect", "Action", "Resource")
                                                    for s in statements(document)]}}
        return verdict(policy, iot_policy_problems(document),
                       f"every statement scoped to {THING_NAME_VARIABLE}; no wildcard action", evidence)

    return ctx.each(ctx.inventory.iot_policies(ctx.region), evaluate)


@live_check("IAM-03", "iam-03-thing-active-certificate", resource_type=THING)
def thing_certificates(ctx: CheckContext):
    def evaluate(thing: Resource) -> Outcome:
        principals = list(ctx.aws.pages("iot", ctx.region, "ListThingPrincipals", "principals",
                                        thingName=thing.name))
        certificates = {}
        for arn in [p for p in principals if ":cert/" in p]:
            description = ctx.call("iot", "DescribeCertificate",
                                   certificateId=arn.rsplit("/", 1)[-1])["certificateDescription"]
            policies = [p["policyName"] for p in ctx.aws.pages("iot", ctx.region, "ListAttachedPolicies",
                                                               "policies", target=arn)]
            certificates[arn] = {"status": description.get("status"), "policies": policies}
        usable = [arn for arn, c in certificates.items() if c["status"] == "ACTIVE" and c["policies"]]
        evidence = {"iot:ListThingPrincipals": {"principals": principals},
                    "iot:DescribeCertificate": {arn: c["status"] for arn, c in certificates.items()},
                    "iot:ListAttachedPolicies": {arn: c["policies"] for arn, c in certificates.items()}}
        problems = []
        if not certificates:
            problems.append("no X.509 certificate attached: attach an active certificate to the thing")
        elif not usable:
            states = ", ".join(f"{arn.rsplit('/', 1)[-1][:12]}… {c['status']}"
                               f"{'' if c['policies'] else ' without a policy'}" for arn, c in certificates.items())
            problems.append(f"no active certificate with a policy ({states}): activate it and attach the device policy")
        return verdict(thing, problems, f"{len(usable)} active certificate(s) with the device policy", evidence)

    return ctx.each(ctx.inventory.things(ctx.region), evaluate)


def rotation_days(described: dict[str, Any]) -> int | None:
    rules = described.get("RotationRules") or {}
    if rules.get("AutomaticallyAfterDays"):
        return int(rules["AutomaticallyAfterDays"])
    match = re.match(r"^rate\((\d+) days?\)$", str(rules.get("ScheduleExpression", "")))
    return int(match.group(1)) if match else None


@live_check("IAM-04", "iam-04-database-credentials-rotated", resource_type=CLUSTER)
def database_credentials(ctx: CheckContext):
    maximum = int(ctx.parameters.get("maxRotationDays", 30))

    def evaluate(cluster: Resource) -> Outcome:
        master = cluster.data.get("MasterUserSecret") or {}
        evidence: dict[str, Any] = {"rds:DescribeDBClusters": {"MasterUserSecret": pick(master, "SecretArn",
                                                                                         "SecretStatus")}}
        if not master.get("SecretArn"):
            return verdict(cluster, ["the master password is not managed in Secrets Manager: set "
                                     "manageMasterUserPassword"], "", evidence)
        described = describe_secret(ctx, master["SecretArn"])
        days = rotation_days(described)
        evidence["secretsmanager:DescribeSecret"] = pick(described, "RotationEnabled", "RotationRules")
        problems = []
        if not described.get("RotationEnabled"):
            problems.append("automatic rotation is off for the master secret: enable it")
        elif days is None or days > maximum:
            problems.append(f"the master secret rotates every {days or 'unknown'} days: rotate every {maximum} "
                            "days or less")
        return verdict(cluster, problems, f"master password in Secrets Manager, rotated every {days} days", evidence)

    return ctx.each(ctx.inventory.clusters(ctx.region), evaluate)
