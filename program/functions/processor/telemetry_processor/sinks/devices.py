"""Device state in the devices table: when each device was last heard from.

Item (DEVICES_TABLE, hash ``deviceId``)::

    deviceId        S
    facility, deviceType   S   as the device last reported them
    lastSequence    N   highest device sequence number processed
    lastReadingAt   S   that reading's timestamp (UTC, microseconds)
    lastSeenAt      S   when it reached Kinesis (approximate arrival, UTC)

One conditional update per device and batch (``lastSequence`` must grow), so
replays and out-of-order retries never move the state backwards. Operations
query it for devices that have gone quiet.
"""

from __future__ import annotations

from concurrent.futures import Executor

from botocore.exceptions import ClientError

from telemetry_processor.model import Reading
from telemetry_processor.sinks import TRANSIENT_ERRORS, SinkOutcome, describe
from telemetry_processor.sinks.dynamodb import number
from telemetry_processor.timestamps import utc_micros_text, utc_seconds_text


class DeviceStateWriter:
    def __init__(self, client, table: str, executor: Executor):
        self._client = client
        self._table = table
        self._executor = executor

    def write(self, readings: list[Reading]) -> SinkOutcome:
        outcome = SinkOutcome("devices")
        latest: dict[str, Reading] = {}
        for reading in readings:
            current = latest.get(reading.device_id)
            if current is None or reading.sequence > current.sequence:
                latest[reading.device_id] = reading
        futures = [(reading, self._executor.submit(self._update, reading)) for reading in latest.values()]
        for reading, future in futures:
            error = future.result()
            if error:
                outcome.fail([reading.position], f"device {reading.device_id}: {error}")
            else:
                outcome.written += 1
        return outcome

    def _update(self, reading: Reading) -> str | None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"deviceId": {"S": reading.device_id}},
                UpdateExpression=(
                    "SET facility = :facility, deviceType = :deviceType, lastSequence = :sequence, "
                    "lastReadingAt = :readingAt, lastSeenAt = :seenAt"
                ),
                ConditionExpression="attribute_not_exists(lastSequence) OR lastSequence < :sequence",
                ExpressionAttributeValues={
                    ":facility": {"S": reading.facility},
                    ":deviceType": {"S": reading.device_type},
                    ":sequence": number(reading.sequence),
                    ":readingAt": {"S": utc_micros_text(reading.timestamp_us)},
                    ":seenAt": {"S": utc_seconds_text(reading.position.arrival)},
                },
            )
        except ClientError as error:
            if describe(error) == "ConditionalCheckFailedException":
                return None  # the table already holds a later message: nothing to do
            return describe(error)
        except TRANSIENT_ERRORS as error:
            return describe(error)
        return None
