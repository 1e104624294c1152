"""IAM: roles (global, listed once); IAM-01 (no wildcard grants in role policies, inline or attached).

One paginated ``GetAccountAuthorizationDetails`` (roles and the account's own
managed policies) answers what five calls per role answered before
(``ListRoles``; per role ``ListRoleTags``, ``ListRolePolicies``,
``GetRolePolicy``, ``ListAttachedRolePolicies``): each role's tags, inline
policy documents and attached policies, and every customer-managed policy's
versions. Only an attached AWS-managed policy is read on its own
(``GetPolicy`` + ``GetPolicyVersion``, once per policy per account): asking
for them all (``AWSManagedPolicy``) would page through every policy AWS has.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from compliance.audit.common import verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from controls import iam_01

ROLE = "aws:iam/role:Role"
DETAILS = "iam:GetAccountAuthorizationDetails"


@dataclass(frozen=True)
class AuthorizationDetails:
    """The account's roles (RoleDetailList) and its customer-managed policies' default documents, by ARN."""

    roles: tuple[dict[str, Any], ...]
    local_policies: dict[str, dict[str, Any]]


def authorization_details(inventory: Inventory) -> AuthorizationDetails:
    """GetAccountAuthorizationDetails (Filter Role, LocalManagedPolicy), every page, once per audit."""
    def read() -> AuthorizationDetails:
        roles: list[dict[str, Any]] = []
        local: dict[str, dict[str, Any]] = {}
        for page in inventory.aws.whole_pages("iam", "", "GetAccountAuthorizationDetails",
                                              ("RoleDetailList", "Policies"), Filter=["Role", "LocalManagedPolicy"]):
            roles.extend(page["RoleDetailList"])
            for policy in page["Policies"]:
                default = next((v for v in policy.get("PolicyVersionList") or [] if v.get("IsDefaultVersion")), None)
                if default is not None:
                    local[policy["Arn"]] = _document(default["Document"])
        return AuthorizationDetails(tuple(roles), local)

    return inventory.memo.get(("GetAccountAuthorizationDetails",), read)


@listing(ROLE, regional=False)
def roles(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """IAM is global: roles are listed once (region ""); service-linked roles are AWS's own."""
    for role in authorization_details(inventory).roles:
        if role.get("Path", "").startswith("/aws-service-role/"):
            continue

        def read(detail: dict[str, Any] = role) -> dict[str, str]:
            return tag_dict(detail.get("Tags"))

        yield inventory.keep(ROLE, region, role["RoleName"], (role["Arn"],), role, read, resource_id=role["Arn"])


def role_documents(ctx: CheckContext, role: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Policy name -> document, for the role's inline and attached (default version) policies.

    ``role`` is the role's RoleDetail: its inline documents and attachments come
    with it; a customer-managed policy's document comes with the same answer, an
    AWS-managed one is read (and memoized for the account's other roles).
    """
    documents = {f"inline:{p['PolicyName']}": _document(p["PolicyDocument"]) for p in role.get("RolePolicyList") or []}
    local = authorization_details(ctx.inventory).local_policies
    for attached in role.get("AttachedManagedPolicies") or []:
        arn = attached["PolicyArn"]
        if arn in local:
            documents[arn] = local[arn]
            continue

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
        documents = role_documents(ctx, role.data)
        attached = [name for name in documents if not name.startswith("inline:")]
        decided = iam_01.decide([iam_01.Document(name, document) for name, document in documents.items()],
                                [iam_01.ManagedPolicy(arn, arn) for arn in attached])
        evidence = {DETAILS: {"RolePolicyList": sorted(n.removeprefix("inline:") for n in documents
                                                       if n.startswith("inline:")),
                              "AttachedManagedPolicies": sorted(attached)},
                    "iam:GetAccountAuthorizationDetails+GetPolicyVersion": {"Decided": decided.paths}}
        return verdict_outcome(role, decided, evidence)

    return ctx.each(roles(ctx.inventory, ctx.region), evaluate)
