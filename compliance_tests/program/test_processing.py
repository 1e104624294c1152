"""LAM-01/LOG-02/IAM-01/ENC-09 on the rendered dev graph: the processor Lambda, its event source, DLQ and role."""

from __future__ import annotations

import json

from compliance_tests.program.graph_helpers import (
    VPC_LAMBDA_ENI_ACTIONS,
    as_list,
    depends_on,
    of_type,
    one,
    policy,
    statements,
)

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ENVIRONMENT_CONTRACT = {
    "DEVICES_TABLE", "IDEMPOTENCY_TABLE", "ARCHIVE_BUCKET", "ARCHIVE_KMS_KEY_ARN", "DLQ_URL",
    "REDIS_HOST", "REDIS_PORT", "REDIS_AUTH_SECRET_ARN", "DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME",
    "DATABASE_USER", "METRIC_LIMITS", "ZSCORE_THRESHOLD",
    "BASELINE_MIN_SAMPLES", "MAX_FUTURE_SKEW_SECONDS", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE",
    "LOG_LEVEL",
}


def processor_grants(graph):
    """Action -> resources over every inline policy of the function's role."""
    function = one(graph, FUNCTION, "processor")
    [role] = depends_on(graph, function, "role", ROLE)
    grants: dict[str, set[str]] = {}
    for role_policy in of_type(graph, "aws:iam/rolePolicy:RolePolicy"):
        if depends_on(graph, role_policy, "role", ROLE) == [role]:
            for stmt in statements(policy(role_policy)):
                assert stmt["Effect"] == "Allow"
                for action in as_list(stmt["Action"]):
                    grants.setdefault(action, set()).update(as_list(stmt["Resource"]))
    return role, grants


def test_lambda_runtime_handler_code_and_layer(dev_graph):
    function = one(dev_graph, FUNCTION, "processor")["inputs"]
    assert function["name"] == "lambda-processor-dev"
    assert function["runtime"] == "python3.11"
    assert function["handler"] == "handler.lambda_handler"
    assert function["code"] == {"archive": "program/functions/processor"}
    [layer] = function["layers"]
    assert layer.startswith("arn:aws:lambda:sa-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python311-x86_64:")
    assert layer.rsplit(":", 1)[1].isdigit()


def test_lambda_environment_follows_the_processor_contract(dev_graph, outputs, key_arns):
    variables = one(dev_graph, FUNCTION, "processor")["inputs"]["environment"]["variables"]
    assert set(variables) == ENVIRONMENT_CONTRACT
    # Aurora through RDS Proxy as the writer role (IAM token); no password, no master user, no CA override
    assert variables["DATABASE_HOST"] == outputs["rdsProxyEndpoint"]
    assert (variables["DATABASE_PORT"], variables["DATABASE_NAME"], variables["DATABASE_USER"]) == (
        "5432", "telemetry", "telemetry_writer")
    assert variables["DEVICES_TABLE"] == outputs["devicesTableName"]
    assert variables["IDEMPOTENCY_TABLE"] == outputs["idempotencyTableName"]
    assert variables["ARCHIVE_BUCKET"] == outputs["archiveBucketName"]
    assert variables["ARCHIVE_KMS_KEY_ARN"] == key_arns["s3"]
    assert variables["REDIS_AUTH_SECRET_ARN"] == outputs["redisAuthSecretArn"]
    assert variables["REDIS_PORT"] == "6379"
    limits = json.loads(variables["METRIC_LIMITS"])
    assert set(limits) == {"temperature_c", "pressure_kpa", "vibration_mm_s", "production_count"}
    assert all(set(bounds) == {"min", "max"} and bounds["min"] < bounds["max"] for bounds in limits.values())
    assert float(variables["ZSCORE_THRESHOLD"]) > 0
    assert int(variables["BASELINE_MIN_SAMPLES"]) > 0
    assert int(variables["MAX_FUTURE_SKEW_SECONDS"]) == 300


def test_event_source_mapping_reports_partial_failures_with_bounded_retries(dev_graph, outputs):
    """LOG-02: partial batch responses, bisect on error, 5 retries, bounded record age, from the
    oldest retained record (nothing the IoT rule wrote before the mapping existed is skipped), batches of 500."""
    mapping = one(dev_graph, "aws:lambda/eventSourceMapping:EventSourceMapping", "processor-telemetry")
    inputs = mapping["inputs"]
    assert inputs["eventSourceArn"] == outputs["streamArn"]
    assert depends_on(dev_graph, mapping, "functionName", FUNCTION) == [one(dev_graph, FUNCTION, "processor")]
    assert inputs["startingPosition"] == "TRIM_HORIZON"
    assert inputs["batchSize"] == 500
    assert inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert inputs["bisectBatchOnFunctionError"] is True
    assert inputs["maximumRetryAttempts"] == 5
    assert 60 <= inputs["maximumRecordAgeInSeconds"] <= 604800


