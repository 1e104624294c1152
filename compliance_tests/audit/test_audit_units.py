"""The audit's decisions that need no endpoint: registry, scope, gaps, error classes, policy logic, usage errors."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from compliance.audit.aws import ApiError, RetryPolicy, classify
from compliance.audit.gaps import load_gaps
from compliance.audit.registry import all_checks
from compliance.audit.scope import Scope, follows_naming, load_outputs
from compliance.audit.services.ec2 import ingress_permissions
from compliance.audit.services.iam import wildcard_grants
from compliance.audit.services.iot import iot_policy_problems
from compliance.audit.services.s3 import archive_lifecycle_problems, denies_insecure_transport, is_raw_archive
from compliance.audit.services.secretsmanager import rotation_days
from compliance.catalog import load_catalog
from compliance.cli import main
from compliance.errors import EXIT_USAGE, UsageError
from controls import net_01


def test_registry_holds_exactly_the_catalogs_live_controls():
    checks = all_checks()
    assert {c.control for c in checks} == {c.id for c in load_catalog().with_layer("live")}
    assert all(c.name.startswith(c.control.lower() + "-") for c in checks)
    assert len({c.name for c in checks}) == len(checks)


@pytest.mark.parametrize(("name", "suffix", "ok"), [
    ("kinesis-telemetry-dev", "dev", True),
    ("s3-raw-archive-123456789012-dev", "dev", True),
    ("/aws/lambda/lambda-processor-dev", "dev", True),
    ("iotrule_telemetry_dev", "dev", True),
    ("iotrule_telemetry_qa_1", "qa-1", True),
    ("kinesis-telemetry-qa-1", "qa-1", True),
    ("kinesis-telemetry-prod", "dev", False),
    ("telemetry-dev", "dev", False),
    ("telemetrybackup", "dev", False),
    ("Kinesis-Telemetry-dev", "dev", False),
    ("kinesis-telemetry-anything", None, True),
])
def test_naming_convention(name, suffix, ok):
    assert follows_naming(name, suffix) is ok


def test_scope_by_name_tag_and_outputs():
    scope = Scope("dev", frozenset({"arn:aws:sqs:sa-east-1:1:listed"}))
    assert scope.decide("kinesis-telemetry-dev", (), None)
    assert scope.decide("kinesis-telemetry-dev", (), {"Project": "x"})
    assert not scope.decide("kinesis-telemetry-qa-dev", (), {"Environment": "qa-dev"})  # another stack's
    assert scope.decide("legacy", (), {"Environment": "dev"})
    assert not scope.decide("legacy", (), {})
    assert scope.decide("listed", ("arn:aws:sqs:sa-east-1:1:listed",), {"Environment": "other"})
    assert Scope(None).decide("anything", (), {"Environment": "other"})


def test_scope_rejects_a_malformed_suffix():
    with pytest.raises(UsageError, match="--suffix"):
        Scope("Dev_1")


def test_outputs_file_errors_name_the_fix(tmp_path):
    with pytest.raises(UsageError, match="pulumi stack output --json"):
        load_outputs(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(UsageError, match="not JSON"):
        load_outputs(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(UsageError, match="JSON object"):
        load_outputs(tmp_path / "list.json")
    (tmp_path / "ok.json").write_text(json.dumps({"a": "x", "b": {"c": ["y", 1]}}))
    assert load_outputs(tmp_path / "ok.json") == {"x", "y"}


def test_gaps_file(tmp_path):
    path = tmp_path / "gaps.json"
    path.write_text(json.dumps([
        {"api": "iot:ListTagsForResource", "resource": "arn:aws:iot:r:1:policy/p", "reason": "moto lacks it"},
        {"control": "LOG-01", "check": "log-01-data-events-tables", "reason": "selectors not emulated"},
        {"api": "lambda:CreateFunction (Layers)", "reason": "deploy-side, not a read of the audit"},
        {"type": "aws:x", "reason": "no api, no control: ignored"},
    ]))
    gaps = load_gaps([path])
    assert len(gaps.gaps) == 3
    assert gaps.for_api("iot:ListTagsForResource", "arn:aws:iot:r:1:policy/p").reason == "moto lacks it"
    assert gaps.for_api("iot:ListTagsForResource", "arn:aws:iot:r:1:policy/other") is None
    unimplemented = ApiError("iot:ListTagsForResource", "unexpected", "HTTP 500")
    assert gaps.for_error(unimplemented, "arn:aws:iot:r:1:policy/p")
    for kind in ("access_denied", "throttled", "unreachable"):  # never explained away by a gap
        assert gaps.for_error(ApiError("iot:ListTagsForResource", kind, "m"), "arn:aws:iot:r:1:policy/p") is None
    assert gaps.for_finding("LOG-01", "log-01-data-events-tables", "aws:dynamodb/table:Table")
    assert gaps.for_finding("LOG-01", "log-01-trail-configuration", "aws:cloudtrail/trail:Trail") is None
    path.write_text(json.dumps([{"api": "x:Y"}]))
    with pytest.raises(UsageError, match="no reason"):
        load_gaps([path])


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "Op")


@pytest.mark.parametrize(("exc", "service", "operation", "kind", "words"), [
    (client_error("AccessDenied", 403), "s3", "GetBucketEncryption", "access_denied",
     "grant s3:GetEncryptionConfiguration to the auditor role"),
    (client_error("AccessDeniedException"), "kms", "GetKeyRotationStatus", "access_denied",
     "grant kms:GetKeyRotationStatus"),
    (client_error("ThrottlingException"), "dynamodb", "ListTables", "throttled", "after 2 attempts"),
    (client_error("500", 500), "iot", "ListTagsForResource", "unexpected", "HTTP 500"),
    (EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), "sts", "GetCallerIdentity", "unreachable",
     "could not reach http://127.0.0.1:9"),
])
def test_api_errors_become_errors_that_name_the_fix(exc, service, operation, kind, words):
    error = classify(service, operation, exc, "http://127.0.0.1:9", RetryPolicy(max_attempts=2))
    assert error.kind == kind and error.api == f"{service}:{operation}"
    assert words in error.message


def test_wildcard_grants():
    def doc(*statements):
        return {"Statement": list(statements)}

    assert wildcard_grants(doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    assert wildcard_grants(doc({"Sid": "S3", "Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]})) == [
        "S3: s3:* on *"]
    assert wildcard_grants(doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    assert not wildcard_grants(doc({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))
    assert not wildcard_grants(doc({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}))
    assert not wildcard_grants(doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))


def test_iot_policy_scope():
    scoped = {"Statement": [{"Effect": "Allow", "Action": ["iot:Publish"],
                             "Resource": "arn:aws:iot:r:1:topic/factory/*/${iot:Connection.Thing.ThingName}/telemetry"}]}
    assert iot_policy_problems(scoped) == []
    assert any("iot:*" in p for p in iot_policy_problems(
        {"Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))
    assert any("not scoped" in p for p in iot_policy_problems(
        {"Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "arn:aws:iot:r:1:client/*"}]}))


def test_tls_only_bucket_policy():
    deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": False}}}
    assert denies_insecure_transport({"Statement": [deny]}, "b")
    assert not denies_insecure_transport({"Statement": [deny]}, "other")
    assert not denies_insecure_transport({"Statement": [{**deny, "Effect": "Allow"}]}, "b")
    assert not denies_insecure_transport({"Statement": [{**deny, "Condition": {}}]}, "b")
    narrowed = {"Bool": {"aws:SecureTransport": False}, "StringEquals": {"aws:PrincipalAccount": "999999999999"}}
    assert not denies_insecure_transport({"Statement": [{**deny, "Condition": narrowed}]}, "b")
    assert not denies_insecure_transport(None, "b")


def test_archive_lifecycle_and_other_thresholds():
    good = [{"Status": "Enabled", "Transitions": [{"Days": 0, "StorageClass": "INTELLIGENT_TIERING"},
                                                   {"Days": 90, "StorageClass": "GLACIER"}],
             "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]
    assert archive_lifecycle_problems(good, 90) == []
    late = [{**good[0], "Transitions": [good[0]["Transitions"][0], {"Days": 365, "StorageClass": "GLACIER"}]}]
    assert any("GLACIER within 90" in p for p in archive_lifecycle_problems(late, 90))
    assert len(archive_lifecycle_problems([], 90)) == 3
    assert is_raw_archive("s3-raw-archive-123456789012-dev") and not is_raw_archive("s3-trail-logs-1-dev")
    assert rotation_days({"RotationRules": {"ScheduleExpression": "rate(30 days)"}}) == 30
    assert rotation_days({"RotationRules": {"ScheduleExpression": "cron(0 0 * * ? *)"}}) is None
    group = {"IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]}
    permissions = ingress_permissions(group)
    assert permissions[0].cidrs == ("0.0.0.0/0", "::/0") and permissions[0].from_port == 443
    assert net_01.decide(permissions, []).status == "fail"
    assert net_01.decide(permissions, ["0.0.0.0/0", "::/0"]).status == "pass"


@pytest.mark.parametrize(("args", "words"), [
    (["--suffix", "dev", "--region", "sa-east-1", "--concurrency", "0"], "--concurrency 0"),
    (["--suffix", "dev", "--region", "sa-east-1", "--max-attempts", "0"], "--max-attempts 0"),
    (["--suffix", "dev", "--region", "sa-east-1", "--outputs", "/nonexistent/outputs.json"], "no such file"),
    (["--suffix", "dev"], "no region"),
    (["--suffix", "Not_A_Suffix", "--region", "sa-east-1"], "--suffix"),
])
def test_usage_errors_exit_2_with_one_line(args, words, capsys, monkeypatch, tmp_path):
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert main(["audit", "--out", str(tmp_path), *args]) == EXIT_USAGE
    error = capsys.readouterr().err.strip()
    assert words in error and len(error.splitlines()) == 1
    assert not (tmp_path / "audit.json").exists()


def test_suffix_and_all_are_exclusive(capsys, tmp_path):
    assert main(["audit", "--suffix", "dev", "--all", "--region", "sa-east-1", "--out", str(tmp_path)]) == EXIT_USAGE
    assert "not allowed with argument" in capsys.readouterr().err
