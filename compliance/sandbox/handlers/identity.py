"""IAM roles, their inline and managed policies and attachments (IAM-01 least privilege is decided on the documents)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, num, tag_list


@handles("aws:iam/role:Role", not_api=("forceDetachPolicies",))
def role(ctx: Context, inputs: Inputs) -> Created:
    iam = ctx.client("iam")
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    created = iam.create_role(**compact(
        RoleName=name, AssumeRolePolicyDocument=inputs["assumeRolePolicy"], Path=inputs.get("path"),
        Description=inputs.get("description"), MaxSessionDuration=num(inputs.get("maxSessionDuration")),
        PermissionsBoundary=inputs.get("permissionsBoundary"), Tags=tag_list(inputs.get("tags"))))["Role"]
    for policy in inputs.get("inlinePolicies", []):
        iam.put_role_policy(RoleName=name, PolicyName=policy["name"], PolicyDocument=policy["policy"])
    for policy_arn in inputs.get("managedPolicyArns", []):
        _attach(ctx, name, policy_arn)
    return Created(name, {"arn": created["Arn"], "name": name, "uniqueId": created["RoleId"],
                          "createDate": created["CreateDate"].isoformat(), "path": created.get("Path", "/")})


@handles("aws:iam/rolePolicy:RolePolicy")
def role_policy(ctx: Context, inputs: Inputs) -> Created:
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    ctx.client("iam").put_role_policy(RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"])
    return Created(f"{inputs['role']}:{name}", {"name": name})


@handles("aws:iam/policy:Policy")
def policy(ctx: Context, inputs: Inputs) -> Created:
    """A customer-managed policy (IAM-01 judges its default version)."""
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    created = ctx.client("iam").create_policy(**compact(
        PolicyName=name, PolicyDocument=inputs["policy"], Path=inputs.get("path"),
        Description=inputs.get("description"), Tags=tag_list(inputs.get("tags"))))["Policy"]
    return Created(created["Arn"], {"arn": created["Arn"], "name": name, "policyId": created["PolicyId"],
                                    "attachmentCount": 0, "path": created.get("Path", "/")})


@handles("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def role_policy_attachment(ctx: Context, inputs: Inputs) -> Created:
    """A managed policy (AWS's or the stack's) attached to a role (IAM-01 judges the role with it)."""
    role_name, policy_arn = inputs["role"], inputs["policyArn"]
    _attach(ctx, role_name, policy_arn)
    return Created(f"{role_name}-{policy_arn}")


AWS_MANAGED_POLICY_GAP = (
    "moto does not hold AWS's managed policies unless MOTO_IAM_LOAD_MANAGED_POLICIES=true (AttachRolePolicy answers "
    "NoSuchEntity): the policy was not attached, so GetAccountAuthorizationDetails leaves it out of the role's "
    "AttachedManagedPolicies and the role's grants through it are not observable")


def _attach(ctx: Context, role_name: str, policy_arn: str) -> None:
    """Attach a managed policy; an AWS-managed one moto lacks is a gap (AWS has them in every account)."""
    try:
        ctx.client("iam").attach_role_policy(RoleName=role_name, PolicyArn=policy_arn)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity" or ":iam::aws:policy/" not in policy_arn:
            raise
        role_arn = ctx.client("iam").get_role(RoleName=role_name)["Role"]["Arn"]
        ctx.gap(role_arn, "iam:GetAccountAuthorizationDetails", f"{policy_arn}: {AWS_MANAGED_POLICY_GAP}",
                fields=("AttachedManagedPolicies",))
