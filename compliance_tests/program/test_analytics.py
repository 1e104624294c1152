"""Aurora as the analytics store on the rendered dev graph: RDS Proxy, its role, the migration function and
the invocation that runs it during ``pulumi up`` (ENC-10, NET-02, IAM-01, IAM-04, LAM-01, LOG-02)."""

from __future__ import annotations

import json

from compliance_tests.program.graph_helpers import as_list, depends_on, of_type, one, policy, statements

PROXY = "aws:rds/proxy:Proxy"
FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"


def grants_of(graph, role: dict) -> dict[str, set[str]]:
    grants: dict[str, set[str]] = {}
    for role_policy in of_type(graph, "aws:iam/rolePolicy:RolePolicy"):
        if depends_on(graph, role_policy, "role", ROLE) == [role]:
            for stmt in statements(policy(role_policy)):
                assert stmt["Effect"] == "Allow"
                for action in as_list(stmt["Action"]):
                    grants.setdefault(action, set()).update(as_list(stmt["Resource"]))
    return grants


def test_the_proxy_requires_tls_and_iam_end_to_end_with_no_secret(dev_graph, outputs):
    proxy = one(dev_graph, PROXY)
    inputs = proxy["inputs"]
    assert inputs["name"] == outputs["rdsProxyName"] == "rdsproxy-metrics-dev"
    assert (inputs["engineFamily"], inputs["requireTls"], inputs["defaultAuthScheme"]) == (
        "POSTGRESQL", True, "IAM_AUTH")
    assert not inputs.get("auths"), "IAM end to end: no Secrets Manager secret for the proxy to hold or rotate"
    assert not inputs.get("debugLogging")  # it would log statements with their parameters


def test_the_proxy_role_may_connect_only_as_the_writer_to_this_cluster(dev_graph):
    proxy = one(dev_graph, PROXY)
    [role] = depends_on(dev_graph, proxy, "roleArn", ROLE)
    assert [s["Principal"] for s in statements(policy(role, "assumeRolePolicy"))] == [{"Service": "rds.amazonaws.com"}]
    assert grants_of(dev_graph, role) == {
        "rds-db:connect": {"arn:aws:rds-db:sa-east-1:123456789012:dbuser:cluster-aurora-metrics-dev/telemetry_writer"}}


def test_the_proxy_targets_the_cluster(dev_graph):
    target = one(dev_graph, "aws:rds/proxyTarget:ProxyTarget")
    assert target["inputs"]["dbClusterIdentifier"] == "aurora-metrics-dev"
    assert target["inputs"]["dbProxyName"] == "rdsproxy-metrics-dev"
    assert target["inputs"]["targetGroupName"] == "default"
    group = one(dev_graph, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup")
    assert 0 < group["inputs"]["connectionPoolConfig"]["maxConnectionsPercent"] <= 100


def test_the_migration_function_reads_only_the_master_secret(dev_graph, outputs, key_arns):
    function = one(dev_graph, FUNCTION, "migrator")
    inputs = function["inputs"]
    assert inputs["name"] == outputs["migratorFunctionName"] == "lambda-migrator-dev"
    assert (inputs["runtime"], inputs["handler"]) == ("python3.11", "handler.lambda_handler")
    assert inputs["code"] == {"archive": "program/functions/migrator"}
    assert inputs["kmsKeyArn"] == key_arns["lambda"]
    variables = inputs["environment"]["variables"]
    assert variables["MASTER_SECRET_ARN"] == outputs["auroraMasterSecretArn"]
    assert variables["DATABASE_HOST"] == outputs["auroraClusterEndpoint"]
    assert not any("PASSWORD" in name for name in variables)
    assert inputs["deadLetterConfig"]["targetArn"].endswith("sqs-migrator-dlq-dev")
    [role] = depends_on(dev_graph, function, "role", ROLE)
    grants = grants_of(dev_graph, role)
    assert grants["secretsmanager:GetSecretValue"] == {outputs["auroraMasterSecretArn"]}
    assert grants["kms:Decrypt"] == {key_arns["lambda"], key_arns["secretsmanager"]}
    assert not any(a.startswith(("rds:", "rds-db:", "iam:", "dynamodb:", "s3:")) for a in grants)


def test_pulumi_up_invokes_the_migration_after_the_database_exists(dev_graph):
    invocation = one(dev_graph, "aws:lambda/invocation:Invocation")
    assert depends_on(dev_graph, invocation, "functionName", FUNCTION) == [one(dev_graph, FUNCTION, "migrator")]
    instance = one(dev_graph, "aws:rds/clusterInstance:ClusterInstance")
    assert instance["urn"] in invocation["dependencies"]
    payload = json.loads(invocation["inputs"]["input"])
    assert payload["action"] == "upgrade"
    assert payload["settings"] == {"minute_retention_days": 90, "hourly_retention_days": 730}
    processor = one(dev_graph, FUNCTION, "processor")
    assert payload["metricLimits"] == json.loads(processor["inputs"]["environment"]["variables"]["METRIC_LIMITS"])
    triggers = invocation["inputs"]["triggers"]
    assert set(triggers) == {"migrations", "inputs"} and all(len(v) == 64 for v in triggers.values())


def test_a_changed_migration_changes_the_trigger(tmp_path):
    """The invocation re-runs when the migration code changes (and only then: vendor/ is not hashed)."""
    import importlib.util
    import sys

    from compliance import engine

    sys.path.insert(0, str(engine.PROGRAM_DIR))  # the component imports its siblings as the program does
    try:
        spec = importlib.util.spec_from_file_location("analytics_under_test", engine.PROGRAM_DIR / "components" / "analytics.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(engine.PROGRAM_DIR))
        sys.modules.pop("analytics_under_test", None)
    (tmp_path / "telemetry_schema").mkdir()
    (tmp_path / "telemetry_schema" / "0001.py").write_text("one")
    before = module.directory_digest(tmp_path)
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "lib.py").write_text("bundled")
    assert module.directory_digest(tmp_path) == before
    (tmp_path / "telemetry_schema" / "0002.py").write_text("two")
    assert module.directory_digest(tmp_path) != before
