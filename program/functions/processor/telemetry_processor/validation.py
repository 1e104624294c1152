"""Decode one Kinesis record and check it against the versioned message schema.

The schemas live in ../schema (one JSON Schema file per major version, see its
README). They are compiled once per cold start with fastjsonschema, the engine
behind Powertools' validation utility, which the Powertools layer ships: the
function package carries no validator of its own. The compiled validator is
called directly because Powertools' ``validate`` recompiles the schema on
every call, too slow for 10,000-record batches.

Every failure becomes a Rejection with one of REJECTION_REASONS; nothing raises.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import fastjsonschema

from telemetry_processor.model import Reading, Rejection, StreamPosition

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
SCHEMA_FILES = {1: "telemetry-v1.json"}

MICROS = 1_000_000  # readings are kept to 6 decimal places, as integer micro-units

BAD_JSON = "bad_json"
UNSUPPORTED_VERSION = "unsupported_schema_version"
SCHEMA_VIOLATION = "schema_violation"
OUT_OF_RANGE = "out_of_range"
FUTURE_TIMESTAMP = "timestamp_in_future"
REJECTION_REASONS = (BAD_JSON, UNSUPPORTED_VERSION, SCHEMA_VIOLATION, OUT_OF_RANGE, FUTURE_TIMESTAMP)

_RANGE_RULES = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_EPOCH_ORDINAL = datetime(1970, 1, 1).toordinal()


def load_schema(version: int) -> dict:
    """The JSON Schema document of one message version."""
    return json.loads((SCHEMA_DIR / SCHEMA_FILES[version]).read_text(encoding="utf-8"))


_VALIDATORS = {version: fastjsonschema.compile(load_schema(version)) for version in SCHEMA_FILES}


class _MalformedJson(ValueError):
    pass


def _reject_constant(name: str):
    raise _MalformedJson(f"{name} is not valid JSON")


def _object_without_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _MalformedJson("duplicate key in a JSON object")
    return obj


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_object_without_duplicate_keys)


class MessageValidator:
    """Turns a record's payload into a Reading, or a Rejection saying why not."""

    def __init__(self, max_future_skew_seconds: int):
        self._max_skew_us = max_future_skew_seconds * 1_000_000

    def __call__(self, payload: bytes, position: StreamPosition, now_us: int) -> Reading | Rejection:
        try:
            text = payload.decode("utf-8")
            message = _DECODER.decode(text)
        except UnicodeDecodeError:
            return Rejection(position, BAD_JSON, "payload is not UTF-8", payload)
        except ValueError as error:  # JSONDecodeError and _MalformedJson
            return Rejection(position, BAD_JSON, str(error), payload)

        if not isinstance(message, dict):
            return Rejection(position, SCHEMA_VIOLATION, "message is not a JSON object", payload)
        version = message.get("schemaVersion")
        validate = _VALIDATORS.get(version) if type(version) is int else None
        if validate is None:
            if "schemaVersion" not in message:
                return Rejection(position, SCHEMA_VIOLATION, "schemaVersion is missing", payload)
            supported = ", ".join(str(v) for v in SCHEMA_FILES)
            detail = f"schemaVersion {version!r} is not supported (supported: {supported})"
            return Rejection(position, UNSUPPORTED_VERSION, detail, payload)
        try:
            validate(message)
        except fastjsonschema.JsonSchemaValueException as error:
            in_metrics = len(error.path) > 2 and error.path[1] == "metrics"
            reason = OUT_OF_RANGE if in_metrics and error.rule in _RANGE_RULES else SCHEMA_VIOLATION
            return Rejection(position, reason, error.message, payload)

        try:
            timestamp_us = _epoch_micros(message["timestamp"])
        except ValueError as error:
            detail = f"data.timestamp is not a valid date-time: {error}"
            return Rejection(position, SCHEMA_VIOLATION, detail, payload)
        if timestamp_us - now_us > self._max_skew_us:
            ahead = (timestamp_us - now_us) / 1_000_000
            detail = f"timestamp {message['timestamp']} is {ahead:.0f} s ahead of the processor clock"
            return Rejection(position, FUTURE_TIMESTAMP, detail, payload)

        return Reading(
            position=position,
            device_id=message["deviceId"],
            facility=message["facility"],
            device_type=message["deviceType"],
            timestamp_us=timestamp_us,
            sequence=message["sequence"],
            metric_micros={name: round(value * MICROS) for name, value in message["metrics"].items()},
            raw_text=text,
        )


def _epoch_micros(text: str) -> int:
    """Epoch microseconds of an RFC 3339 date-time (the schema has checked its shape).

    Integer arithmetic on the parsed fields: subtracting aware datetimes costs
    more than the rest of the timestamp handling together.
    """
    taken = datetime.fromisoformat(text)
    seconds = (
        (taken.toordinal() - _EPOCH_ORDINAL) * 86400 + taken.hour * 3600 + taken.minute * 60 + taken.second
    )
    if text[-1] != "Z":
        seconds -= int(taken.utcoffset().total_seconds())
    return seconds * 1_000_000 + taken.microsecond
