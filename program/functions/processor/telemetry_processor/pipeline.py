"""One Kinesis batch, end to end, on top of Powertools' BatchProcessor.

Per record, inside BatchProcessor's loop (the record handler): decode and
validate into a Reading or a Rejection. A rejection is a *successful* outcome:
it goes to the dead-letter queue and never blocks the shard.

Once per batch, after the loop (TelemetryBatchProcessor.process): load the
baselines, detect anomalies, group into one-minute aggregates, write every
sink, then save the baselines. Records that a sink could not take are turned
into failures, so that Powertools returns exactly them in ``batchItemFailures``
and Lambda retries them (and, for Kinesis, everything after the first of them:
every sink is idempotent for that reason, and the saved baselines hold only the
readings that will not come back).
"""

from __future__ import annotations

from binascii import Error as Base64Error
from binascii import a2b_base64
from collections import Counter

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from telemetry_processor.aggregation import group_readings
from telemetry_processor.baseline import BaselineUnavailable, RedisBaselineStore
from telemetry_processor.detection import AnomalyDetector
from telemetry_processor.model import Reading, Rejection, StreamPosition
from telemetry_processor.sinks import SinkOutcome
from telemetry_processor.sinks.analytics import AnalyticsWriter
from telemetry_processor.sinks.archive import ArchiveWriter
from telemetry_processor.sinks.devices import DeviceStateWriter
from telemetry_processor.sinks.dlq import DeadLetterWriter
from telemetry_processor.validation import BAD_BASE64, MessageValidator

LOGGED_EXAMPLES = 10  # record ids / errors quoted per log line


class SinkWriteError(Exception):
    """A record's result could not be written; Lambda will deliver it again."""


def position_of(record: KinesisStreamRecord) -> StreamPosition:
    raw = record.raw_event  # plain dict access: the data class's properties cost microseconds per record
    kinesis = raw["kinesis"]
    return StreamPosition(
        raw["eventID"].split(":", 1)[0],
        kinesis["sequenceNumber"],
        kinesis["partitionKey"],
        kinesis["approximateArrivalTimestamp"],
    )


def classify_record(record: KinesisStreamRecord, validator: MessageValidator) -> Reading | Rejection:
    """Decode and validate one record (the per-record CPU work).

    Data that is not strict base64 is a rejection like any malformed message: it
    would fail the same way on every delivery, so retrying it would only hold
    its shard back until the record expired.
    """
    data = record.raw_event["kinesis"]["data"]
    try:
        payload = a2b_base64(data, strict_mode=True)
    except (Base64Error, ValueError, TypeError) as error:
        raw = data.encode("utf-8", "backslashreplace") if isinstance(data, str) else repr(data).encode()
        return Rejection(position_of(record), BAD_BASE64, f"record data is not base64: {error}", raw)
    return validator(payload, position_of(record))


def delivered_for_good(readings: list[Reading], failed: dict[StreamPosition, str]) -> list[Reading]:
    """The readings Lambda will not deliver again: on each shard, those before its first failed record."""
    first_failed: dict[str, int] = {}
    for position in failed:
        first_failed[position.shard_id] = min(position.ordinal, first_failed.get(position.shard_id, position.ordinal))
    return [
        reading
        for reading in readings
        if reading.position.shard_id not in first_failed
        or reading.position.ordinal < first_failed[reading.position.shard_id]
    ]


