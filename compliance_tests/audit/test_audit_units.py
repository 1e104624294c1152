"""The audit's decisions that need no endpoint: registry, scope, gaps, error classes, policy logic, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from compliance.audit.aws import ApiError, RetryPolicy, classify
from compliance.audit.gaps import load_gaps, require_loopback
from compliance.audit.registry import all_checks
from compliance.audit.scope import Scope, follows_naming, load_outputs
from compliance.audit.services.ec2 import ingress_permissions
from compliance.audit.services.secretsmanager import rotation
from compliance.catalog import load_catalog
from compliance.cli import main
from compliance.errors import EXIT_USAGE, UsageError
from compliance.findings import ResourceRef
from compliance_tests.audit.audit_runs import MOTO_READ_GAPS
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


FUNCTION_ARN = "arn:aws:lambda:sa-east-1:1:function:lambda-migrator-dev"
FUNCTION = ResourceRef(id=FUNCTION_ARN, type="aws:lambda/function:Function", name="lambda-migrator-dev")


def write_gaps(tmp_path, entries) -> Path:
    path = tmp_path / "gaps.json"
    path.write_text(json.dumps(entries))
    return path


def test_gaps_file_failures_and_wrong_answers(tmp_path):
    gaps = load_gaps([write_gaps(tmp_path, {"version": 2, "gaps": [
        {"api": "iot:ListTagsForResource", "resource": "arn:aws:iot:r:1:policy/p", "reason": "moto lacks it"},
        {"api": "lambda:ListFunctions", "resource": FUNCTION_ARN, "fields": ["DeadLetterConfig"],
         "resourceType": "aws:lambda/function:Function", "name": "migrator", "reason": "moto drops it"},
        {"api": "ec2:DescribeFlowLogs", "resource": "fl-1", "fields": ["DeliverLogsStatus"], "reason": "FAILED"},
        {"api": "lambda:ListFunctions", "resource": FUNCTION_ARN, "fields": ["LoggingConfig.LogGroup"],
         "reason": "moto drops LoggingConfig"},
    ]})])
    assert len(gaps.gaps) == 4
    # without fields: explains a failure of the call on that resource, nothing else
    assert gaps.for_api("iot:ListTagsForResource", "arn:aws:iot:r:1:policy/p").reason == "moto lacks it"
    assert gaps.for_api("iot:ListTagsForResource", "arn:aws:iot:r:1:policy/other") is None
    assert gaps.for_error(ApiError("iot:ListTagsForResource", "unexpected", "HTTP 500"), "arn:aws:iot:r:1:policy/p")
    for kind in ("access_denied", "throttled", "unreachable"):  # never explained away by a gap
        assert gaps.for_error(ApiError("iot:ListTagsForResource", kind, "m"), "arn:aws:iot:r:1:policy/p") is None
    assert gaps.for_error(ApiError("lambda:ListFunctions", "unexpected", "m"), FUNCTION_ARN) is None  # a wrong answer
    # with fields: a finding decided with one of them, on that resource
    decided_with_dlq = {"lambda:ListFunctions": {"DeadLetterConfig": None}, "logs:DescribeLogGroups": []}
    assert gaps.for_evidence(FUNCTION, decided_with_dlq, "LOG-02").reason == "moto drops it"
    assert gaps.for_evidence(FUNCTION, {"lambda:ListFunctions": {"Runtime": "python3.11"}}, "LAM-01") is None
    other = ResourceRef(id="arn:aws:lambda:sa-east-1:1:function:lambda-processor-dev", type=FUNCTION.type)
    assert gaps.for_evidence(other, decided_with_dlq, "LOG-02") is None
    assert gaps.for_evidence(FUNCTION, {"lambda:GetFunction+ListFunctions": {"LoggingConfig": {"LogGroup": None}}},
                             "LOG-02").reason == "moto drops LoggingConfig"
    assert gaps.for_evidence(FUNCTION, {"lambda:ListFunctions": {"LoggingConfig": {"LogFormat": "JSON"}}},
                             "LOG-02") is None
    vpc = ResourceRef(id="arn:aws:ec2:r:1:vpc/vpc-1", type="aws:ec2/vpc:Vpc")
    assert gaps.for_evidence(vpc, {"ec2:DescribeFlowLogs": {"fl-1": {"DeliverLogsStatus": "FAILED"}}}, "LOG-03")
    assert gaps.for_evidence(vpc, {"ec2:DescribeFlowLogs": {"fl-2": {"DeliverLogsStatus": "FAILED"}}}, "LOG-03") is None
    applied = gaps.applied()
    assert [(a["api"], a["controls"]) for a in applied if a.get("fields")] == [
        ("ec2:DescribeFlowLogs", ["LOG-03"]), ("lambda:ListFunctions", ["LOG-02"]), ("lambda:ListFunctions", ["LOG-02"])]


@pytest.mark.parametrize(("entry", "words"), [
    ({"control": "LOG-01", "reason": "selectors not emulated"}, "names a control ('LOG-01'): a gap covers API calls"),
    ({"api": "lambda:ListFunctions", "control": "LOG-02", "reason": "r"}, "waive the control in a waivers file"),
    ({"check": "log-01-data-events-tables", "api": "cloudtrail:GetEventSelectors", "reason": "r"}, "names a check"),
    ({"api": "x:Y"}, "has no reason"),
    ({"api": "iot:ListThings", "reason": "  "}, "has no reason"),
    ({"reason": "no api"}, "\"api\" must name one call"),
    ({"api": "lambda:CreateFunction (Layers)", "reason": "r"}, "\"api\" must name one call"),
    ({"api": "lambda:ListFunctions", "fields": "DeadLetterConfig", "reason": "r"}, "\"fields\" must be a list"),
    ({"api": "lambda:ListFunctions", "resource": "*", "reason": "r"}, "\"resource\" must be one resource"),
    ({"api": "lambda:ListFunctions", "resourceTypes": ["x"], "reason": "r"}, "unknown key 'resourceTypes'"),
])
def test_a_gap_names_a_call_never_a_control(entry, words, tmp_path):
    with pytest.raises(UsageError) as raised:
        load_gaps([write_gaps(tmp_path, [entry])])
    assert words in str(raised.value) and "entry 0" in str(raised.value)


def test_a_gaps_file_of_another_version_is_refused(tmp_path):
    with pytest.raises(UsageError, match="redeploy the sandbox"):
        load_gaps([write_gaps(tmp_path, {"version": 3, "gaps": []})])


@pytest.mark.parametrize(("endpoint", "loopback"), [
    ("http://127.0.0.1:4566", True), ("http://localhost:4566", True), ("http://[::1]:4566", True),
    ("https://kinesis.sa-east-1.amazonaws.com", False), ("http://127.0.0.1.example.com:4566", False),
    ("http://10.0.0.5:4566", False), (None, False),
])
def test_gaps_apply_only_to_a_loopback_endpoint(endpoint, loopback, tmp_path):
    gaps = load_gaps([MOTO_READ_GAPS])
    if loopback:
        require_loopback(endpoint, gaps)
    else:
        with pytest.raises(UsageError, match="applies only to the sandbox on a loopback endpoint"):
            require_loopback(endpoint, gaps)
    require_loopback(endpoint, load_gaps([]))  # no gaps: any endpoint


@pytest.mark.parametrize(("extra", "words"), [
    (["--endpoint-url", "https://audit-proxy.example.com"], "this audit reads --endpoint-url https://audit-proxy"),
    ([], "this audit reads AWS (no --endpoint-url)"),
])
def test_a_gaps_file_against_aws_is_refused(extra, words, capsys, tmp_path):
    code = main(["audit", "--suffix", "dev", "--region", "sa-east-1", "--known-gaps", str(MOTO_READ_GAPS),
                 "--out", str(tmp_path), *extra])
    assert code == EXIT_USAGE
    error = capsys.readouterr().err.strip()
    assert words in error and "drop --known-gaps" in error and len(error.splitlines()) == 1
    assert not (tmp_path / "audit.json").exists()


def test_a_gaps_entry_naming_a_control_is_refused_by_the_cli(capsys, tmp_path):
    gaps = write_gaps(tmp_path, [{"control": "ENC-01", "reason": "we know"}])
    code = main(["audit", "--suffix", "dev", "--region", "sa-east-1", "--endpoint-url", "http://127.0.0.1:9",
                 "--known-gaps", str(gaps), "--out", str(tmp_path / "out")])
    assert code == EXIT_USAGE
    error = capsys.readouterr().err.strip()
    assert "names a control ('ENC-01')" in error and "owner and an expiry" in error and len(error.splitlines()) == 1


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


def test_iam_roles_and_documents_come_from_every_page_of_the_authorization_details():
    """IAM-01 / GOV-03: GetAccountAuthorizationDetails pages on Marker/IsTruncated (moto answers one page, AWS
    pages at 100 items); every page's roles, tags and inline and customer-managed documents are read (documents
    URL-encoded on the wire, as AWS sends them), and only an AWS-managed policy is read on its own."""
    import boto3
    from botocore.stub import Stubber

    from compliance.audit.aws import AwsAccess
    from compliance.audit.gaps import KnownGaps
    from compliance.audit.inventory import Inventory
    from compliance.audit.services.iam import role_documents, roles

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="sa-east-1")
    aws = AwsAccess(session, None, RetryPolicy(), "sa-east-1")
    stub = Stubber(aws.client("iam", ""))
    wildcard = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    local = "arn:aws:iam::123456789012:policy/policy-wide-dev"
    managed = "arn:aws:iam::aws:policy/ReadOnlyAccess"

    def role(name: str, **extra) -> dict:
        return {"RoleName": name, "Arn": f"arn:aws:iam::123456789012:role/{name}", "Path": "/", "RoleId": f"AROA{name:0<16}",
                **extra}

    filters = {"Filter": ["Role", "LocalManagedPolicy"]}
    stub.add_response("get_account_authorization_details", {
        "RoleDetailList": [role("role-a-dev", Tags=[{"Key": "Environment", "Value": "dev"}], RolePolicyList=[
            {"PolicyName": "inline", "PolicyDocument": "%7B%22Statement%22%3A%20%5B%5D%7D"}])],
        "Policies": [], "IsTruncated": True, "Marker": "m1"}, filters)
    stub.add_response("get_account_authorization_details", {
        "RoleDetailList": [role("role-b-dev", AttachedManagedPolicies=[{"PolicyArn": local}, {"PolicyArn": managed}]),
                           role("AWSServiceRoleForX", Path="/aws-service-role/x/")],
        "Policies": [{"Arn": local, "PolicyVersionList": [
            {"VersionId": "v1", "IsDefaultVersion": False, "Document": json.dumps({"Statement": []})},
            {"VersionId": "v2", "IsDefaultVersion": True, "Document": json.dumps(wildcard)}]}],
        "IsTruncated": False}, {**filters, "Marker": "m1"})
    stub.add_response("get_policy", {"Policy": {"Arn": managed, "DefaultVersionId": "v7"}}, {"PolicyArn": managed})
    stub.add_response("get_policy_version", {"PolicyVersion": {"Document": json.dumps({"Statement": []})}},
                      {"PolicyArn": managed, "VersionId": "v7"})
    with stub:
        inventory = Inventory(aws, Scope(suffix=None), KnownGaps(), home_region="sa-east-1")
        found = roles(inventory, "sa-east-1")
        assert [(r.name, r.tags) for r in found] == [("role-a-dev", {"Environment": "dev"}), ("role-b-dev", {})]

        class Ctx:  # what role_documents reads of a CheckContext
            pass

        ctx = Ctx()
        ctx.aws, ctx.inventory = aws, inventory
        assert role_documents(ctx, found[0].data) == {"inline:inline": {"Statement": []}}
        assert role_documents(ctx, found[1].data) == {local: wildcard, managed: {"Statement": []}}
        stub.assert_no_pending_responses()


def test_iot_certificates_are_read_once_per_region_and_an_unlisted_one_is_an_error():
    """IAM-03: statuses from ListCertificates and attachments from ListTargetsForPolicy (per policy, once for
    every thing); a thing with an active certificate a policy targets passes, one whose certificate is inactive
    fails, and one whose certificate ListCertificates does not list is an error naming the call, never a pass."""
    import boto3
    from botocore.stub import Stubber

    from compliance.audit.aws import AwsAccess
    from compliance.audit.gaps import KnownGaps
    from compliance.audit.inventory import Inventory
    from compliance.audit.registry import CheckContext
    from compliance.audit.services.iot import thing_certificates

    region = "sa-east-1"
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    aws = AwsAccess(session, None, RetryPolicy(), region)
    stub = Stubber(aws.client("iot", region))
    cert = {name: f"arn:aws:iot:{region}:123456789012:cert/{name:a<64}" for name in ("a", "b", "c")}
    things = ["thing-ok-dev", "thing-inactive-dev", "thing-unlisted-dev"]
    stub.add_response("list_things", {"things": [
        {"thingName": t, "thingArn": f"arn:aws:iot:{region}:123456789012:thing/{t}"} for t in things]}, {})
    for thing, name in zip(things, "abc", strict=True):
        stub.add_response("list_thing_principals", {"principals": [cert[name]]}, {"thingName": thing})
        if thing == things[0]:
            stub.add_response("list_certificates", {"certificates": [
                {"certificateArn": cert["a"], "status": "ACTIVE"}, {"certificateArn": cert["b"], "status": "INACTIVE"}]},
                {})
            stub.add_response("list_policies", {"policies": [{"policyName": "policy-device-dev"}]}, {})
            stub.add_response("list_targets_for_policy", {"targets": [cert["a"], cert["b"]]},
                              {"policyName": "policy-device-dev"})
    with stub:
        inventory = Inventory(aws, Scope(suffix=None), KnownGaps(), home_region=region)
        ctx = CheckContext(region, (region,), inventory, aws, Scope(suffix=None), KnownGaps(), {}, "123456789012",
                           "IAM-03")
        outcomes = {o.resource.name: o for o in thing_certificates(ctx)}
        stub.assert_no_pending_responses()
    assert outcomes["thing-ok-dev"].status == "pass", outcomes["thing-ok-dev"]
    assert outcomes["thing-ok-dev"].evidence["iot:ListTargetsForPolicy"] == {cert["a"]: ["policy-device-dev"]}
    assert outcomes["thing-inactive-dev"].status == "fail", outcomes["thing-inactive-dev"]
    assert outcomes["thing-unlisted-dev"].status == "error"
    assert "iot:ListCertificates does not list" in outcomes["thing-unlisted-dev"].message
