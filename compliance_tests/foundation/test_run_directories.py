"""Stage commands compose: render, gate and report one after another fill one run; a crash exits 3."""

from __future__ import annotations

import json

import pytest

import compliance.gate.cli
from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_OK


def test_stages_without_paths_fill_one_run_then_start_a_new_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["render", "--stack", "dev"]) == EXIT_OK
    assert main(["gate"]) == EXIT_OK
    latest = (tmp_path / "reports" / "latest").resolve()
    assert {p.name for p in latest.iterdir()} >= {"graph.json", "gate.json"}
    assert main(["report", "--quiet", "--expect", "preview"]) == EXIT_OK  # only the gate ran: say so
    assert (latest / "manifest.json").is_file()
    assert json.loads((latest / "report.json").read_text())["scope"]["stack"] == "dev"
    runs = [p for p in (tmp_path / "reports").iterdir() if p.is_dir() and not p.is_symlink()]
    assert len(runs) == 1
    assert main(["gate", "--stack", "dev"]) == EXIT_OK  # the run is sealed: the next stage starts a new one
    newest = (tmp_path / "reports" / "latest").resolve()
    assert newest != latest and (newest / "gate.json").is_file()
    assert main(["report", "verify", str(latest)]) == EXIT_OK  # the sealed run was not written to


def test_report_without_an_open_run_says_how_to_make_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["report"]) == 2
    assert "no open run" in capsys.readouterr().err


def test_an_unexpected_exception_is_one_line_and_exit_3(tmp_path, monkeypatch, capsys):
    def crash(args):
        raise KeyError("boom")

    monkeypatch.setattr(compliance.gate.cli, "run", crash)
    monkeypatch.chdir(tmp_path)
    assert main(["gate", "--graph", "g.json"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected KeyError" in err and "--debug" in err
    assert main(["gate", "--graph", "g.json", "--debug"]) == EXIT_ERROR
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--debug", "gate", "--help"], ["gate", "--help", "--debug"]])
def test_debug_is_accepted_anywhere(argv):
    assert main(argv) == EXIT_OK
