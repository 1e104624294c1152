"""The audit of the program as deployed into the sandbox: every live control is decided, and green.

A deployed dev stack (the sandbox plugin's, read-only) audited with
``compliance audit --suffix dev`` passes every control with the ``live`` layer,
or reports it ``not_applicable`` with the reason (a known gap of moto, or
nothing of that type in scope): never silence, never an unexplained status.
"""

from __future__ import annotations

import json

import pytest

from compliance.audit.gaps import load_gaps
from compliance.audit.inventory import TAGGING_API_SERVICES, tag_dict
from compliance.catalog import load_catalog
from compliance.errors import EXIT_ERROR, EXIT_OK
from compliance_tests.audit.audit_runs import GREEN, MOTO_READ_GAPS, run_audit_cli, sandbox_args
from compliance_tests.audit.conftest import sandbox_defects, stack_client


@pytest.fixture(scope="module")
def dev_audit(deployed_dev, tmp_path_factory):
    return run_audit_cli(tmp_path_factory.mktemp("dev-audit"), *sandbox_args(deployed_dev))


def test_every_live_control_is_decided_and_green(dev_audit, deployed_dev):
    assert dev_audit.exit_code == EXIT_OK, dev_audit.output
    assert dev_audit.file.complete
    live = {c.id for c in load_catalog().with_layer("live")}
    assert {f.control for f in dev_audit.findings} == live
    defects = sandbox_defects(deployed_dev)
    assert dev_audit.not_green() <= set(defects), dev_audit.output
    # Every control passes on at least one resource (none is decided only by absence), but those the
    # sandbox cannot show at all: IAM-05's rotation function, which moto cannot run (a recorded gap).
    unobservable = {control for control in live
                    if all(f.status == "not_applicable" and f.evidence.get("knownGap") for f in dev_audit.of(control))}
    assert unobservable == {"IAM-05"}
    for control in live - unobservable:
        statuses = {f.status for f in dev_audit.of(control)}
        assert "pass" in statuses, (control, statuses)
    if defects:
        pytest.xfail("; ".join(sorted(set(defects.values()))))


def _decided_not_applicable(finding) -> bool:
    """A control's decision that it does not apply (a trail's log bucket is no data store), with its reason."""
    name, _, reason = finding.message.partition(": ")
    return name == finding.resource.name and bool(reason) and "knownGap" not in finding.evidence \
        and "not observable here" not in finding.message


def test_not_applicable_always_says_why(dev_audit, deployed_dev):
    skipped = dev_audit.with_status("not_applicable")
    assert skipped
    for finding in skipped:
        assert "not observable here" in finding.message or finding.message.startswith("no ") \
            or _decided_not_applicable(finding), finding
    gap_reasons = {g.reason for g in load_gaps([deployed_dev.gaps_path, MOTO_READ_GAPS]).gaps}
    assert {f.evidence.get("knownGap") for f in skipped if "knownGap" in f.evidence} <= gap_reasons


def test_scope_and_evidence_are_recorded(dev_audit, deployed_dev):
    scope = dev_audit.file.scope
    assert scope["suffix"] == "dev" and scope["regions"] == [deployed_dev.region]
    assert scope["account"] == deployed_dev.account_id and scope["endpoint"] == deployed_dev.endpoint
    assert scope["resourcesAudited"] >= 50 and scope["apiCalls"] > 0
    by_check = {f.check: f for f in dev_audit.findings if f.status == "pass"}
    stream = by_check["enc-01-kinesis-stream-key"]
    assert stream.resource.id == deployed_dev.outputs["streamArn"]
    assert stream.evidence["kinesis:DescribeStreamSummary"]["EncryptionType"] == "KMS"
    assert stream.evidence["kms:DescribeKey"]["KeyManager"] == "CUSTOMER"
    assert stream.evidence["kms:DescribeKey"]["Arn"] == deployed_dev.outputs["kmsKeyArns"]["kinesis"]


def test_only_the_stacks_own_resources_are_audited(dev_audit, drift_stack):
    """Another stack in the same account (auditdrift) is out of the dev audit's scope."""
    names = {f.resource.name for f in dev_audit.findings}
    assert "kinesis-telemetry-dev" in names
    assert not [n for n in names if "auditdrift" in n]


