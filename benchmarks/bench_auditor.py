"""The compliance auditor's handler path against the sandbox: event -> Security Hub finding. Prints figures; asserts
nothing.

The dev stack is deployed into a moto server on loopback (Security Hub enabled there), and the handler is called
in-process as Lambda would call it (moto cannot run Lambda code):

1. one changed resource: the Kinesis stream's encryption is stopped or started, and the CloudTrail event for it
   goes through the handler; the time is the handler call, at whose end the ENC-01 finding is in Security Hub
   (checked after each call, outside the timing). Median and p95 over ``--events`` changes;
2. a burst: ``--burst`` CloudTrail events naming the stack's stream, keys, log groups and security groups are put
   on the deployed auditor queue; batches of 10 are received, handed to the handler and deleted unless reported
   failed, until the queue is empty. Counted: records handled, failures, what is left in the queue and in the DLQ.

moto answers one request at a time in Python: the figures measure the handler's request pattern, not AWS.

Run: .venv/bin/python benchmarks/bench_auditor.py [--events N] [--burst N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import compliance  # noqa: E402,F401  (puts policies/ on the path)
from compliance.sandbox.deploy import deploy  # noqa: E402
from compliance.sandbox.server import start_server  # noqa: E402
from compliance_tests.auditor import support  # noqa: E402

SUFFIX = "bench"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def burst_events(stack, count: int) -> list[dict]:
    """Changes spread over the stack's resources, each naming one of them as CloudTrail would."""
    outputs, region = stack.outputs, stack.region
    kinds = [("kinesis.amazonaws.com", "StartStreamEncryption", {"streamName": outputs["streamName"]})]
    kinds += [("kms.amazonaws.com", "EnableKeyRotation", {"keyId": arn}) for arn in outputs["kmsKeyArns"].values()]
    kinds += [("logs.amazonaws.com", "PutRetentionPolicy", {"logGroupName": name, "retentionInDays": 30})
              for name in outputs["logGroupNames"]]
    kinds += [("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {"groupId": group})
              for group in outputs["securityGroupIds"].values()]
    return [support.cloudtrail_event(source, name, region, request)
            for source, name, request in (kinds[i % len(kinds)] for i in range(count))]


def single_changes(handler, stack, events: int) -> list[float]:
    kinesis, hub = stack.client("kinesis"), stack.client("securityhub")
    name, key = stack.outputs["streamName"], stack.outputs["kmsKeyArns"]["kinesis"]
    finding_id = f"iot-compliance/ENC-01/{stack.outputs['streamArn']}"
    seconds = []
    for index in range(events):
        stop = index % 2 == 0
        change = kinesis.stop_stream_encryption if stop else kinesis.start_stream_encryption
        change(StreamName=name, EncryptionType="KMS", KeyId=key)
        event = support.sqs_event(support.cloudtrail_event(
            "kinesis.amazonaws.com", "StopStreamEncryption" if stop else "StartStreamEncryption", stack.region,
            {"streamName": name, "encryptionType": "KMS", "keyId": key}), region=stack.region)
        started = time.perf_counter()
        response = handler.lambda_handler(event, support.FakeLambdaContext())
        seconds.append(time.perf_counter() - started)
        status = support.finding(hub, finding_id)["Compliance"]["Status"]
        if response["batchItemFailures"] or status != ("FAILED" if stop else "PASSED"):
            raise SystemExit(f"change {index}: {response} / {status}: the finding does not follow the change")
    if events % 2:
        kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key)
    return seconds


def burst(handler, stack, count: int) -> dict:
    sqs = stack.client("sqs")
    queue, dlq = stack.outputs["auditorQueueUrl"], stack.outputs["auditorDlqUrl"]
    events = burst_events(stack, count)
    for start in range(0, count, 10):
        sqs.send_message_batch(QueueUrl=queue, Entries=[
            {"Id": str(i), "MessageBody": json.dumps(e)} for i, e in enumerate(events[start:start + 10])])
    handled = failures = 0
    started = time.perf_counter()
    idle = 0
    while idle < 3:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=120,
                                       AttributeNames=["All"]).get("Messages", [])
        if not messages:
            idle += 1
            continue
        idle = 0
        records = [support.sqs_record(m["Body"], stack.region) | {"messageId": m["MessageId"],
                                                                  "receiptHandle": m["ReceiptHandle"]}
                   for m in messages]
        failed = support.failed_ids(handler.lambda_handler({"Records": records}, support.FakeLambdaContext()))
        handled += len(messages) - len(failed)
        failures += len(failed)
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(QueueUrl=queue, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
    seconds = time.perf_counter() - started
    left = int(sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"])
    in_dlq = int(sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"])
    return {"sent": count, "handled": handled, "failures": failures, "left": left, "dlq": in_dlq, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the handler's log lines are not what is measured
    with start_server() as server:
        stack = deploy("dev", SUFFIX, endpoint=server.endpoint, outputs_path=Path("/tmp") / "bench-auditor.json")
        stack.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
        support.detach_queue_mapping(stack)  # this script plays the mapping's part
        env = support.auditor_environment(stack.endpoint, stack.region, SUFFIX, stack.outputs["evidenceBucketName"])
        with support.environment(env), contextlib.redirect_stdout(io.StringIO()):
            handler = support.import_handler()
            seconds = single_changes(handler, stack, args.events)
            result = burst(handler, stack, args.burst)
    print(f"one changed resource (ENC-01 on the stream), {len(seconds)} events, handler call -> finding in "
          f"Security Hub: median {statistics.median(seconds) * 1000:.0f} ms, p95 {percentile(seconds, 0.95) * 1000:.0f} "
          f"ms, max {max(seconds) * 1000:.0f} ms")
    print(f"burst: {result['sent']} events through the auditor queue in {result['seconds']:.1f} s "
          f"({result['sent'] / result['seconds']:.0f} events/s): {result['handled']} handled, {result['failures']} "
          f"failed deliveries, {result['left']} left in the queue, {result['dlq']} in the DLQ")


if __name__ == "__main__":
    main()
