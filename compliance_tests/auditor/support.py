"""The auditor's surroundings for its tests and benchmark: CloudTrail-shaped events in SQS records, a Lambda
context, and the handler imported as Lambda does at cold start (moto cannot run Lambda code)."""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AUDITOR_DIR = ROOT / "program" / "functions" / "auditor"
ACTOR = "arn:aws:iam::123456789012:user/mallory"
ACTOR_IP = "198.51.100.7"


def add_auditor_to_path() -> None:
    """The function's code root, as in the runtime; no __pycache__ in the archived directory."""
    sys.dont_write_bytecode = True
    if str(AUDITOR_DIR) not in sys.path:
        sys.path.insert(0, str(AUDITOR_DIR))


def auditor_environment(endpoint: str, region: str, suffix: str, bucket: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region, "AWS_ENDPOINT_URL": endpoint, "AUDIT_SUFFIX": suffix, "EVIDENCE_BUCKET": bucket,
        "AUDIT_MAX_ATTEMPTS": "2", "POWERTOOLS_SERVICE_NAME": "compliance-auditor",
        "POWERTOOLS_METRICS_NAMESPACE": "IotPlatform/Compliance", "POWERTOOLS_TRACE_DISABLED": "true",
    }


def detach_queue_mapping(stack: Any) -> None:
    """Disable the auditor queue's event source mapping in a stack of the caller's own: moto hands every new message
    to an enabled one and tries to run the function (it needs Docker), which takes deliveries away from the
    caller, who plays the mapping's part by calling the handler. (moto keeps a deleted mapping on the queue.)"""
    lambda_ = stack.client("lambda")
    queue_arn = stack.client("sqs").get_queue_attributes(QueueUrl=stack.outputs["auditorQueueUrl"],
                                                         AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for mapping in lambda_.list_event_source_mappings(EventSourceArn=queue_arn)["EventSourceMappings"]:
        lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)


def import_handler() -> ModuleType:
    add_auditor_to_path()
    spec = importlib.util.spec_from_file_location(f"auditor_handler_{uuid.uuid4().hex[:6]}",
                                                  AUDITOR_DIR / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class FakeLambdaContext:
    function_name: str = "lambda-auditor-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:sa-east-1:123456789012:function:lambda-auditor-test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/lambda-auditor-test"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def cloudtrail_event(source: str, name: str, region: str, request: dict[str, Any] | None = None,
                     response: dict[str, Any] | None = None, *, actor: str = ACTOR, error_code: str = "",
                     account: str = "123456789012") -> dict[str, Any]:
    """What EventBridge delivers for a CloudTrail management event (the rule's target input)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    detail: dict[str, Any] = {
        "eventVersion": "1.09", "eventTime": now, "eventSource": source, "eventName": name,
        "awsRegion": region, "sourceIPAddress": ACTOR_IP, "userAgent": "aws-cli/2.17",
        "userIdentity": {"type": "IAMUser", "arn": actor, "accountId": account},
        "requestParameters": request or {}, "responseElements": response, "eventID": str(uuid.uuid4()),
        "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": account,
    }
    if error_code:
        detail["errorCode"] = error_code
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "AWS API Call via CloudTrail",
            "source": f"aws.{source.split('.')[0]}", "account": account, "time": now, "region": region,
            "resources": [], "detail": detail}


def sqs_record(body: str, region: str) -> dict[str, Any]:
    message_id = str(uuid.uuid4())
    return {"messageId": message_id, "receiptHandle": f"handle-{message_id}", "body": body,
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0", "SenderId": "events",
                           "ApproximateFirstReceiveTimestamp": "0"},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:{region}:123456789012:queue-auditor-events", "awsRegion": region}


def sqs_event(*bodies: dict[str, Any] | str, region: str) -> dict[str, Any]:
    return {"Records": [sqs_record(b if isinstance(b, str) else json.dumps(b), region) for b in bodies]}


def failed_ids(response: dict[str, Any]) -> set[str]:
    return {item["itemIdentifier"] for item in response["batchItemFailures"]}


def finding(securityhub: Any, finding_id: str) -> dict[str, Any] | None:
    """The Security Hub finding with this Id (moto's GetFindings ignores filters: read them all)."""
    for page in securityhub.get_paginator("get_findings").paginate():
        for item in page["Findings"]:
            if item["Id"] == finding_id:
                return item
    return None
