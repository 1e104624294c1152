"""The message schema (schema/telemetry-v1.json) and the validator built on it."""

from __future__ import annotations

import json
import re
import time

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telemetry_processor import validation
from telemetry_processor.model import Reading, Rejection, StreamPosition

from compliance_tests.processor.events import as_published, message, published_payload

NOW = time.time()  # when Kinesis took every record below; messages are dated relative to it
POSITION = StreamPosition(
    "shardId-000000000000", "49590338271490256608559692538361571095921575989136588898", "d", NOW
)
VALIDATE = validation.MessageValidator(max_future_skew_seconds=300)
SCHEMA = validation.load_schema(1)
README = (validation.SCHEMA_DIR / "README.md").read_text(encoding="utf-8")


def check(document) -> Reading | Rejection:
    """A document as the IoT rule publishes it (with the authenticated identity); bytes as they are."""
    payload = document if isinstance(document, bytes) else published_payload(document)
    return VALIDATE(payload, POSITION)


def good(**changes) -> dict:
    base = message("press-0001", 7, NOW - 60, {"temperature_c": 21.5, "production_count": 12})
    return {**base, **changes}


def test_the_schema_is_valid_draft_07_and_versioned():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schemaVersion"] == {**SCHEMA["properties"]["schemaVersion"], "const": 1}
    assert validation.SCHEMA_FILES == {1: "telemetry-v1.json"}
    assert set(validation._VERSIONS) == set(validation.SCHEMA_FILES)
    assert "telemetry-v1.json" in README


def test_the_documented_example_is_valid_for_the_reference_validator_and_ours():
    example = json.loads(re.search(r"## Version 1\s+```json\n(.*?)```", README, re.S).group(1))
    jsonschema.validate(example, SCHEMA)
    example["timestamp"] = message("x", 0, NOW - 5, {})["timestamp"]  # keep it in the past
    reading = check(example)
    assert isinstance(reading, Reading)
    assert reading.metric_micros == {
        "temperature_c": 21_500_000,
        "pressure_kpa": 101_325_000,
        "vibration_mm_s": 1_250_000,
        "production_count": 12_000_000,
    }


def test_a_valid_message_becomes_a_reading_with_exact_micro_units_and_utc_time():
    reading = check(good(timestamp="2025-06-01T14:00:00.250+02:00", metrics={"pressure_kpa": 101.3251234567}))
    assert isinstance(reading, Reading)
    assert reading.timestamp_us == 1748779200250000  # 12:00:00.25 UTC
    assert reading.metric_micros == {"pressure_kpa": 101_325_123}  # six decimal places, half-even
    assert (reading.device_id, reading.sequence, reading.facility) == ("press-0001", 7, "plant-a")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe\x00", "bad_json"),
        (b'{"schemaVersion": 1,', "bad_json"),
        (b'{"schemaVersion": 1, "metrics": {"temperature_c": NaN}}', "bad_json"),
        (b'{"schemaVersion": 1, "metrics": {"temperature_c": Infinity}}', "bad_json"),
        (published_payload(good()).replace(b'"sequence": 7', b'"sequence": 7, "sequence": 8'), "bad_json"),
        (
            published_payload(good()).replace(b'"metrics": {', b'"metrics": {"temperature_c": 1, '),
            "bad_json",
        ),
        (
            published_payload(good()).replace(b'"deviceId": ', b'"deviceId": "x\\"y", "deviceId": ', 1),
            "bad_json",
        ),
        (b'"just a string"', "schema_violation"),
        (b"{}", "identity_missing"),
        (b'{"authenticatedThingName": "d", "authorizedFacility": "f"}', "schema_violation"),
        (published_payload(good(schemaVersion=2)), "unsupported_schema_version"),
        (published_payload(good(schemaVersion="1")), "unsupported_schema_version"),
        (published_payload(good(schemaVersion=True)), "unsupported_schema_version"),
        (published_payload(good(extra="field")), "schema_violation"),
        (json.dumps(good()).encode(), "identity_missing"),  # as the device sent it, not through the rule
        (published_payload(good(), thing="n/a"), "identity_missing"),  # clientid() of an HTTPS publish
        (published_payload(good(), thing=""), "identity_missing"),
        (json.dumps({**as_published(good()), "authenticatedThingName": 7}).encode(), "identity_missing"),
        (published_payload(good(), thing="press-0002"), "identity_mismatch"),
        (published_payload(good(), facility="plant-b"), "identity_mismatch"),
        (
            published_payload(good()).replace(b'"authorizedFacility"', b'"authenticatedThingName": "x", "authorizedFacility"'),
            "bad_json",
        ),
        (published_payload(good(metrics={})), "schema_violation"),
        (published_payload(good(metrics={"humidity": 3})), "schema_violation"),
        (published_payload(good(metrics={"temperature_c": "21.5"})), "schema_violation"),
        (published_payload(good(metrics={"production_count": 2.5})), "schema_violation"),
        (published_payload(good(sequence=-1)), "schema_violation"),
        (published_payload(good(deviceId=""), thing="press-0001"), "schema_violation"),
        (published_payload(good(facility="Plant A"), facility="plant-a"), "schema_violation"),
        (published_payload(good(deviceType="../etc")), "schema_violation"),
        (published_payload(good(timestamp="2025-06-01 12:00:00")), "schema_violation"),
        (published_payload(good(timestamp="2025-06-01T12:00:00")), "schema_violation"),  # no offset
        (published_payload(good(timestamp="2025-13-01T12:00:00Z")), "schema_violation"),
        (published_payload(good(metrics={"temperature_c": -273.16})), "out_of_range"),
        (published_payload(good(metrics={"temperature_c": 2000.5})), "out_of_range"),
        (published_payload(good(metrics={"pressure_kpa": -0.1})), "out_of_range"),
        (published_payload(good(metrics={"vibration_mm_s": 10001})), "out_of_range"),
        (published_payload(good(metrics={"production_count": 1_000_000_001})), "out_of_range"),
        (
            b'{"schemaVersion": 1, "deviceId": "d", "facility": "f", "deviceType": "t", "timestamp": "2025-06-01T12:00:00Z", "sequence": 1, "metrics": {"pressure_kpa": 1e400}}',
            "bad_json",
        ),
        (
            published_payload(message("d", 1, NOW + 301, {"temperature_c": 1})),
            "timestamp_in_future",
        ),
    ],
)
def test_each_malformed_message_is_rejected_with_its_reason(payload, reason):
    outcome = check(payload)
    assert isinstance(outcome, Rejection), outcome
    assert (outcome.reason, outcome.payload) == (reason, payload)
    assert outcome.detail and "\n" not in outcome.detail


