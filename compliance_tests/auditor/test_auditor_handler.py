"""The auditor's handler against the sandbox (moto server over HTTP; the handler is called as Lambda would,
since moto cannot run Lambda code): a change re-checks its controls on its resource and lands in Security Hub
with the actor; what it cannot use is logged, changes no finding and is not lost."""

from __future__ import annotations

import json

import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from compliance_tests.auditor import support
from compliance_tests.auditor.conftest import SUFFIX

KINESIS = "kinesis.amazonaws.com"


@pytest.fixture(scope="module")
def stream(stack):
    return {"name": stack.outputs["streamName"], "arn": stack.outputs["streamArn"],
            "key": stack.outputs["kmsKeyArns"]["kinesis"]}


@pytest.fixture
def hub(stack):
    return stack.client("securityhub")


def _all_findings(hub) -> dict[str, dict]:
    return {f["Id"]: f for page in hub.get_paginator("get_findings").paginate() for f in page["Findings"]}


def _event(stack, name, request, **kwargs):
    return support.cloudtrail_event(KINESIS, name, stack.region, request, **kwargs)


def test_stop_then_start_stream_encryption_fails_then_passes_and_archives_the_enc_01_finding(
        stack, stream, hub, invoke):
    kinesis = stack.client("kinesis")
    finding_id = f"iot-compliance/ENC-01/{stream['arn']}"
    kinesis.stop_stream_encryption(StreamName=stream["name"], EncryptionType="KMS", KeyId=stream["key"])
    try:
        stop = _event(stack, "StopStreamEncryption",
                      {"streamName": stream["name"], "encryptionType": "KMS", "keyId": stream["key"]})
        assert invoke(stop) == {"batchItemFailures": []}
        failed = support.finding(hub, finding_id)
        assert failed is not None, "one handler call puts the ENC-01 finding in Security Hub"
        assert (failed["Compliance"]["Status"], failed["RecordState"]) == ("FAILED", "ACTIVE")
        assert failed["Resources"][0]["Id"] == stream["arn"] and failed["Resources"][0]["Type"] == "AwsKinesisStream"
        fields = failed["ProductFields"]
        assert fields["iot-compliance/change/userIdentityArn"] == support.ACTOR
        assert fields["iot-compliance/change/sourceIPAddress"] == support.ACTOR_IP
        assert fields["iot-compliance/change/eventName"] == "StopStreamEncryption"
        assert fields["iot-compliance/change/eventTime"] == stop["detail"]["eventTime"]
        assert stream["name"] in failed["Description"]
    finally:
        kinesis.start_stream_encryption(StreamName=stream["name"], EncryptionType="KMS", KeyId=stream["key"])
    start = _event(stack, "StartStreamEncryption",
                   {"streamName": stream["name"], "encryptionType": "KMS", "keyId": stream["key"]})
    assert invoke(start) == {"batchItemFailures": []}
    passed = support.finding(hub, finding_id)
    assert (passed["Compliance"]["Status"], passed["RecordState"]) == ("PASSED", "ARCHIVED")
    assert passed["ProductFields"]["iot-compliance/change/eventName"] == "StartStreamEncryption"
    assert len([f for f in _all_findings(hub) if f == finding_id]) == 1  # the same finding, re-imported


def test_the_import_never_sends_fields_aws_keeps_from_the_provider_after_creation(handler, stack, stream):
    from compliance.findings import Finding, ResourceRef

    finding = Finding("ENC-01", "live", "pass", ResourceRef(stream["arn"], "aws:kinesis/stream:Stream",
                                                            stream["name"], stack.region), "ok", "enc-01-x")
    asff = handler.auditor.hub.asff(finding, "2026-01-01T00:00:00Z", {"eventName": "StartStreamEncryption"})
    assert not {"Workflow", "Note", "UserDefinedFields", "VerificationState"} & set(asff)
    assert asff["Id"] == f"iot-compliance/ENC-01/{stream['arn']}"


def test_a_change_outside_the_stack_is_logged_and_changes_no_finding(stack, hub, invoke, caplog):
    kinesis = stack.client("kinesis")
    kinesis.create_stream(StreamName="kinesis-elsewhere-other", ShardCount=1)
    before = _all_findings(hub)
    response = invoke(_event(stack, "StopStreamEncryption", {"streamName": "kinesis-elsewhere-other"}))
    assert response == {"batchItemFailures": []}
    assert _all_findings(hub) == before
    out = caplog.text
    assert f"ignored kinesis:StopStreamEncryption: it names no resource of stack {SUFFIX}" in out
    assert "kinesis-elsewhere-other" in out


