"""KMS-01/02/03 and ENC-01..09 on the rendered dev graph: one key per service, each store under its own key."""

from __future__ import annotations

from compliance_tests.program.graph_helpers import (
    as_list,
    depends_on,
    of_type,
    one,
    policy,
    statements,
)

SERVICES = {"kinesis", "aurora", "elasticache", "secretsmanager", "s3", "dynamodb", "logs", "cloudtrail", "lambda"}
KEY = "aws:kms/key:Key"
SIGNING_KEY = "evidence-signing"  # asymmetric, signs the compliance runs: test_evidence_signing.py


def test_one_kms_key_per_service_with_alias(dev_graph, key_arns):
    keys = of_type(dev_graph, KEY)
    assert {k["name"] for k in keys} == SERVICES | {SIGNING_KEY}
    assert set(key_arns) == SERVICES and len(set(key_arns.values())) == len(SERVICES)
    aliases = of_type(dev_graph, "aws:kms/alias:Alias")
    assert len(aliases) == len(SERVICES) + 1
    for alias in aliases:
        [target] = depends_on(dev_graph, alias, "targetKeyId", KEY)
        assert alias["inputs"]["name"] == f"alias/kms-{target['name']}-dev"


def test_kms_keys_rotate(dev_graph):
    """Every symmetric key; the asymmetric signing key cannot (KMS-01 judges it not applicable)."""
    for key in of_type(dev_graph, KEY):
        assert key["inputs"]["enableKeyRotation"] is (key["name"] != SIGNING_KEY), key["name"]


def test_kms_deletion_window_is_7_days(dev_graph):
    for key in of_type(dev_graph, KEY):
        assert key["inputs"]["deletionWindowInDays"] == 7, key["name"]


def test_key_policies_name_only_account_root_and_needed_service_principals(dev_graph):
    needed_services = {"logs": {"logs.sa-east-1.amazonaws.com"}, "cloudtrail": {"cloudtrail.amazonaws.com"},
                       "lambda": {"events.amazonaws.com"}}  # the compliance auditor's rules deliver to its queue
    for key in of_type(dev_graph, KEY):
        aws_principals, service_principals = set(), set()
        for stmt in statements(policy(key)):
            principal = stmt["Principal"]
            assert principal != "*" and principal.get("AWS") != "*", f"{key['name']}: wildcard principal"
            aws_principals.update(as_list(principal.get("AWS", [])))
            service_principals.update(as_list(principal.get("Service", [])))
            if principal.get("Service"):
                assert stmt.get("Condition"), f"{key['name']}: service statement {stmt['Sid']} is unconditioned"
        assert aws_principals == {"arn:aws:iam::123456789012:root"}, key["name"]
        assert service_principals == needed_services.get(key["name"], set()), key["name"]


def test_key_policies_grant_no_kms_wildcard(dev_graph):
    for key in of_type(dev_graph, KEY):
        for stmt in statements(policy(key)):
            assert not {"*", "kms:*"} & set(as_list(stmt["Action"])), f"{key['name']}: {stmt['Sid']}"


def test_kinesis_encrypted_with_its_own_key(dev_graph, key_arns):
    stream = one(dev_graph, "aws:kinesis/stream:Stream")
    assert stream["inputs"]["encryptionType"] == "KMS"
    assert stream["inputs"]["kmsKeyId"] == key_arns["kinesis"]
    assert [k["name"] for k in depends_on(dev_graph, stream, "kmsKeyId", KEY)] == ["kinesis"]


def test_aurora_storage_encrypted_with_its_own_key(dev_graph, key_arns):
    cluster = one(dev_graph, "aws:rds/cluster:Cluster")
    assert cluster["inputs"]["storageEncrypted"] is True
    assert cluster["inputs"]["kmsKeyId"] == key_arns["aurora"]


def test_redis_encrypted_at_rest_with_its_own_key_and_in_transit(dev_graph, key_arns):
    group = one(dev_graph, "aws:elasticache/replicationGroup:ReplicationGroup")
    assert group["inputs"]["atRestEncryptionEnabled"] is True
    assert group["inputs"]["kmsKeyId"] == key_arns["elasticache"]
    assert group["inputs"]["transitEncryptionEnabled"] is True


