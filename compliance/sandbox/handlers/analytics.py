"""RDS Proxy in front of Aurora (ENC-10, NET-02, IAM-04) and the schema migration's invocation.

moto 5.2.5 implements CreateDBProxy (RequireTLS, IdleClientTimeout, subnets and
security groups, tags), ModifyDBProxyTargetGroup and RegisterDBProxyTargets
(the cluster must exist). It does not know ``DefaultAuthScheme`` (the proxy's
end-to-end IAM authentication): the proxy is created without it and
DescribeDBProxies cannot report it: when a proxy is sent a scheme other than
AWS's default (NONE), the answer's DefaultAuthScheme is recorded as a gap, and the
audit reports what was decided from it not_applicable. moto runs no Lambda function
(Docker), so the migration invocation is recorded as a gap and not run; the
migrations are tested against a real PostgreSQL instead.
"""

from __future__ import annotations

import hashlib
import json

from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, num, pascal, tag_list

AUTH_RENAMES = {"iamAuth": "IAMAuth"}  # the one auth field whose API name is not the input's in PascalCase


@handles("aws:rds/proxy:Proxy")
def rds_proxy(ctx: Context, inputs: Inputs) -> Created:
    rds = ctx.client("rds")
    name = inputs["name"]
    # Auth goes even when empty: moto 5.2.5 answers HTTP 500 without it, where AWS accepts a proxy with
    # DefaultAuthScheme IAM_AUTH and no Auth entry.
    proxy = rds.create_db_proxy(Auth=[pascal(auth, AUTH_RENAMES) for auth in inputs.get("auths", [])], **compact(
        DBProxyName=name, EngineFamily=inputs["engineFamily"], RoleArn=inputs["roleArn"],
        DefaultAuthScheme=inputs.get("defaultAuthScheme"),
        VpcSubnetIds=inputs["vpcSubnetIds"], VpcSecurityGroupIds=inputs.get("vpcSecurityGroupIds"),
        RequireTLS=inputs.get("requireTls"), IdleClientTimeout=num(inputs.get("idleClientTimeout")),
        DebugLogging=inputs.get("debugLogging"), Tags=tag_list(inputs.get("tags"))))["DBProxy"]
    sent = inputs.get("defaultAuthScheme")
    if sent and sent != "NONE" and proxy.get("DefaultAuthScheme") != sent:  # NONE is what an absent one means
        ctx.gap(proxy["DBProxyArn"], "rds:DescribeDBProxies",
                "moto does not keep DefaultAuthScheme: the proxy's end-to-end IAM authentication was sent at "
                "create but cannot be read back", fields=("DefaultAuthScheme",))
    return Created(name, {"arn": proxy["DBProxyArn"], "name": name, "endpoint": proxy.get("Endpoint", "")})


@handles("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup")
def rds_proxy_default_target_group(ctx: Context, inputs: Inputs) -> Created:
    proxy = inputs["dbProxyName"]
    pool = inputs.get("connectionPoolConfig")
    group = ctx.client("rds").modify_db_proxy_target_group(**compact(
        TargetGroupName="default", DBProxyName=proxy,
        ConnectionPoolConfig={k: num(v) for k, v in pascal(pool).items()} if pool else None))["DBProxyTargetGroup"]
    return Created(proxy, {"arn": group.get("TargetGroupArn", ""), "name": "default", "dbProxyName": proxy})


@handles("aws:rds/proxyTarget:ProxyTarget")
def rds_proxy_target(ctx: Context, inputs: Inputs) -> Created:
    proxy, group = inputs["dbProxyName"], inputs["targetGroupName"]
    cluster, instance = inputs.get("dbClusterIdentifier"), inputs.get("dbInstanceIdentifier")
    [target] = ctx.client("rds").register_db_proxy_targets(**compact(
        DBProxyName=proxy, TargetGroupName=group, DBClusterIdentifiers=[cluster] if cluster else None,
        DBInstanceIdentifiers=[instance] if instance else None))["DBProxyTargets"]
    kind = "TRACKED_CLUSTER" if cluster else "RDS_INSTANCE"
    return Created(f"{proxy},{group},{kind},{cluster or instance}", {
        "endpoint": target.get("Endpoint") or "", "rdsResourceId": target.get("RdsResourceId", ""),
        "type": target.get("Type", kind), "trackedClusterId": cluster or ""})


@handles("aws:lambda/invocation:Invocation", not_api=("triggers", "lifecycleScope", "terraformKey"))
def lambda_invocation(ctx: Context, inputs: Inputs) -> Created:
    function = inputs["functionName"]
    qualifier = inputs.get("qualifier", "$LATEST")
    payload = json.loads(inputs["input"])  # the program's input must be JSON, as Lambda requires
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
    arn = ctx.arn("lambda", f"function:{function}")
    ctx.gap(arn, "lambda:Invoke", "moto runs functions only in Docker, which the sandbox does not have: the "
            "invocation was not made (the schema migration is tested against a real PostgreSQL instead)")
    return Created(f"{function}_{qualifier}_{digest}", {"result": "", "functionName": function})