def test_an_api_no_control_lists_is_logged_and_changes_no_finding(stack, stream, hub, invoke, caplog):
    before = _all_findings(hub)
    assert invoke(_event(stack, "DescribeStreamSummary", {"streamName": stream["name"]})) == {"batchItemFailures": []}
    assert _all_findings(hub) == before
    assert "ignored kinesis:DescribeStreamSummary: no control in policies/controls.yaml lists it" in caplog.text


def test_a_failed_call_changed_nothing_and_is_logged(stack, stream, hub, invoke, caplog):
    before = _all_findings(hub)
    event = _event(stack, "StopStreamEncryption", {"streamName": stream["name"]}, error_code="AccessDenied")
    assert invoke(event) == {"batchItemFailures": []}
    assert _all_findings(hub) == before
    assert "the call failed (AccessDenied), nothing changed" in caplog.text


@pytest.mark.parametrize("body", ["not json", json.dumps({"detail-type": "Scheduled Event", "detail": {}}),
                                  json.dumps({"detail-type": "AWS API Call via CloudTrail",
                                              "detail": {"eventSource": KINESIS}})])
def test_a_malformed_message_fails_its_record_and_changes_no_finding(stack, hub, invoke, caplog, body):
    before = _all_findings(hub)
    event = support.sqs_event(body, region=stack.region)
    response = invoke(body)
    assert len(response["batchItemFailures"]) == 1
    assert _all_findings(hub) == before
    assert "malformed event, no finding changed" in caplog.text
    assert event["Records"][0]["body"] == body


def test_a_malformed_message_ends_in_the_dead_letter_queue_after_its_retries(stack, handler):
    """Through the deployed queue: every failed delivery leaves the message queued until the redrive policy moves
    it to the DLQ (moto applies maxReceiveCount on receive); nothing is deleted."""

    sqs = stack.client("sqs")
    queue, dlq = stack.outputs["auditorQueueUrl"], stack.outputs["auditorDlqUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="{broken")
    deliveries, counts = 0, [0]
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                       AttributeNames=["All"]).get("Messages", [])
        if not messages:
            break
        records = [support.sqs_record(m["Body"], stack.region) | {"messageId": m["MessageId"],
                                                                  "receiptHandle": m["ReceiptHandle"]}
                   for m in messages]
        response = handler.lambda_handler({"Records": records}, support.FakeLambdaContext())
        failed = support.failed_ids(response)
        deliveries += 1
        counts = [int(m["Attributes"]["ApproximateReceiveCount"]) for m in messages]
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert counts == [5] and deliveries == 5  # the component's MAX_RECEIVE_COUNT, then moved to the DLQ
    kept = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in kept] == ["{broken"]


def _stubbed_import(handler, stack, code, status, attempts):
    handler.auditor.require_security_hub()  # checked once per container, before the failure
    client = handler.auditor.aws.client("securityhub", stack.region)
    stubber = Stubber(client)
    for _ in range(attempts):
        stubber.add_client_error("batch_import_findings", service_error_code=code, http_status_code=status,
                                 service_message=f"{code} (injected)")
    return stubber


@pytest.mark.parametrize(("code", "status", "attempts", "words"), [
    ("AccessDeniedException", 403, 1, "grant securityhub:BatchImportFindings"),
    ("ThrottlingException", 400, 1, "throttled (ThrottlingException) after 2 attempts"),
])
def test_security_hub_refusing_the_import_fails_that_record_only(handler, stack, stream, code, status, attempts,
                                                                  words, caplog):
    """AWS's answers, injected with botocore's Stubber (moto never denies or throttles). The Stubber answers before
    botocore's retry handler runs, so a throttle is seen once here; against AWS botocore retries it first."""
    change = _event(stack, "StartStreamEncryption", {"streamName": stream["name"]})
    unrelated = _event(stack, "DescribeStreamSummary", {"streamName": stream["name"]})
    event = support.sqs_event(change, unrelated, region=stack.region)
    with _stubbed_import(handler, stack, code, status, attempts) as stubber:
        response = handler.lambda_handler(event, support.FakeLambdaContext())
        stubber.assert_no_pending_responses()
    assert support.failed_ids(response) == {event["Records"][0]["messageId"]}
    assert words in caplog.text


