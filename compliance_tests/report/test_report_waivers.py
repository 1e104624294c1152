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
    body = ACTIVE.replace("control: ENC-01", "control: ENC-05").replace("*kinesis/stream:Stream::telemetry", "*::raw")
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


ACTIVE_V2 = "version: 2\n" + ACTIVE


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    return err


@pytest.mark.parametrize(("body", "message"), [
    (ACTIVE_V2.replace("reason: Stream re-keyed during the Q3 migration; tracked in SEC-142.", "reason: '            '"),
     "waiver 0 (ENC-01): reason is blank or too short; say why the exception is accepted"),
    (ACTIVE_V2.replace("owner: jane.doe@example.com", "owner: '   '"),
     "waiver 0 (ENC-01): owner is blank; name the person or team accountable for it"),
    (ACTIVE_V2.replace('"*kinesis/stream:Stream::telemetry"', '"*"'),
     "waiver 0 (ENC-01): resource '*' waives every resource; name the resources"),
    (ACTIVE_V2.replace('"*kinesis/stream:Stream::telemetry"', '"*?[a-z]*"'), "waives every resource"),
    (ACTIVE_V2.replace("2025-09-30", "9999-12-31"),
     "waiver 0 (ENC-01): expires 9999-12-31, more than 365 days after 2025-06-01; set expires to 2026-06-01 or "
     "earlier"),
    (ACTIVE.replace('"*kinesis/stream:Stream::telemetry"', '"*"') + "    allowAllResources: true\n",
     "allowAllResources needs version: 2 at the top of the file"),
    ("version: 3\n" + ACTIVE, "version 3 is not a waivers file version this harness reads; write version: 2"),
])
def test_a_waiver_that_accepts_too_much_is_refused_with_one_line_naming_the_fix(make_run, tmp_path, capsys, body,
                                                                               message):
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, body))], today=TODAY)
    assert run.exit_code == EXIT_USAGE
    assert message in _one_line_error(capsys)
    assert not (run.dir / "report.json").exists()


def test_the_maximum_duration_is_configurable(make_run, tmp_path, capsys):
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, ACTIVE_V2)),
                                                  "--max-waiver-days", "30"], today=TODAY)
    assert run.exit_code == EXIT_USAGE
    assert "set expires to 2025-07-01 or earlier" in _one_line_error(capsys)


def test_an_old_format_waivers_file_still_works_with_a_one_line_warning(make_run, tmp_path, capsys):
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, ACTIVE))], today=TODAY)
    assert run.exit_code == EXIT_OK
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "no `version` key, read as version 1; write `version: 2`" in warnings[0]
    assert run.report["waivers"]["version"] == 1 and run.report["waivers"]["warnings"]
    assert next(f for f in run.report["findings"] if f["control"] == "ENC-01" and f["layer"] == "preview")[
        "status"] == "waived"


def test_a_versioned_file_reads_without_a_warning(make_run, tmp_path, capsys):
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, ACTIVE_V2))], today=TODAY)
    assert run.exit_code == EXIT_OK
    assert "warning" not in capsys.readouterr().err
    assert run.report["waivers"]["version"] == 2 and run.report["waivers"]["warnings"] == []


def test_a_waiver_for_every_resource_must_say_so_and_the_report_shows_it(make_run, tmp_path):
    body = ACTIVE_V2.replace('"*kinesis/stream:Stream::telemetry"', '"*"') + "    allowAllResources: true\n"
    run = make_run(_failing_stream(), extra_args=["--waivers", str(_waivers(tmp_path, body))], today=TODAY)
    assert run.exit_code == EXIT_OK
    [entry] = run.report["waivers"]["entries"]
    assert entry["allowAllResources"] is True and entry["resource"] == "*"
    assert "all resources (allowAllResources)" in run.text("index.html")
    assert "(all resources: allowAllResources)" in run.text("summary.md")
