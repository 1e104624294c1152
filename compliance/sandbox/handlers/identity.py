"""IAM roles and their inline policies (IAM-01 least privilege is decided on the documents)."""

from __future__ import annotations

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
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    return Created(name, {"arn": created["Arn"], "name": name, "uniqueId": created["RoleId"],
                          "createDate": created["CreateDate"].isoformat(), "path": created.get("Path", "/")})


@handles("aws:iam/rolePolicy:RolePolicy")
def role_policy(ctx: Context, inputs: Inputs) -> Created:
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    ctx.client("iam").put_role_policy(RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"])
    return Created(f"{inputs['role']}:{name}", {"name": name})
