"""IAM: roles (global, listed once); IAM-01 (no wildcard grants in role policies, inline or attached)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from compliance.audit.common import verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from controls import iam_01

ROLE = "aws:iam/role:Role"


@listing(ROLE, regional=False)
def roles(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """IAM is global: roles are listed once (region ""); service-linked roles are AWS's own."""
    for role in inventory.aws.pages("iam", region, "ListRoles", "Roles"):
        if role.get("Path", "").startswith("/aws-service-role/"):
            continue

        def read(name: str = role["RoleName"]) -> dict[str, str]:
            return tag_dict(list(inventory.aws.pages("iam", region, "ListRoleTags", "Tags", RoleName=name)))

        yield inventory.keep(ROLE, region, role["RoleName"], (role["Arn"],), role, read, resource_id=role["Arn"])


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
        attached = [name for name in documents if not name.startswith("inline:")]
        decided = iam_01.decide([iam_01.Document(name, document) for name, document in documents.items()],
                                [iam_01.ManagedPolicy(arn, arn) for arn in attached])
        evidence = {"iam:ListRolePolicies": {"PolicyNames": sorted(n.removeprefix("inline:") for n in documents
                                                                   if n.startswith("inline:"))},
                    "iam:ListAttachedRolePolicies": {"AttachedPolicies": sorted(attached)},
                    "iam:GetRolePolicy+GetPolicyVersion": {"Decided": decided.paths}}
        return verdict_outcome(role, decided, evidence)

    return ctx.each(roles(ctx.inventory, ctx.region), evaluate)
