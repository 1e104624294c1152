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
from compliance.audit.services.secretsmanager import rotation
from compliance.catalog import load_catalog
from compliance.cli import main
from compliance.errors import EXIT_USAGE, UsageError
from controls import iam_01, iam_02, iam_04, net_01


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


def test_wildcard_grants_as_the_audit_reads_them():
    """Documents as GetRolePolicy/GetPolicyVersion decode them (objects), decided by controls.iam_01."""
    def decided(*statements):
        return iam_01.decide([iam_01.Document("inline:grants", {"Statement": list(statements)})]).status

    assert decided({"Effect": "Allow", "Action": "*", "Resource": "*"}) == "fail"
    assert decided({"Sid": "S3", "Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]}) == "fail"
    assert decided({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}) == "fail"
    assert decided({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}) == "pass"
    assert decided({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}) == "pass"
    assert decided({"Effect": "Deny", "Action": "*", "Resource": "*"}) == "pass"
    attached = iam_01.decide([], [iam_01.ManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess",
                                                       "arn:aws:iam::aws:policy/AdministratorAccess")])
    assert attached.status == "fail" and "AWS-managed AdministratorAccess" in attached.message


def test_iot_policy_scope_as_the_audit_reads_it():
    """GetPolicy's policyDocument is JSON text, decided by controls.iam_02."""
    scoped = {"Statement": [{"Effect": "Allow", "Action": ["iot:Publish"],
                             "Resource": "arn:aws:iot:r:1:topic/factory/*/${iot:Connection.Thing.ThingName}/telemetry"}]}
    assert iam_02.decide(json.dumps(scoped)).status == "pass"
    wild = iam_02.decide(json.dumps({"Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))
    assert wild.status == "fail" and "iot:*" in wild.message
    client = iam_02.decide(json.dumps({"Statement": [{"Effect": "Allow", "Action": "iot:Connect",
                                                      "Resource": "arn:aws:iot:r:1:client/*"}]}))
    assert client.status == "fail" and "not scoped" in client.message


def test_rotation_intervals_and_world_ingress_as_the_audit_reads_them():
    assert iam_04.interval_days(rotation({"RotationRules": {"ScheduleExpression": "rate(30 days)"}}, "r")) == 30
    assert iam_04.interval_days(rotation({"RotationRules": {"ScheduleExpression": "cron(0 0 * * ? *)"}}, "r")) is None
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