def test_a_rejection_names_the_field_and_the_broken_rule():
    outcome = check(good(metrics={"temperature_c": -300}))
    assert isinstance(outcome, Rejection)
    assert outcome.reason == "out_of_range"
    assert outcome.detail.startswith("data['metrics']['temperature_c']: ") and "-273.15" in outcome.detail


def test_an_integral_float_sequence_is_kept_as_an_integer():
    """JSON Schema's integer admits 7.0; downstream keys and DynamoDB numbers need the int 7."""
    reading = check(published_payload(good()).replace(b'"sequence": 7', b'"sequence": 7.0'))
    assert isinstance(reading, Reading)
    assert type(reading.sequence) is int and reading.sequence == 7


def test_the_platform_device_types_and_thing_names_are_valid():
    """As the Pulumi program names them: thing-<facility>-<type>-<nn>-<suffix>, types like production_counter."""
    for device_type in ("temperature", "pressure", "vibration", "production_counter"):
        document = good(
            deviceId=f"thing-sg-plant-1-{device_type}-01-apac", facility="sg-plant-1", deviceType=device_type
        )
        assert isinstance(check(document), Reading), device_type


def test_clock_skew_within_the_allowance_is_accepted():
    assert isinstance(check(message("d", 1, NOW + 200, {"temperature_c": 1})), Reading)


def test_the_future_is_judged_against_the_records_arrival_so_every_delivery_agrees():
    """Dated 500 s after Kinesis took it: rejected, however late the processor reads it (a retry included)."""
    arrived_ten_minutes_ago = POSITION._replace(arrival=NOW - 600)
    payload = published_payload(message("d", 1, NOW - 100, {"temperature_c": 1}))
    outcome = VALIDATE(payload, arrived_ten_minutes_ago)
    assert isinstance(outcome, Rejection)
    assert outcome.reason == "timestamp_in_future"
    assert "is 500 s after the record reached Kinesis" in outcome.detail


def test_line_breaks_in_the_payload_are_fine():
    assert isinstance(check(json.dumps(as_published(good()), indent=2).encode()), Reading)


def test_rejection_reasons_are_the_documented_ones():
    section = README.split("## Rejection reasons", 1)[1]
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", section, re.M))
    assert documented == set(validation.REJECTION_REASONS)


values = {
    "temperature_c": st.floats(-300, 2100, allow_nan=False),
    "pressure_kpa": st.floats(-10, 1_100_000, allow_nan=False),
    "vibration_mm_s": st.floats(-1, 11_000, allow_nan=False),
    "production_count": st.integers(-5, 1_100_000_000),
}
documents = st.fixed_dictionaries(
    {
        "schemaVersion": st.just(1),
        "deviceId": st.sampled_from(["press-1", "a:b_c-d", "", "bad id", "x" * 129]),
        "facility": st.sampled_from(["plant-a", "p1", "Plant", "-a"]),
        "deviceType": st.sampled_from(["cnc-mill", "production_counter", "x", "_x", "a/b"]),
        "timestamp": st.sampled_from(
            ["2025-06-01T12:00:00Z", "2025-06-01T12:00:00.5+05:30", "2025-06-01T12:00Z", "yesterday"]
        ),
        "sequence": st.integers(-2, 2**53 + 2),
        "metrics": st.dictionaries(
            st.sampled_from([*values, "humidity"]), st.integers(0, 5), max_size=5
        ).flatmap(lambda chosen: st.fixed_dictionaries({k: values.get(k, st.just(1)) for k in chosen})),
    },
    optional={"extra": st.just(1)},
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_the_validator_agrees_with_the_reference_json_schema_implementation(document):
    """Accepts exactly what the jsonschema library accepts (for past timestamps), and rejects the rest."""
    reference_ok = jsonschema.Draft7Validator(SCHEMA).is_valid(document)
    outcome = check(document)
    assert isinstance(outcome, Reading) == reference_ok, getattr(outcome, "detail", None)