def test_dlq_is_the_on_failure_destination(dev_graph):
    mapping = one(dev_graph, "aws:lambda/eventSourceMapping:EventSourceMapping", "processor-telemetry")
    queue = one(dev_graph, "aws:sqs/queue:Queue", "processor-dlq")
    assert queue["inputs"]["name"] == "sqs-processor-dlq-dev"
    assert depends_on(dev_graph, mapping, "destinationConfig", "aws:sqs/queue:Queue") == [queue]
    assert mapping["inputs"]["destinationConfig"]["onFailure"]["destinationArn"].endswith("sqs-processor-dlq-dev")


def test_processor_role_trusts_only_lambda(dev_graph):
    role, _ = processor_grants(dev_graph)
    trust = statements(policy(role, "assumeRolePolicy"))
    assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]


def test_processor_role_grants_only_specific_arns(dev_graph):
    """IAM-01: no wildcard action; Resource "*" only for the listed ENI actions a VPC Lambda needs."""
    _, grants = processor_grants(dev_graph)
    for action, resources in grants.items():
        name = action.partition(":")[2]
        assert action != "*" and name != "*", action
        if "*" in resources:
            assert action in VPC_LAMBDA_ENI_ACTIONS and resources == {"*"}, action
    assert set(grants) >= VPC_LAMBDA_ENI_ACTIONS


def test_processor_role_grants_what_the_function_uses(dev_graph, outputs, key_arns):
    _, grants = processor_grants(dev_graph)
    tables = {t["inputs"]["name"] for t in of_type(dev_graph, "aws:dynamodb/table:Table")}
    assert {"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream"} <= set(grants)
    assert grants["kinesis:GetRecords"] == {outputs["streamArn"]}
    # device state and the ledger; aggregates and anomalies are in Aurora, the metrics table is not written
    assert {r.rsplit("/", 1)[1] for r in grants["dynamodb:UpdateItem"]} == tables - {"dynamodb-metrics-dev"}
    assert not {"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem"} & set(grants)
    [connect] = grants["rds-db:connect"]
    assert connect == "arn:aws:rds-db:sa-east-1:123456789012:dbuser:prx-rdsproxy-metrics-dev/telemetry_writer"
    [s3_policy] = [p for p in of_type(dev_graph, "aws:iam/rolePolicy:RolePolicy") if p["name"] == "processor-s3"]
    assert [b["name"] for b in depends_on(dev_graph, s3_policy, "policy", "aws:s3/bucket:Bucket")] == ["raw-archive"]
    [archive_objects] = grants["s3:PutObject"]
    assert archive_objects.endswith(f"{outputs['archiveBucketName']}/*")
    [sqs_policy] = [p for p in of_type(dev_graph, "aws:iam/rolePolicy:RolePolicy") if p["name"] == "processor-sqs"]
    assert depends_on(dev_graph, sqs_policy, "policy", "aws:sqs/queue:Queue") == [one(dev_graph, "aws:sqs/queue:Queue", "processor-dlq")]
    assert len(grants["sqs:SendMessage"]) == 1
    assert grants["secretsmanager:GetSecretValue"] == {outputs["redisAuthSecretArn"]}
    assert key_arns["kinesis"] in grants["kms:Decrypt"] and key_arns["secretsmanager"] in grants["kms:Decrypt"]
    assert grants["kms:GenerateDataKey"] == {key_arns["s3"], key_arns["dynamodb"], key_arns["lambda"]}
    assert all(r.endswith(":log-stream:*") and "lambda-processor-dev" in r for r in grants["logs:PutLogEvents"])
    assert not any(action.startswith(("iam:", "sts:")) for action in grants)


def test_lambda_log_group_kept_30_days(dev_graph):
    [group] = [g for g in of_type(dev_graph, "aws:cloudwatch/logGroup:LogGroup")
               if g["inputs"]["name"] == "/aws/lambda/lambda-processor-dev"]
    assert group["inputs"]["retentionInDays"] == 30
    function = one(dev_graph, FUNCTION, "processor")
    assert group["urn"] in function["dependencies"], "the function must not create its own unencrypted group"

