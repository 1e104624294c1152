"""IAM-05 on the rendered graph: the Redis AUTH secret rotates every 30 days through our function, set up like the processor.

The function's own modules say what it needs (REQUIRED_IAM_ACTIONS, the
settings it reads); the graph must give exactly that.
"""

from __future__ import annotations

import ast

from compliance import engine
from compliance.render.synthetic import MOCK_ACCOUNT_ID
from compliance_tests.program.graph_helpers import (
    VPC_LAMBDA_ENI_ACTIONS,
    as_list,
    depends_on,
    of_type,
    one,
    policy,
    statements,
)
from compliance_tests.program.rotation_support import rotation_modules

m = rotation_modules()
FUNCTION = "aws:lambda/function:Function"
SECRET = "aws:secretsmanager/secret:Secret"
ROLE = "aws:iam/role:Role"
PROCESSOR_APP = engine.PROGRAM_DIR / "functions" / "processor" / "telemetry_processor" / "app.py"


def rotation_function(graph):
    return one(graph, FUNCTION, "redis-auth-rotation")


def redis_secret(graph):
    return one(graph, SECRET, "redis-auth")


def test_the_redis_auth_secret_rotates_every_30_days_through_the_function(dev_graph):
    rotation = one(dev_graph, "aws:secretsmanager/secretRotation:SecretRotation")
    assert depends_on(dev_graph, rotation, "secretId", SECRET) == [redis_secret(dev_graph)]
    assert depends_on(dev_graph, rotation, "rotationLambdaArn", FUNCTION) == [rotation_function(dev_graph)]
    assert rotation["inputs"]["rotationRules"] == {"automaticallyAfterDays": 30}


def test_the_first_rotation_waits_for_everything_it_uses(dev_graph):
    """The rotation starts once it exists: permission, first version, cache and endpoints must be there."""
    rotation = one(dev_graph, "aws:secretsmanager/secretRotation:SecretRotation")
    by_urn = dev_graph.by_urn()
    needed = {(by_urn[u]["type"], by_urn[u]["name"]) for u in rotation["dependencies"]}
    assert needed >= {
        ("aws:lambda/permission:Permission", "redis-auth-rotation"),
        ("aws:secretsmanager/secretVersion:SecretVersion", "redis-auth"),
        ("aws:elasticache/replicationGroup:ReplicationGroup", "redis"),
        ("aws:ec2/vpcEndpoint:VpcEndpoint", "network-secretsmanager"),
        ("aws:ec2/vpcEndpoint:VpcEndpoint", "network-elasticache"),
    }


def test_only_secrets_manager_may_invoke_it_and_only_for_this_secret(dev_graph):
    permission = one(dev_graph, "aws:lambda/permission:Permission")
    inputs = permission["inputs"]
    assert (inputs["action"], inputs["principal"]) == ("lambda:InvokeFunction", "secretsmanager.amazonaws.com")
    assert depends_on(dev_graph, permission, "function", FUNCTION) == [rotation_function(dev_graph)]
    assert depends_on(dev_graph, permission, "sourceArn", SECRET) == [redis_secret(dev_graph)]


def test_the_function_runs_like_the_processor(dev_graph, key_arns, outputs):
    """LAM-01 runtime, NET-02 private subnets behind its own group, ENC-09 environment key, LOG-02 log group."""
    function = rotation_function(dev_graph)
    processor = one(dev_graph, FUNCTION, "processor")["inputs"]
    inputs = function["inputs"]
    assert inputs["name"] == outputs["redisAuthRotationFunctionName"] == "lambda-redis-auth-rotation-dev"
    assert (inputs["runtime"], inputs["handler"], inputs["layers"]) == (
        processor["runtime"], "handler.lambda_handler", processor["layers"])
    assert inputs["code"] == {"archive": "program/functions/redis_auth_rotation"}
    assert inputs["timeout"] == 900  # the longest Lambda allows: steps wait for the group to apply a change
    assert inputs["kmsKeyArn"] == key_arns["lambda"]
    assert inputs["vpcConfig"]["subnetIds"] == processor["vpcConfig"]["subnetIds"]
    [group] = depends_on(dev_graph, function, "vpcConfig", "aws:ec2/securityGroup:SecurityGroup")
    assert group["name"] == "network-redis-rotation"
    [log_group] = depends_on(dev_graph, function, "loggingConfig", "aws:cloudwatch/logGroup:LogGroup")
    assert log_group["inputs"]["name"] == "/aws/lambda/lambda-redis-auth-rotation-dev"
    assert log_group["inputs"]["retentionInDays"] == 30 and log_group["inputs"]["kmsKeyId"] == key_arns["logs"]
    assert inputs["loggingConfig"] == {"logFormat": "JSON", "logGroup": log_group["inputs"]["name"]}


