"""--checkov-args that deselect our deciding checks: the controls they decide are errors, never not_applicable.

The README's own example (``--checkov-args="--check CKV_AWS_7"``) used to turn every
other control into not_applicable: exit 0 on a graph with an unencrypted stream.
checkov runs for real here, on a two-resource graph (a key and that stream).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance.catalog import load_catalog
from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_USAGE, EXIT_VIOLATION, UsageError
from compliance.findings import FindingsFile
from compliance.static.selection import deselected_checks
from compliance_tests.static.graphs import graph_of, resource

UNENCRYPTED = graph_of(
    resource("aws:kms/key:Key", "kinesis", {"enableKeyRotation": True, "description": "the stream's key"}),
    resource("aws:kinesis/stream:Stream", "telemetry", {"name": "kinesis-telemetry-dev", "encryptionType": "NONE"}),
)


def _scan(tmp_path: Path, *extra: str) -> tuple[int, FindingsFile | None]:
    graph_file = tmp_path / "graph.json"
    graph_file.write_text(json.dumps(UNENCRYPTED.data))
    out = tmp_path / "out"
    code = main(["scan", "--graph", str(graph_file), "--out", str(out), "--no-secrets-scan", *extra])
    return code, FindingsFile.read(out / "static.json") if (out / "static.json").exists() else None


def _findings(result: FindingsFile, control: str) -> list:
    return [f for f in result.findings if f.control == control]


def test_the_readme_example_no_longer_passes_an_unencrypted_stream(tmp_path):
    code, result = _scan(tmp_path, "--checkov-args=--check CKV_AWS_7")
    assert code == EXIT_ERROR
    [enc01] = _findings(result, "ENC-01")
    assert enc01.status == "error"
    assert enc01.message == "not evaluated: CKV_IOT_21 deselected by --checkov-args '--check CKV_AWS_7'"
    [exception] = enc01.evidence["exceptions"]
    assert (exception["kind"], exception["control"], exception["subject"]) == ("deselected", "ENC-01", "CKV_IOT_21")
    assert all(f.status != "not_applicable" or f.control == "KMS-01" for f in result.findings
               if f.control != "UNMAPPED"), "a deselected control must never read as not applicable"
    assert {e["subject"] for e in result.scope["exceptions"]} >= {"CKV_IOT_21", "CKV_IOT_31"}


def test_skipping_one_deciding_check_errors_only_its_control(tmp_path):
    code, result = _scan(tmp_path, "--checkov-args=--skip-check CKV_IOT_21")
    assert code == EXIT_ERROR
    enc01 = _findings(result, "ENC-01")
    assert [(f.status, f.resource.type) for f in enc01 if f.status != "not_applicable"] == [("error", "stack")]
    corroborating = [f for f in enc01 if f.status == "not_applicable"]
    assert {f.evidence.get("corroboratedBy") for f in corroborating} <= {"CKV_AWS_43", "CKV_AWS_185"}
    assert all(f.message.startswith("CKV_IOT_21 was deselected; checkov's CKV_AWS_") for f in corroborating)
    assert [e["control"] for e in result.scope["exceptions"]] == ["ENC-01"]
    gov03 = _findings(result, "GOV-03")
    assert gov03 and {f.status for f in gov03} == {"fail"}  # still judged: the stream has no tags


def test_selecting_our_checks_by_wildcard_keeps_every_control_judged(tmp_path):
    code, result = _scan(tmp_path, "--checkov-args=--check CKV_IOT_*")
    assert code == EXIT_VIOLATION
    assert result.scope["exceptions"] == []
    [enc01] = [f for f in _findings(result, "ENC-01") if f.resource.name == "telemetry"]
    assert enc01.status == "fail"


def test_a_deselecting_environment_variable_is_not_passed_to_checkov(tmp_path, monkeypatch):
    monkeypatch.setenv("CKV_CHECK", "CKV_AWS_7")
    code, result = _scan(tmp_path)
    assert code == EXIT_VIOLATION
    [enc01] = [f for f in _findings(result, "ENC-01") if f.resource.name == "telemetry"]
    assert enc01.status == "fail"


@pytest.mark.parametrize("args", ["--framework secrets", "--config-file other.yaml", "-d /", "--no-fail-on-crash",
                                  "--skip-resources-without-violations", "--quiet"])
def test_checkov_args_that_change_what_is_scanned_or_reported_are_refused(tmp_path, capsys, args):
    code, result = _scan(tmp_path, f"--checkov-args={args}")
    assert code == EXIT_USAGE and result is None
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: --checkov-args: {args.split()[0]} ") and "\n" not in err


@pytest.mark.parametrize(("args", "expected"), [
    (["--check", "CKV_AWS_7"], "all"),
    (["-c", "CKV_AWS_7,CKV_IOT_21"], "all but CKV_IOT_21"),
    (["--check=CKV_IOT_2*"], "all but CKV_IOT_2*"),
    (["--check", "HIGH"], "all"),  # our checks carry no severity: a severity selects none of them
    (["--check", "HIGH", "--run-all-external-checks"], "none"),
    (["--skip-check", "CKV_IOT_21", "--run-all-external-checks"], "CKV_IOT_21"),
    (["--skip-check", "LOW"], "none"),
    (["--soft-fail"], "none"),
])
def test_deselection_follows_checkov_selection_rules(args, expected):
    catalog = load_catalog()
    ours = {check for control in catalog.controls.values() for check in control.deciding_checks}
    deselected = set(deselected_checks(args, catalog))
    if expected == "all":
        assert deselected == ours
    elif expected == "none":
        assert deselected == set()
    elif expected.startswith("all but "):
        import fnmatch
        assert deselected == {c for c in ours if not fnmatch.fnmatch(c, expected[len("all but "):])}
    else:
        assert deselected == {expected}


def test_an_option_without_its_value_is_refused():
    with pytest.raises(UsageError, match="--check needs a value"):
        deselected_checks(["--check"], load_catalog())