def test_security_hub_refusing_some_findings_fails_the_record(handler, stack, stream):
    change = _event(stack, "StartStreamEncryption", {"streamName": stream["name"]})
    with _stubbed_import(handler, stack, "unused", 400, 0) as stubber:
        stubber.add_response("batch_import_findings", {
            "FailedCount": 1, "SuccessCount": 0,
            "FailedFindings": [{"Id": "x", "ErrorCode": "InvalidInput", "ErrorMessage": "injected"}]})
        response = handler.lambda_handler(support.sqs_event(change, region=stack.region), support.FakeLambdaContext())
    assert len(response["batchItemFailures"]) == 1


def test_a_listing_that_fails_fails_the_record_instead_of_reading_as_outside_the_stack(handler, stack, stream, hub,
                                                                                       caplog):
    """The stream listing refused (AccessDenied, which moto never answers): ENC-01 could not judge the named
    stream, so the record fails (retried, then the DLQ) and no finding changes; it is not "outside the stack"."""
    client = handler.auditor.aws.client("kinesis", stack.region)

    def refuse(**_):
        error = {"Error": {"Code": "AccessDeniedException", "Message": "injected"},
                 "ResponseMetadata": {"HTTPStatusCode": 400}}
        return AWSResponse("https://kinesis.invalid", 400, {}, None), error

    before = _all_findings(hub)
    change = _event(stack, "StopStreamEncryption", {"streamName": stream["name"], "encryptionType": "KMS"})
    event = support.sqs_event(change, region=stack.region)
    client.meta.events.register("before-call.kinesis.ListStreams", refuse, unique_id="refuse-list-streams")
    try:
        response = handler.lambda_handler(event, support.FakeLambdaContext())
    finally:
        client.meta.events.unregister("before-call.kinesis.ListStreams", unique_id="refuse-list-streams")
    assert support.failed_ids(response) == {event["Records"][0]["messageId"]}
    assert "could not be judged" in caplog.text and "names no resource of stack" not in caplog.text
    assert _all_findings(hub) == before


def test_security_hub_off_is_a_clear_error_and_the_batch_stays_queued(handler, stack, stream):
    handler.auditor._hub_checked = False
    client = handler.auditor.aws.client("securityhub", stack.region)
    with Stubber(client) as stubber:
        stubber.add_client_error("describe_hub", service_error_code="InvalidAccessException", http_status_code=401,
                                 service_message="Account is not subscribed to AWS Security Hub")
        with pytest.raises(RuntimeError, match=r"Security Hub is not enabled in .* enable-security-hub"):
            handler.lambda_handler(support.sqs_event(_event(stack, "StartStreamEncryption",
                                                            {"streamName": stream["name"]}), region=stack.region),
                                   support.FakeLambdaContext())
    handler.auditor.require_security_hub()  # enabled again (the real sandbox answers)


def test_the_scheduled_audit_writes_every_report_format_to_the_locked_evidence_bucket(handler, stack, hub,
                                                                                    evidence_bucket):
    result = handler.lambda_handler({"auditor": "scheduled-audit"}, support.FakeLambdaContext())
    names = {key.rsplit("/", 1)[1] for key in result["reports"]}
    assert {"report.json", "index.html", "findings.csv", "report.sarif", "junit.xml", "summary.md"} <= names
    assert result["imported"] > 0 and result["counts"]["pass"] > 0
    s3 = stack.client("s3")
    report_key = next(k for k in result["reports"] if k.endswith("report.json"))
    report = json.loads(s3.get_object(Bucket=evidence_bucket, Key=report_key)["Body"].read())
    assert report["scope"]["suffix"] == SUFFIX and report["expected"]["layers"] == ["live"]
    head = s3.head_object(Bucket=evidence_bucket, Key=report_key)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):
        s3.delete_object(Bucket=evidence_bucket, Key=report_key, VersionId=head["VersionId"])
    assert support.finding(hub, f"iot-compliance/ENC-01/{stack.outputs['streamArn']}") is not None