def test_its_environment_is_what_the_function_reads(dev_graph, outputs):
    variables = rotation_function(dev_graph)["inputs"]["environment"]["variables"]
    settings = m.settings.load_settings(variables)  # the function's own cold-start check
    assert settings.replication_group_id == outputs["redisReplicationGroupId"]
    assert settings.redis_host == outputs["redisPrimaryEndpoint"]
    assert (settings.redis_port, settings.redis_tls) == (6379, True)
    assert not any("token" in name.lower() or "password" in name.lower() for name in variables)


def test_the_grace_covers_the_time_the_processor_caches_the_token(dev_graph):
    """After AWSCURRENT moves, the old token stays valid at least as long as the processor may still use it."""
    tree = ast.parse(PROCESSOR_APP.read_text())
    [cached] = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
                and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["SECRET_MAX_AGE_SECONDS"]]
    variables = rotation_function(dev_graph)["inputs"]["environment"]["variables"]
    assert int(variables["CLIENT_GRACE_SECONDS"]) >= cached


def test_the_role_grants_exactly_what_the_function_calls(dev_graph, key_arns, outputs):
    """IAM-01: the calls of REQUIRED_IAM_ACTIONS on the secret and the group; KMS on two keys; ENI calls on "*"."""
    function = rotation_function(dev_graph)
    [role] = depends_on(dev_graph, function, "role", ROLE)
    assert [s["Principal"] for s in statements(policy(role, "assumeRolePolicy"))] == [{"Service": "lambda.amazonaws.com"}]
    grants: dict[str, set[str]] = {}
    for role_policy in of_type(dev_graph, "aws:iam/rolePolicy:RolePolicy"):
        if depends_on(dev_graph, role_policy, "role", ROLE) == [role]:
            for stmt in statements(policy(role_policy)):
                for action in as_list(stmt["Action"]):
                    grants.setdefault(action, set()).update(as_list(stmt["Resource"]))
    service_calls = {a for a in grants if a.split(":")[0] in ("secretsmanager", "elasticache")}
    assert service_calls == m.steps.REQUIRED_IAM_ACTIONS
    for action in service_calls:
        if action.startswith("secretsmanager:"):
            assert grants[action] == {outputs["redisAuthSecretArn"]}, action
        else:  # the group (its ARN as the render's mocks make it) and its member clusters
            assert grants[action] == {
                f"arn:aws:elasticache:sa-east-1:{MOCK_ACCOUNT_ID}:replicationgroup/redis-baseline-dev",
                f"arn:aws:elasticache:sa-east-1:{MOCK_ACCOUNT_ID}:cluster:redis-baseline-dev-*"}, action
    assert grants["kms:GenerateDataKey"] == {key_arns["secretsmanager"]}
    assert grants["kms:Decrypt"] == {key_arns["secretsmanager"], key_arns["lambda"]}
    assert all(r.endswith(":log-stream:*") and "lambda-redis-auth-rotation-dev" in r for r in grants["logs:PutLogEvents"])
    wildcard = {a for a, resources in grants.items() if "*" in resources}
    assert wildcard == VPC_LAMBDA_ENI_ACTIONS
    assert set(grants) == (service_calls | {"kms:GenerateDataKey", "kms:Decrypt", "logs:CreateLogStream",
                                            "logs:PutLogEvents"} | VPC_LAMBDA_ENI_ACTIONS)
