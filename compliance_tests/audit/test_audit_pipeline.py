"""The data pipeline end to end in the sandbox: IoT rule -> Kinesis -> processor -> PostgreSQL, DynamoDB, S3.

Telemetry goes onto the deployed stream as the IoT topic rule puts it (the
thing name as partition key, the message as data). moto runs no Lambda
(Docker), so the records are read back with GetRecords and handed to the
processor's handler in-process, shard by shard, as the event source mapping
would. The handler runs with the function's environment as deployed, with two
stand-ins for what moto cannot do:

- Redis: the sandbox's ElastiCache has no endpoint, so a real redis-server on a
  free loopback port stands in, requiring the AUTH token the handler reads from
  the deployed secret;
- Aurora behind RDS Proxy: moto runs no database, so a real PostgreSQL (TLS
  required, migrated to head) stands in, the writer role's password in place of
  the IAM token;
- the archive's TLS-only bucket policy is lifted while the handler runs and
  put back after: moto 5.2.5 treats a Deny statement whose condition does not
  match as a denial (moto/iam/access_control.py), so that policy refuses every
  PutObject, over TLS or not.
"""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest

from compliance_tests.audit.conftest import stack_client
from compliance_tests.environment import environment
from compliance_tests.processor import postgres, servers
from compliance_tests.processor.events import FakeLambdaContext, published_payload

READINGS_PER_DEVICE = 12
DEVICES = 3


@pytest.fixture(scope="module")
def deployed(drift_stack):
    """The processor's deployed environment, the devices (things) and their messages."""
    outputs = drift_stack.outputs
    configuration = stack_client(drift_stack, "lambda").get_function_configuration(
        FunctionName=outputs["processorFunctionName"])
    iot = stack_client(drift_stack, "iot")
    devices = []
    for thing in outputs["thingNames"][:DEVICES]:
        attributes = iot.describe_thing(thingName=thing)["attributes"]
        devices.append((thing, attributes["facility"], attributes["deviceType"]))
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    messages = [
        {"schemaVersion": 1, "deviceId": thing, "facility": facility, "deviceType": device_type,
         "timestamp": (start + timedelta(seconds=5 * index)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
         "sequence": 500 + index,
         "metrics": {"temperature_c": 60 + index % 3, "vibration_mm_s": 4.0 + (index % 4) / 10}}
        for thing, facility, device_type in devices for index in range(READINGS_PER_DEVICE)
    ]
    return {"environment": configuration["Environment"]["Variables"], "messages": messages}


def put_as_the_iot_rule_does(stack, messages: list[dict]) -> None:
    """The topic rule's Kinesis action: partition key ${topic(3)} (the thing), data the message with the
    identity the rule adds (the thing the broker authenticated, the facility of its topic)."""
    kinesis = stack_client(stack, "kinesis")
    for start in range(0, len(messages), 500):
        answer = kinesis.put_records(StreamName=stack.outputs["streamName"], Records=[
            {"Data": published_payload(m), "PartitionKey": m["deviceId"]} for m in messages[start:start + 500]])
        assert answer["FailedRecordCount"] == 0


def batches_from_the_stream(stack) -> list[list[dict]]:
    """Every shard's records as the event source mapping hands them to the function."""
    kinesis = stack_client(stack, "kinesis")
    name, arn = stack.outputs["streamName"], stack.outputs["streamArn"]
    batches = []
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            records += page["Records"]
            iterator = page.get("NextShardIterator") if page["Records"] else None
        if records:
            batches.append([{
                "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": r["PartitionKey"],
                            "sequenceNumber": r["SequenceNumber"], "data": base64.b64encode(r["Data"]).decode(),
                            "approximateArrivalTimestamp": r["ApproximateArrivalTimestamp"].timestamp()},
                "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventName": "aws:kinesis:record",
                "eventID": f"{shard['ShardId']}:{r['SequenceNumber']}", "eventSourceARN": arn,
                "awsRegion": stack.region,
                "invokeIdentityArn": f"arn:aws:iam::{stack.account_id}:role/role-processor-{stack.suffix}",
            } for r in records])
    return batches