class TelemetryPipeline:
    def __init__(
        self,
        *,
        validator: MessageValidator,
        detector: AnomalyDetector,
        baselines: RedisBaselineStore,
        dead_letters: DeadLetterWriter,
        analytics: AnalyticsWriter,
        devices: DeviceStateWriter,
        archive: ArchiveWriter,
        logger: Logger,
        metrics: Metrics,
    ):
        self._validator = validator
        self._detector = detector
        self._baselines = baselines
        self._dead_letters = dead_letters
        self._analytics = analytics
        self._devices = devices
        self._archive = archive
        self._logger = logger
        self._metrics = metrics

    def classify(self, record: KinesisStreamRecord) -> Reading | Rejection:
        """The record handler: decode and validate one record."""
        return classify_record(record, self._validator)

    def flush(self, classified: list[Reading | Rejection]) -> dict[StreamPosition, str]:
        """Detect, aggregate and write the batch; return the records to retry, with why."""
        readings = [item for item in classified if isinstance(item, Reading)]
        rejections = [item for item in classified if isinstance(item, Rejection)]
        self._report_rejections(rejections)

        baselines = None
        if readings:
            keys = {(reading.device_id, metric) for reading in readings for metric in reading.metric_micros}
            try:
                baselines = self._baselines.load(keys)
            except BaselineUnavailable as error:
                self._logger.warning(
                    "Redis unavailable: anomaly detection falls back to the configured limits",
                    extra={"error": str(error)},
                )
                self._metrics.add_metric(name="BaselineUnavailable", unit=MetricUnit.Count, value=1)
        before = {key: state.copy() for key, state in baselines.items()} if baselines is not None else None
        anomalies, changed = self._detector.detect(readings, baselines)

        outcomes = [
            self._dead_letters.write(rejections),
            self._analytics.write(group_readings(readings), anomalies, baseline_used=baselines is not None),
            self._devices.write(readings),
            self._archive.write(readings),
        ]
        failed = self._collect_failures(outcomes)
        if before is not None:
            if failed:
                # Lambda re-delivers each shard from its first failed record: fold in only what comes
                # before it, so that the retry scores those readings against the same baseline again
                # (folded in already, a spike would no longer stand out and its anomaly would be lost).
                baselines = before
                _anomalies, changed = self._detector.detect(delivered_for_good(readings, failed), baselines)
            self._save_baselines(baselines, changed)
        self._logger.info(
            "Batch processed",
            extra={
                "records": len(classified),
                "readings": len(readings),
                "rejected": len(rejections),
                "anomalies": len(anomalies),
                "retry": len(failed),
                "written": {outcome.sink: outcome.written for outcome in outcomes},
                "skipped": {outcome.sink: outcome.skipped for outcome in outcomes if outcome.skipped},
            },
        )
        self._metrics.add_metric(name="ReadingsAccepted", unit=MetricUnit.Count, value=len(readings))
        self._metrics.add_metric(name="RecordsRejected", unit=MetricUnit.Count, value=len(rejections))
        self._metrics.add_metric(name="AnomaliesDetected", unit=MetricUnit.Count, value=len(anomalies))
        self._metrics.add_metric(name="RecordsRetried", unit=MetricUnit.Count, value=len(failed))
        return failed

    def _save_baselines(self, baselines: dict, changed: set) -> None:
        if not changed:
            return
        try:
            self._baselines.save({key: baselines[key] for key in changed})
        except BaselineUnavailable as error:
            self._logger.warning("Redis baseline update failed; readings were scored", extra={"error": str(error)})

    def _report_rejections(self, rejections: list[Rejection]) -> None:
        if not rejections:
            return
        by_reason = Counter(rejection.reason for rejection in rejections)
        for reason, count in by_reason.items():
            self._metrics.add_metric(name=f"Rejected_{reason}", unit=MetricUnit.Count, value=count)
        self._logger.warning(
            "Malformed records sent to the dead-letter queue",
            extra={
                "reasons": dict(by_reason),
                "examples": [
                    {"recordId": r.position.record_id, "reason": r.reason, "detail": r.detail}
                    for r in rejections[:LOGGED_EXAMPLES]
                ],
            },
        )

    def _collect_failures(self, outcomes: list[SinkOutcome]) -> dict[StreamPosition, str]:
        failed: dict[StreamPosition, str] = {}
        for outcome in outcomes:
            if outcome.errors:
                self._logger.warning(
                    f"Sink {outcome.sink}: some writes failed",
                    extra={"records": len(outcome.failed), "errors": outcome.errors[:LOGGED_EXAMPLES]},
                )
            for position in outcome.failed:
                failed.setdefault(position, f"{outcome.sink} write failed")
        return failed


class TelemetryBatchProcessor(BatchProcessor):
    """Powertools' Kinesis BatchProcessor with a per-batch flush to the sinks after the record loop."""

    def __init__(self, pipeline: TelemetryPipeline):
        # A batch whose every record failed (the database unreachable) is reported record by record too:
        # raising instead would make it a function error, which the mapping answers by bisecting the batch.
        super().__init__(event_type=EventType.KinesisDataStreams, raise_on_entire_batch_failure=False)
        self.pipeline = pipeline

    def process(self) -> list[tuple]:
        results = super().process()
        classified = [result for status, result, _record in results if status == "success"]
        failed = self.pipeline.flush(classified)
        if failed:
            self._fail_after_flush({position.record_id: reason for position, reason in failed.items()})
        return results

    def _fail_after_flush(self, reasons: dict[str, str]) -> None:
        """Move records whose writes failed from the successes to the reported failures."""
        still_ok = []
        for raw in self.success_messages:
            record = KinesisStreamRecord(raw)
            reason = reasons.get(position_of(record).record_id)
            if reason is None:
                still_ok.append(raw)
            else:
                error = SinkWriteError(reason)
                self.failure_handler(record=record, exception=(SinkWriteError, error, None))
        self.success_messages[:] = still_ok
