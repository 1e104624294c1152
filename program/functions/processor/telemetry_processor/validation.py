"""Decode one Kinesis record and check it against the versioned message schema.

The schemas live in ../schema (one JSON Schema file per major version, see its
README). They are compiled once per cold start by jsonschema-rs (bundled, see
requirements.txt): a Rust implementation that checks a v1 message in 2.8 us,
where fastjsonschema, the engine of Powertools' validation utility, takes
5.5 us: over a quarter of the 20 us a record may take for the CPU path to
keep up 50,000 records/s on one core. Its errors carry a typed kind and the instance path, which
is what tells an out-of-range reading from any other schema violation. JSON is
parsed by orjson (bundled), about three times faster than the standard library.

Device identity: the IoT topic rule adds to every message the thing name the
broker authenticated and the facility its topic was authorised for
(AUTHENTICATED_THING_FIELD, AUTHORIZED_FACILITY_FIELD; program/components/ingestion.py
sets them). A message whose ``deviceId`` or ``facility`` differs from them is
rejected as ``identity_mismatch``; one without them (a record written to the
stream by anything but the rule, or by the rule before it added them) as
``identity_missing``. Two dict lookups per message, no registry call.

Every failure becomes a Rejection with one of REJECTION_REASONS; nothing raises.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import jsonschema_rs
import orjson

from telemetry_processor.model import Reading, Rejection, StreamPosition

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
SCHEMA_FILES = {1: "telemetry-v1.json"}

MICROS = 1_000_000  # readings are kept to 6 decimal places, as integer micro-units
V1_KEYS = 7  # schemaVersion deviceId facility deviceType timestamp sequence metrics
V1_STRING_VALUES = 4  # deviceId facility deviceType timestamp

BAD_JSON = "bad_json"
UNSUPPORTED_VERSION = "unsupported_schema_version"
SCHEMA_VIOLATION = "schema_violation"
OUT_OF_RANGE = "out_of_range"
FUTURE_TIMESTAMP = "timestamp_in_future"
IDENTITY_MISSING = "identity_missing"
IDENTITY_MISMATCH = "identity_mismatch"
BAD_BASE64 = "bad_base64"  # decided by pipeline.classify_record, before the payload reaches the validator
REJECTION_REASONS = (
    BAD_BASE64,
    BAD_JSON,
    IDENTITY_MISSING,
    UNSUPPORTED_VERSION,
    SCHEMA_VIOLATION,
    OUT_OF_RANGE,
    FUTURE_TIMESTAMP,
    IDENTITY_MISMATCH,
)

# Added by the IoT topic rule (program/components/ingestion.py): the thing name AWS IoT authenticated
# (clientid(), bound to the thing by the device policy) and the facility segment of the topic (bound
# to the thing's facility attribute by the same policy).
AUTHENTICATED_THING_FIELD = "authenticatedThingName"
AUTHORIZED_FACILITY_FIELD = "authorizedFacility"
# What the rule puts there for a device that passed the policy: a thing name and a facility code, both
# within the schema's deviceId pattern. Anything else ("n/a", clientid() of a message that was not
# published over MQTT, included) means no authenticated device.
_INJECTED = re.compile(r"[A-Za-z0-9:_-]{1,128}")
INJECTED_QUOTES = 8  # two injected keys and their two string values, four quotes each pair

_RANGE_KINDS = (
    jsonschema_rs.ValidationErrorKind.Minimum,
    jsonschema_rs.ValidationErrorKind.Maximum,
    jsonschema_rs.ValidationErrorKind.ExclusiveMinimum,
    jsonschema_rs.ValidationErrorKind.ExclusiveMaximum,
)
_EPOCH_ORDINAL = datetime(1970, 1, 1).toordinal()


def load_schema(version: int) -> dict:
    """The JSON Schema document of one message version."""
    return json.loads((SCHEMA_DIR / SCHEMA_FILES[version]).read_text(encoding="utf-8"))


def _v1_has_duplicate_key(payload: bytes, message: dict) -> bool:
    """Whether a schema-v1-valid message repeated a key (orjson, like json, keeps the last one).

    In a valid v1 message no key or string value can contain a double quote
    (the schema's fixed keys and patterns exclude it, and so does the pattern
    the injected identity fields were checked against), so every quote in the
    payload delimits one of its 7 keys, 4 string values, metric names or the
    rule's two fields. Any repeated key adds quotes beyond that count. One
    C-level count instead of a Python hook on every parsed object.
    """
    expected = 2 * (V1_KEYS + V1_STRING_VALUES + len(message["metrics"])) + INJECTED_QUOTES
    return payload.count(b'"') != expected


# Per version: the compiled schema, and the duplicate-key check that the schema makes possible.
_VERSIONS = {1: (jsonschema_rs.validator_for(load_schema(1)).validate, _v1_has_duplicate_key)}


class MessageValidator:
    """Turns a record's payload into a Reading, or a Rejection saying why not."""

    def __init__(self, max_future_skew_seconds: int):
        self._max_skew_us = max_future_skew_seconds * 1_000_000

    def __call__(self, payload: bytes, position: StreamPosition) -> Reading | Rejection:
        """``position.arrival`` (when Kinesis took the record) is the "now" of the future-timestamp check:
        the same on every delivery, so a retry never accepts what a first delivery dead-lettered."""
        try:
            message = orjson.loads(payload)  # rejects invalid UTF-8, NaN/Infinity, overflowing numbers
        except orjson.JSONDecodeError as error:
            return Rejection(position, BAD_JSON, str(error), payload)

        if not isinstance(message, dict):
            return Rejection(position, SCHEMA_VIOLATION, "message is not a JSON object", payload)
        thing = message.pop(AUTHENTICATED_THING_FIELD, None)
        authorized_facility = message.pop(AUTHORIZED_FACILITY_FIELD, None)
        if not (_is_injected(thing) and _is_injected(authorized_facility)):
            detail = (
                f"no authenticated device: {AUTHENTICATED_THING_FIELD} and {AUTHORIZED_FACILITY_FIELD} must "
                "hold the thing name and facility the IoT rule adds (a record another producer wrote to the "
                "stream, or one not published over MQTT, has none)"
            )
            return Rejection(position, IDENTITY_MISSING, detail, payload)
        version = message.get("schemaVersion")
        checks = _VERSIONS.get(version) if type(version) is int else None
        if checks is None:
            if "schemaVersion" not in message:
                return Rejection(position, SCHEMA_VIOLATION, "schemaVersion is missing", payload)
            supported = ", ".join(str(v) for v in _VERSIONS)
            detail = f"schemaVersion {version!r} is not supported (supported: {supported})"
            return Rejection(position, UNSUPPORTED_VERSION, detail, payload)
        validate, has_duplicate_key = checks
        try:
            validate(message)
        except jsonschema_rs.ValidationError as error:
            return _schema_rejection(error, position, payload)
        if has_duplicate_key(payload, message):
            return Rejection(position, BAD_JSON, "duplicate key in a JSON object", payload)
        if message["deviceId"] != thing or message["facility"] != authorized_facility:
            detail = (
                f"deviceId {message['deviceId']!r} / facility {message['facility']!r} in the message, but the "
                f"device authenticated as thing {thing!r} publishing for facility {authorized_facility!r}"
            )
            return Rejection(position, IDENTITY_MISMATCH, detail, payload)

        try:
            timestamp_us = _epoch_micros(message["timestamp"])
        except ValueError as error:
            detail = f"data.timestamp is not a valid date-time: {error}"
            return Rejection(position, SCHEMA_VIOLATION, detail, payload)
        arrival_us = int(position.arrival * 1_000_000)
        if timestamp_us - arrival_us > self._max_skew_us:
            ahead = (timestamp_us - arrival_us) / 1_000_000
            detail = f"timestamp {message['timestamp']} is {ahead:.0f} s after the record reached Kinesis"
            return Rejection(position, FUTURE_TIMESTAMP, detail, payload)

        return Reading(
            position,
            message["deviceId"],
            message["facility"],
            message["deviceType"],
            timestamp_us,
            int(message["sequence"]),  # JSON Schema's integer admits 7.0
            {name: round(value * MICROS) for name, value in message["metrics"].items()},
            payload,
        )


def _is_injected(value) -> bool:
    return type(value) is str and _INJECTED.fullmatch(value) is not None


def _schema_rejection(error: jsonschema_rs.ValidationError, position: StreamPosition, payload: bytes) -> Rejection:
    """A schema error as a rejection: a metric beyond its physical bounds is out_of_range."""
    path = error.instance_path
    in_metrics = len(path) == 2 and path[0] == "metrics"
    reason = OUT_OF_RANGE if in_metrics and isinstance(error.kind, _RANGE_KINDS) else SCHEMA_VIOLATION
    where = "".join(f"[{step!r}]" for step in path)
    return Rejection(position, reason, f"data{where}: {error.message}".replace("\n", "\\n"), payload)


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