def test_secrets_encrypted_with_the_secrets_key(dev_graph, key_arns):
    for secret in of_type(dev_graph, "aws:secretsmanager/secret:Secret"):
        assert secret["inputs"]["kmsKeyId"] == key_arns["secretsmanager"], secret["name"]
    cluster = one(dev_graph, "aws:rds/cluster:Cluster")
    assert cluster["inputs"]["masterUserSecretKmsKeyId"] == key_arns["secretsmanager"]


def test_dynamodb_tables_encrypted_with_their_own_key(dev_graph, key_arns):
    for table in of_type(dev_graph, "aws:dynamodb/table:Table"):
        sse = table["inputs"]["serverSideEncryption"]
        assert sse == {"enabled": True, "kmsKeyArn": key_arns["dynamodb"]}, table["name"]


def test_buckets_default_to_sse_kms_with_their_key_and_bucket_key(dev_graph, key_arns):
    expected = {"raw-archive": key_arns["s3"], "trail-logs": key_arns["cloudtrail"], "evidence": key_arns["s3"]}
    configs = of_type(dev_graph, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert {c["name"] for c in configs} == set(expected)
    for config in configs:
        [rule] = config["inputs"]["rules"]
        assert rule["bucketKeyEnabled"] is True
        assert rule["applyServerSideEncryptionByDefault"] == {
            "sseAlgorithm": "aws:kms", "kmsMasterKeyId": expected[config["name"]]}


def test_log_groups_encrypted_with_the_logs_key(dev_graph, key_arns):
    for group in of_type(dev_graph, "aws:cloudwatch/logGroup:LogGroup"):
        assert group["inputs"]["kmsKeyId"] == key_arns["logs"], group["inputs"]["name"]


def test_trail_encrypted_with_the_trail_key(dev_graph, key_arns):
    assert one(dev_graph, "aws:cloudtrail/trail:Trail")["inputs"]["kmsKeyId"] == key_arns["cloudtrail"]


def test_lambda_environment_and_dlq_encrypted_with_the_lambda_key(dev_graph, key_arns):
    """ENC-09: every function's environment (processor, migrator, Redis AUTH rotation, compliance auditor) and every
    queue (the processor's DLQ, the auditor's event queue and its DLQ)."""
    functions = of_type(dev_graph, "aws:lambda/function:Function")
    assert {f["name"] for f in functions} == {"processor", "migrator", "redis-auth-rotation", "auditor"}
    for queue in of_type(dev_graph, "aws:sqs/queue:Queue"):
        assert queue["inputs"]["kmsMasterKeyId"] == key_arns["lambda"], queue["name"]
    for function in functions:
        assert function["inputs"]["kmsKeyArn"] == key_arns["lambda"], function["name"]
    queue = one(dev_graph, "aws:sqs/queue:Queue", "processor-dlq")
    assert queue["inputs"]["kmsMasterKeyId"] == key_arns["lambda"]


def test_each_key_serves_one_service(dev_graph):
    """KMS-02: a key is referenced only by the resources of the service it is named for."""
    service_of_type = {
        "aws:kinesis/stream:Stream": "kinesis", "aws:rds/cluster:Cluster": "aurora",
        "aws:elasticache/replicationGroup:ReplicationGroup": "elasticache",
        "aws:secretsmanager/secret:Secret": "secretsmanager", "aws:dynamodb/table:Table": "dynamodb",
        "aws:cloudwatch/logGroup:LogGroup": "logs", "aws:cloudtrail/trail:Trail": "cloudtrail",
        "aws:lambda/function:Function": "lambda", "aws:sqs/queue:Queue": "lambda",
    }
    encryption_inputs = ("kmsKeyId", "kmsKeyArn", "kmsMasterKeyId", "serverSideEncryption")
    users: dict[str, set[str]] = {}
    for resource in dev_graph.custom_resources():
        if resource["type"] not in service_of_type:
            continue
        for prop in encryption_inputs:
            for key in depends_on(dev_graph, resource, prop, KEY):
                users.setdefault(key["name"], set()).add(service_of_type[resource["type"]])
    assert users, "no resource references a key"
    for key_name, services in users.items():
        assert services == {key_name}, f"key {key_name} is used by {sorted(services)}"
