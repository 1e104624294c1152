"""IAM: roles (global, listed once); IAM-01 (no wildcard grants in role policies)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from compliance.audit.common import as_list, statements, verdict
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check

ROLE = "aws:iam/role:Role"
SERVICE_WILDCARD = re.compile(r"^[a-z0-9-]+:\*$")


@listing(ROLE, regional=False)
def roles(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """IAM is global: roles are listed once (region ""); service-linked roles are AWS's own."""
    for role in inventory.aws.pages("iam", region, "ListRoles", "Roles"):
        if role.get("Path", "").startswith("/aws-service-role/"):
            continue

        def read(name: str = role["RoleName"]) -> dict[str, str]:
            return tag_dict(list(inventory.aws.pages("iam", region, "ListRoleTags", "Tags", RoleName=name)))

        yield inventory.keep(ROLE, region, role["RoleName"], (role["Arn"],), role, read, resource_id=role["Arn"])


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

    return ctx.each(roles(ctx.inventory, ctx.region), evaluate)
