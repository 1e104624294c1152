"""The chain's anchor: a kept head catches a deleted or re-sealed newest run; a sealed run is never re-sealed."""

from __future__ import annotations

import json
import shutil

import pytest

from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_OK, EXIT_USAGE, EXIT_VIOLATION
from compliance_tests.report.report_builders import write_inputs

RUNS = ("20250101T000000Z", "20250102T000000Z")


@pytest.fixture
def reports(tmp_path):
    directory = tmp_path / "reports"
    for name in RUNS:
        write_inputs(directory / name)
        assert main(["report", "--in", str(directory / name), "--quiet", "--today", "2025-06-01"]) == EXIT_OK
    return directory


def test_each_run_writes_its_head_beside_the_runs(reports):
    head = json.loads((reports / "head.json").read_text())
    assert head["run"] == RUNS[-1]
    assert len(head["manifestSha256"]) == 64


def test_deleting_the_newest_run_passes_the_chain_but_fails_the_kept_head(reports, tmp_path, capsys):
    kept = tmp_path / "kept-head.json"
    shutil.copyfile(reports / "head.json", kept)
    shutil.rmtree(reports / RUNS[-1])
    assert main(["report", "verify", str(reports)]) == EXIT_OK  # what the chain alone cannot see
    assert main(["report", "verify", str(reports), "--expect-head", str(kept)]) == EXIT_VIOLATION
    assert f"{RUNS[-1]}: the anchored run is gone" in capsys.readouterr().err


def test_resealing_the_newest_run_after_editing_findings_fails_the_kept_head(reports, tmp_path, capsys):
    kept = json.loads((reports / "head.json").read_text())["manifestSha256"]
    newest = reports / RUNS[-1]
    (newest / "manifest.json").unlink()
    audit = json.loads((newest / "audit.json").read_text())
    audit["findings"] = [dict(f, status="pass") for f in audit["findings"]]
    (newest / "audit.json").write_text(json.dumps(audit))
    assert main(["report", "--in", str(newest), "--quiet", "--today", "2025-06-01"]) == EXIT_OK
    assert main(["report", "verify", str(reports)]) == EXIT_OK
    assert main(["report", "verify", str(reports), "--expect-head", kept]) == EXIT_VIOLATION
    assert "has the kept head" in capsys.readouterr().err


def test_a_later_run_keeps_an_earlier_head_valid(reports, tmp_path):
    kept = tmp_path / "kept-head.json"
    shutil.copyfile(reports / "head.json", kept)
    write_inputs(reports / "20250103T000000Z")
    assert main(["report", "--in", str(reports / "20250103T000000Z"), "--quiet", "--today", "2025-06-01"]) == EXIT_OK
    assert main(["report", "verify", str(reports), "--expect-head", str(kept)]) == EXIT_OK


def test_a_sealed_run_is_never_sealed_again(reports, capsys):
    assert main(["report", "--in", str(reports / RUNS[-1]), "--quiet"]) == EXIT_USAGE
    assert "sealed already" in capsys.readouterr().err


def test_a_directory_of_runs_is_refused_with_the_fix(reports, capsys):
    assert main(["report", "--in", str(reports), "--quiet"]) == EXIT_USAGE
    assert f"pass --in {reports}/<run>" in capsys.readouterr().err


@pytest.mark.parametrize("manifest", [
    "not json", "[]", '{"files": [], "previous": null}', '{"files": {"a": "zz"}, "previous": null}',
    '{"files": {}, "previous": "20250101T000000Z"}', '{"files": {}, "previous": {"run": 1, "sha256": "x"}}',
])
def test_a_malformed_manifest_is_a_one_line_error(reports, capsys, manifest):
    (reports / RUNS[-1] / "manifest.json").write_text(manifest)
    assert main(["report", "verify", str(reports / RUNS[-1])]) == EXIT_ERROR
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "manifest" in err and "\n" not in err and "Traceback" not in err


@pytest.mark.parametrize("head", ["not-a-sha", "{", '{"run": "x"}'])
def test_a_bad_kept_head_is_a_usage_error(reports, tmp_path, capsys, head):
    path = tmp_path / "head.json"
    path.write_text(head)
    assert main(["report", "verify", str(reports), "--expect-head", str(path)]) == EXIT_USAGE
    assert "--expect-head" in capsys.readouterr().err