@pytest.fixture(scope="module")
def processed(drift_stack, deployed):
    """Put the messages on the stream, run the handler on every shard's batch (twice: a redelivery)."""
    environment_as_deployed = deployed["environment"]
    secret = stack_client(drift_stack, "secretsmanager").get_secret_value(
        SecretId=environment_as_deployed["REDIS_AUTH_SECRET_ARN"])["SecretString"]
    put_as_the_iot_rule_does(drift_stack, deployed["messages"])
    batches = batches_from_the_stream(drift_stack)
    s3, bucket = stack_client(drift_stack, "s3"), environment_as_deployed["ARCHIVE_BUCKET"]
    tls_only = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    try:
        with servers.redis_server(secret) as redis, postgres.migrated_database() as database, environment({
                **environment_as_deployed, "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis["port"]),
                "REDIS_TLS": "false", "DATABASE_HOST": database.server.host,
                "DATABASE_PORT": str(database.server.port), "DATABASE_CA_BUNDLE": database.server.ca_file,
                "AWS_ENDPOINT_URL": drift_stack.endpoint, "AWS_DEFAULT_REGION": drift_stack.region,
                "AWS_MAX_ATTEMPTS": "2"}):
            handler = servers.import_handler(database_password=database.passwords[postgres.WRITER])
            first = [handler.lambda_handler({"Records": batch}, FakeLambdaContext()) for batch in batches]
            again = [handler.lambda_handler({"Records": batch}, FakeLambdaContext()) for batch in batches]
            with database.connect() as connection:
                aggregates = connection.execute(
                    "SELECT device_id, metric, count, min, max FROM telemetry.minute_aggregates").fetchall()
        archive = read_archive(s3, bucket)
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=tls_only)
    return {"batches": batches, "first": first, "again": again, "archive": archive, "aggregates": aggregates}


def read_archive(s3, bucket: str) -> list[dict]:
    """Every archive object: its encryption headers and its JSON lines."""
    objects = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="raw/facility="):
        for entry in page.get("Contents", []):
            answer = s3.get_object(Bucket=bucket, Key=entry["Key"])
            objects.append({"key": entry["Key"], "sse": answer.get("ServerSideEncryption"),
                            "key_id": answer.get("SSEKMSKeyId"),
                            "lines": [json.loads(line) for line in gzip.decompress(answer["Body"].read()).splitlines()]})
    return objects


def test_every_record_is_processed(processed, deployed):
    assert sum(len(b) for b in processed["batches"]) == len(deployed["messages"])
    assert all(r["batchItemFailures"] == [] for r in processed["first"] + processed["again"])


def test_aggregates_land_in_the_analytics_database(processed, deployed):
    assert deployed["environment"]["DATABASE_USER"] == "telemetry_writer"
    for device in {m["deviceId"] for m in deployed["messages"]}:
        sent = [m for m in deployed["messages"] if m["deviceId"] == device]
        for metric in ("temperature_c", "vibration_mm_s"):
            rows = [r for r in processed["aggregates"] if r[0] == device and r[1] == metric]
            values = [m["metrics"][metric] for m in sent]
            assert sum(r[2] for r in rows) == len(values)  # redelivery counted once
            assert min(float(r[3]) for r in rows) == pytest.approx(min(values))
            assert max(float(r[4]) for r in rows) == pytest.approx(max(values))


def test_raw_records_are_archived_encrypted(processed, deployed, drift_stack):
    """Each message archived once (redelivery included), with its stream position, under its partition."""
    assert deployed["environment"]["ARCHIVE_BUCKET"] == drift_stack.outputs["archiveBucketName"]
    positions = {(r["kinesis"]["partitionKey"], r["kinesis"]["sequenceNumber"])
                 for batch in processed["batches"] for r in batch}
    objects = processed["archive"]
    assert objects
    mine = {(m["deviceId"], m["sequence"]) for m in deployed["messages"]}
    archived = []
    for entry in objects:
        assert entry["sse"] == "aws:kms" and entry["key_id"] == drift_stack.outputs["kmsKeyArns"]["s3"]
        for line in entry["lines"]:
            message = line["message"]
            if (message["deviceId"], message["sequence"]) not in mine:
                continue
            archived.append((message["deviceId"], message["sequence"]))
            assert (message["deviceId"], line["sequenceNumber"]) in positions
            assert entry["key"].startswith(
                f"raw/facility={message['facility']}/device_type={message['deviceType']}/"
                f"date={message['timestamp'][:10]}/hour={message['timestamp'][11:13]}/")
    assert sorted(archived) == sorted(mine)


def test_the_pipeline_leaves_no_dead_letters(processed, deployed, drift_stack):
    sqs = stack_client(drift_stack, "sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=deployed["environment"]["DLQ_URL"],
                                          AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"

