"""Evidence integrity: manifest.json chains runs; `report verify` detects any change or deletion."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATION
from compliance.report.history import collect_runs
from compliance_tests.report.conftest import Run

RUNS = ("20250101T000000Z", "20250102T000000Z", "20250103T000000Z")


@pytest.fixture(scope="session")
def sealed_reports(tmp_path_factory):
    """Three chained runs, built once; each test tampers with its own copy."""
    from compliance_tests.report.report_builders import write_inputs

    reports = tmp_path_factory.mktemp("sealed") / "reports"
    for name in RUNS:
        write_inputs(reports / name)
        assert main(["report", "--in", str(reports / name), "--quiet", "--today", "2025-06-01"]) == EXIT_OK
    return reports


@pytest.fixture
def three_runs(sealed_reports, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(sealed_reports, reports, symlinks=True)
    return [Run(reports / name, EXIT_OK) for name in RUNS]


def test_manifest_hashes_every_file_and_chains_to_the_previous_run(three_runs):
    first, second, _ = three_runs
    manifest = json.loads((second.dir / "manifest.json").read_text())
    assert set(manifest["files"]) == {p.name for p in second.dir.iterdir() if p.name != "manifest.json"}
    assert manifest["previous"]["run"] == first.dir.name
    assert json.loads((first.dir / "manifest.json").read_text())["previous"] is None


def test_intact_chain_verifies(three_runs, capsys):
    assert main(["report", "verify", str(three_runs[-1].dir)]) == EXIT_OK
    assert "intact: 3 run(s) verified" in capsys.readouterr().err
    assert main(["report", "verify", str(three_runs[-1].dir.parent)]) == EXIT_OK


@pytest.mark.parametrize("name", ["report.json", "index.html", "summary.md", "findings.csv", "junit.xml",
                                  "report.sarif", "gate.json", "static.json", "audit.json", "graph.json",
                                  "outputs.json"])
def test_tampering_with_any_file_of_a_past_run_is_detected(three_runs, capsys, name):
    target = three_runs[0].dir / name
    target.write_bytes(target.read_bytes().replace(b"pass", b"PASS", 1) + b" ")
    assert main(["report", "verify", str(three_runs[-1].dir)]) == EXIT_VIOLATION
    assert f"{RUNS[0]}/{name}: changed" in capsys.readouterr().err


def test_deleting_a_file_of_the_current_run_is_detected(three_runs, capsys):
    (three_runs[-1].dir / "audit.json").unlink()
    assert main(["report", "verify", str(three_runs[-1].dir)]) == EXIT_VIOLATION
    assert f"{RUNS[-1]}/audit.json: deleted" in capsys.readouterr().err


def test_adding_a_file_after_sealing_is_detected(three_runs, capsys):
    (three_runs[1].dir / "extra.json").write_text("{}")
    assert main(["report", "verify", str(three_runs[-1].dir)]) == EXIT_VIOLATION
    assert f"{RUNS[1]}/extra.json: added after the run was sealed" in capsys.readouterr().err


def test_deleting_a_past_run_is_detected(three_runs, capsys):
    shutil.rmtree(three_runs[1].dir)
    assert main(["report", "verify", str(three_runs[-1].dir)]) == EXIT_VIOLATION
    assert f"{RUNS[1]}: past run deleted" in capsys.readouterr().err


def test_deleting_the_first_run_is_detected(three_runs, capsys):
    shutil.rmtree(three_runs[0].dir)
    assert main(["report", "verify", str(three_runs[-1].dir)]) == EXIT_VIOLATION
    assert f"{RUNS[0]}: past run deleted" in capsys.readouterr().err


def test_rewriting_a_past_manifest_to_hide_a_change_is_detected(three_runs, capsys):
    past = three_runs[0].dir
    (past / "report.json").write_text("{}")
    manifest = json.loads((past / "manifest.json").read_text())
    manifest["files"]["report.json"] = hashlib.sha256(b"{}").hexdigest()
    (past / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", "verify", str(three_runs[-1].dir)]) == EXIT_VIOLATION
    assert f"{RUNS[0]}/manifest.json: changed since {RUNS[1]} chained to it" in capsys.readouterr().err


def test_verifying_the_directory_of_runs_finds_a_run_off_the_chain(three_runs, capsys):
    manifest_path = three_runs[1].dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    # Re-point the newest run past run 2 (as if run 2 had been slipped in afterwards).
    newest = three_runs[2].dir / "manifest.json"
    data = json.loads(newest.read_text())
    data["previous"] = {"run": RUNS[0], "sha256": manifest["previous"]["sha256"]}
    newest.write_text(json.dumps(data))
    assert main(["report", "verify", str(three_runs[-1].dir.parent)]) == EXIT_VIOLATION
    assert f"{RUNS[1]}: not on the chain of the newest run" in capsys.readouterr().err


def test_verify_of_a_directory_without_a_manifest_exits_3(tmp_path, capsys):
    assert main(["report", "verify", str(tmp_path)]) == EXIT_ERROR
    assert "no sealed run" in capsys.readouterr().err


def test_history_page_lists_every_run_with_its_pass_rate_and_a_trend_chart(three_runs, make_run):
    from compliance_tests.report.report_builders import LIVE_KEY_ARN, baseline_findings, live

    findings = baseline_findings()
    findings["live"][1] = live("KMS-01", "fail", LIVE_KEY_ARN, "k", "AWS::KMS::Key")
    make_run(findings, name="20250104T000000Z")
    parent = three_runs[0].dir.parent
    runs = collect_runs(parent)
    assert [r["run"] for r in runs] == [*RUNS, "20250104T000000Z"]
    assert runs[-1]["rates"]["live"] == 0.75 and runs[0]["rates"]["live"] == 1.0
    html = (parent / "index.html").read_text()
    for name in [*RUNS, "20250104T000000Z"]:
        assert f'href="{name}/index.html"' in html
    assert html.count("<polyline") == 4  # overall, preview, static, live
    assert "75.0%" in html and "<svg" in html and "http://www.w3.org/2000/svg" in html
    assert "<script" not in html  # the history page needs no script at all