def test_outputs_locate_the_same_resources_and_each_is_found(dev_audit, deployed_dev, tmp_path):
    with_outputs = run_audit_cli(tmp_path, *sandbox_args(deployed_dev, "--outputs", str(deployed_dev.outputs_path)))
    assert with_outputs.exit_code == EXIT_OK
    assert {f.id for f in with_outputs.findings} == {f.id for f in dev_audit.findings}
    declared = with_outputs.file.scope["outputs"]
    assert declared["absent"] == [] and declared["regionsNotRead"] == {}
    assert declared["declared"] >= 55  # every exported resource of an audited type, found
    assert set(declared["notVerified"]) == {"thingTypeNames"}  # IoT thing types have no audit listing


def test_the_migrators_dropped_dead_letter_config_is_not_observable(dev_audit, deployed_dev):
    """moto drops DeadLetterConfig: LOG-02 on the migrator is not_applicable with the gap, its observed verdict kept;
    the migrator's other controls, decided without that field, are judged as usual."""
    function = deployed_dev.outputs["migratorFunctionName"]
    [gap] = [g for g in load_gaps([deployed_dev.gaps_path]).gaps
             if g.fields == ("DeadLetterConfig",) and g.resource.endswith(f":function:{function}")]
    assert gap.api == "lambda:ListFunctions" and gap.resource.endswith(f":function:{function}")
    [log_02] = [f for f in dev_audit.of("LOG-02") if f.resource.name == function]
    assert log_02.status == "not_applicable" and "not observable here" in log_02.message
    assert log_02.evidence["knownGap"] == gap.reason
    assert log_02.evidence["knownGapCall"] == {"api": "lambda:ListFunctions", "fields": ["DeadLetterConfig"]}
    assert log_02.evidence["observed"]["status"] in ("pass", "fail")
    assert {f.status for f in dev_audit.findings if f.resource.name == function and f.control != "LOG-02"} == {"pass"}
    [applied] = [g for g in dev_audit.file.scope["notObservableInSandbox"]
                 if g.get("fields") == ["DeadLetterConfig"] and g["resource"] == gap.resource]
    assert applied["controls"] == ["LOG-02"] and applied["resource"] == gap.resource
    # the processor's log group is Lambda's default one: moto's dropped LoggingConfig hides only its format
    [processor] = [f for f in dev_audit.of("LOG-02") if f.resource.name == deployed_dev.outputs["processorFunctionName"]]
    assert processor.status == "pass", processor


def test_same_inputs_same_findings(dev_audit, deployed_dev, tmp_path):
    again = run_audit_cli(tmp_path, *sandbox_args(deployed_dev, "--concurrency", "2"))
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in dev_audit.findings]
    assert len({f.id for f in dev_audit.findings}) == len(dev_audit.findings)


def test_an_audit_that_finds_nothing_is_an_error(deployed_dev, tmp_path):
    run = run_audit_cli(tmp_path, "--endpoint-url", deployed_dev.endpoint, "--region", deployed_dev.region,
                        "--suffix", "nosuchstack")
    assert run.exit_code == EXIT_ERROR
    assert not run.file.complete
    assert "no resources found for suffix 'nosuchstack'" in run.output


def test_without_the_gaps_file_the_gaps_are_errors(deployed_dev, tmp_path):
    """Fail closed: what moto cannot answer is an error unless a known gap says why."""
    run = run_audit_cli(tmp_path, "--endpoint-url", deployed_dev.endpoint, "--region", deployed_dev.region,
                        "--suffix", "dev")
    assert run.exit_code == EXIT_ERROR
    errored = {f.evidence.get("api") for f in run.with_status("error")}
    assert errored
    assert errored <= {g.api for g in load_gaps([deployed_dev.gaps_path, MOTO_READ_GAPS]).gaps}
    assert all(f.status != "not_applicable" or f.message.startswith("no ") or _decided_not_applicable(f)
               for f in run.findings)


