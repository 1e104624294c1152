"""waivers.yaml: an active waiver waives, an expired one does not and is reported, a non-matching one is unused."""

from __future__ import annotations

import pytest

from compliance.errors import EXIT_OK, EXIT_USAGE, EXIT_VIOLATION
from compliance_tests.report.report_builders import BUCKET, STREAM, baseline_findings, declared

TODAY = "2025-06-01"


def _failing_stream():
    findings = baseline_findings()
    findings["preview"][0] = declared("ENC-01", "preview", "fail", STREAM, message="encryptionType is NONE",
                                      severity="high")
    return findings


def _waivers(tmp_path, body: str):
    path = tmp_path / "waivers.yaml"
    path.write_text(body)
    return path


ACTIVE = """\
waivers:
  - control: ENC-01
    resource: "*kinesis/stream:Stream::telemetry"
    reason: Stream re-keyed during the Q3 migration; tracked in SEC-142.
    owner: jane.doe@example.com
    expires: 2025-09-30
"""


def test_active_waiver_turns_the_failure_into_waived_and_the_run_exits_0(make_run, tmp_path):
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, ACTIVE))], today=TODAY)
    assert run.exit_code == EXIT_OK
    report = run.report
    finding = next(f for f in report["findings"] if f["control"] == "ENC-01" and f["layer"] == "preview")
    assert finding["status"] == "waived" and finding["originalStatus"] == "fail"
    assert finding["waiver"]["owner"] == "jane.doe@example.com"
    assert finding["waiver"]["expires"] == "2025-09-30"
    enc01 = next(c for c in report["controls"] if c["id"] == "ENC-01")
    assert enc01["layers"]["preview"]["status"] == "waived"
    assert enc01["status"] == "waived"
    assert report["waivers"]["entries"][0]["state"] == "active"
    assert report["waivers"]["entries"][0]["findings"] == [finding["id"]]
    html = run.text("index.html")
    assert "waived by jane.doe@example.com until 2025-09-30" in html
    assert "tracked in SEC-142" in html


def test_waiver_is_active_on_its_expiry_day(make_run, tmp_path):
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, ACTIVE))], today="2025-09-30")
    assert run.exit_code == EXIT_OK


def test_expired_waiver_no_longer_waives_and_is_itself_reported(make_run, tmp_path):
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, ACTIVE))], today="2025-10-01")
    assert run.exit_code == EXIT_VIOLATION
    report = run.report
    finding = next(f for f in report["findings"] if f["control"] == "ENC-01" and f["layer"] == "preview")
    assert finding["status"] == "fail"
    assert finding["waiver"] is None
    assert finding["expiredWaiver"]["owner"] == "jane.doe@example.com"
    assert report["waivers"]["entries"][0]["state"] == "expired"
    assert report["summary"]["expiredWaivers"] == 1
    assert "expired 2025-09-30" in run.text("index.html")
    assert "| expired | ENC-01 |" in run.text("summary.md")


def test_non_matching_waiver_waives_nothing_and_is_listed_unused(make_run, tmp_path):
    other = ACTIVE.replace("*kinesis/stream:Stream::telemetry", "*::some-other-stream")
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, other))], today=TODAY)
    assert run.exit_code == EXIT_VIOLATION
    assert run.report["waivers"]["entries"][0]["state"] == "unused"
    assert all(f["status"] != "waived" for f in run.report["findings"])


def test_waiver_for_another_control_does_not_waive(make_run, tmp_path):
    other = ACTIVE.replace("control: ENC-01", "control: ENC-05")
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, other))], today=TODAY)
    assert run.exit_code == EXIT_VIOLATION


def test_waiver_never_covers_an_error(make_run, tmp_path):
    findings = baseline_findings()
    findings["preview"][2] = declared("ENC-05", "preview", "error", BUCKET, message="policy crashed")
    body = ACTIVE.replace("control: ENC-01", "control: ENC-05").replace("*kinesis/stream:Stream::telemetry", "*")
    run = make_run(findings, extra_args=["--waivers", str(_waivers(tmp_path, body))], today=TODAY)
    assert run.exit_code == 3
    assert next(f for f in run.report["findings"] if f["control"] == "ENC-05" and f["layer"] == "preview")[
        "status"] == "error"


def test_waiver_matches_the_resource_name_glob_too(make_run, tmp_path):
    body = ACTIVE.replace('"*kinesis/stream:Stream::telemetry"', "telemetry")
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, body))], today=TODAY)
    assert run.exit_code == EXIT_OK


@pytest.mark.parametrize(("body", "message"), [
    ("waivers: [", "not valid YAML"),
    ("- control: ENC-01\n", "top level"),
    (ACTIVE.replace("    owner: jane.doe@example.com\n", ""), "'owner' is a required property"),
    (ACTIVE.replace("2025-09-30", "30/09/2025"), "waivers/0/expires"),
    (ACTIVE.replace("2025-09-30", "2025-02-30"), "not a real date"),
    (ACTIVE.replace("control: ENC-01", "control: ENC-99"), "ENC-99, which is not in policies/controls.yaml"),
    (ACTIVE.replace("reason: Stream re-keyed during the Q3 migration; tracked in SEC-142.", "reason: ok"),
     "waivers/0/reason"),
])
def test_bad_waivers_file_exits_2_naming_the_problem(make_run, tmp_path, capsys, body, message):
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, body))], today=TODAY)
    assert run.exit_code == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert not (run.dir / "report.json").exists()


def test_missing_waivers_file_exits_2(make_run, tmp_path, capsys):
    run = make_run(extra_args=["--waivers", str(tmp_path / "absent.yaml")])
    assert run.exit_code == EXIT_USAGE
    assert "waivers file not found" in capsys.readouterr().err