@pytest.mark.parametrize("gap", load_gaps([MOTO_READ_GAPS]).gaps, ids=lambda g: g.api)
def test_each_moto_read_gap_is_still_real(gap, deployed_dev):
    """If moto learns an API, its entry in moto-read-gaps.json must go (so the audit checks it for real)."""
    service, operation = gap.api.split(":")
    client = stack_client(deployed_dev, service)
    calls = {
        "iot:ListTagsForResource": lambda: client.list_tags_for_resource(
            resourceArn=client.get_policy(policyName=deployed_dev.outputs["iotPolicyName"])["policyArn"]),
        "elasticache:DescribeCacheClusters": lambda: client.describe_cache_clusters(
            CacheClusterId=client.describe_replication_groups(
                ReplicationGroupId=deployed_dev.outputs["redisReplicationGroupId"])["ReplicationGroups"][0][
                "MemberClusters"][0]),
    }
    with pytest.raises(Exception) as raised:
        calls[gap.api]()
    assert type(raised.value).__name__ in ("ClientError", "CacheClusterNotFoundFault"), raised.value


def test_the_tagging_api_answers_the_tags_each_service_answers(deployed_dev):
    """GOV-03 and the scope read the tags of TAGGING_API_SERVICES from one GetResources per region: on the
    sandbox, that answer holds, for every resource of those services, exactly the tags the service's own tag read
    answers (a resource it leaves out has none), so no type served by it reads differently than before."""
    def client(service: str):
        return stack_client(deployed_dev, service)

    own: dict[str, dict[str, str]] = {}
    for name in client("dynamodb").list_tables()["TableNames"]:
        arn = client("dynamodb").describe_table(TableName=name)["Table"]["TableArn"]
        own[arn] = tag_dict(client("dynamodb").list_tags_of_resource(ResourceArn=arn)["Tags"])
    for group in client("elasticache").describe_replication_groups()["ReplicationGroups"]:
        own[group["ARN"]] = tag_dict(client("elasticache").list_tags_for_resource(ResourceName=group["ARN"])["TagList"])
    for key in client("kms").list_keys()["Keys"]:
        own[key["KeyArn"]] = tag_dict(client("kms").list_resource_tags(KeyId=key["KeyId"])["Tags"], "TagKey", "TagValue")
    for function in client("lambda").list_functions()["Functions"]:
        own[function["FunctionArn"]] = client("lambda").list_tags(Resource=function["FunctionArn"])["Tags"]
    for group in client("logs").describe_log_groups()["logGroups"]:
        arn = group["arn"].removesuffix(":*")
        own[arn] = client("logs").list_tags_for_resource(resourceArn=arn)["tags"]
    for proxy in client("rds").describe_db_proxies()["DBProxies"]:
        own[proxy["DBProxyArn"]] = tag_dict(client("rds").list_tags_for_resource(ResourceName=proxy["DBProxyArn"])[
            "TagList"])
    for bucket in client("s3").list_buckets()["Buckets"]:
        try:
            tags = client("s3").get_bucket_tagging(Bucket=bucket["Name"])["TagSet"]
        except client("s3").exceptions.ClientError as exc:
            assert exc.response["Error"]["Code"] == "NoSuchTagSet", exc
            tags = []
        own[f"arn:aws:s3:::{bucket['Name']}"] = tag_dict(tags)
    for url in client("sqs").list_queues().get("QueueUrls", []):
        arn = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        own[arn] = client("sqs").list_queue_tags(QueueUrl=url).get("Tags", {})
    pages = client("resourcegroupstaggingapi").get_paginator("get_resources").paginate(
        ResourceTypeFilters=list(TAGGING_API_SERVICES))
    tagging = {m["ResourceARN"]: tag_dict(m["Tags"]) for page in pages for m in page["ResourceTagMappingList"]}
    services = {arn.split(":")[2] for arn, tags in own.items() if tags.get("Environment")}
    assert services == set(TAGGING_API_SERVICES), services  # every served service is compared on a tagged resource
    assert {arn: tagging.get(arn, {}) for arn in own} == own


def test_audit_json_is_a_valid_findings_file(dev_audit):
    data = json.loads(json.dumps(dev_audit.file.to_dict()))
    assert data["layer"] == "live" and data["tool"]["name"] == "compliance-audit"
    assert all(f["layer"] == "live" and f["check"] and f["message"] for f in data["findings"])
    order = [(f["control"], f["resource"]["id"], f["check"]) for f in data["findings"]]
    assert order == sorted(order)  # sorted as written: same inputs, same file
    assert {f["status"] for f in data["findings"]} <= {*GREEN, "fail"}
