"""The main job's plan and runner: stage order, flags, credentials, skips and clean-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_USAGE
from compliance.pipeline.runner import run_stages
from compliance.pipeline.stages import MOTO_READ_GAPS, Options, Stage, plan
from compliance.rundir import new_run_dir, point_latest


def _options(tmp_path: Path, **kw) -> Options:
    defaults = {"run_dir": tmp_path / "reports" / "20250101T000000Z", "stack": "dev", "suffix": "dev",
                "regions": ("sa-east-1",), "live": False, "port": 45999}
    return Options(**{**defaults, **kw})


def test_sandbox_plan_seals_then_signs_before_the_sandbox_stops(tmp_path):
    stages = plan(_options(tmp_path))
    assert [s.name for s in stages] == ["render", "gate", "scan", "sandbox-up", "audit", "report", "sign",
                                        "sandbox-down"]
    by_name = {s.name: s for s in stages}
    run = str(tmp_path / "reports" / "20250101T000000Z")
    assert by_name["render"].argv == ("render", "--stack", "dev", "--config", "environmentSuffix=dev", "--out",
                                      f"{run}/graph.json")
    assert by_name["gate"].argv == ("gate", "--graph", f"{run}/graph.json", "--out", run)
    assert by_name["audit"].argv[:2] == ("audit", "--endpoint-url")
    assert by_name["audit"].argv[2] == "http://127.0.0.1:45999"
    assert {"--suffix", "dev", "--known-gaps", f"{run}/gaps.json", str(MOTO_READ_GAPS)} <= set(by_name["audit"].argv)
    assert MOTO_READ_GAPS.is_file()
    assert by_name["sandbox-down"].always and by_name["sandbox-down"].needs == ("sandbox-up",)
    assert by_name["sandbox-down"].after_seal and by_name["sign"].after_seal  # their logs stay out of the run
    assert by_name["sign"].argv == ("report", "sign", run, "--sign-key", "alias/kms-evidence-signing-dev",
                                    "--kms-endpoint-url", "http://127.0.0.1:45999", "--kms-region", "sa-east-1")
    assert by_name["sign"].needs == ("sandbox-up",) and by_name["sign"].env["AWS_ACCESS_KEY_ID"] == "sandbox"
    assert "--pdf" not in by_name["report"].argv
    assert "--pdf" in next(s for s in plan(_options(tmp_path, pdf=True)) if s.name == "report").argv
    assert by_name["report"].seals_run and by_name["report"].argv[:3] == ("report", "--in", run)
    report = by_name["report"].argv
    assert report[report.index("--expect") + 1] == "preview,static,live"  # a sandbox run must deliver every layer
    assert report[report.index("--expected-by") + 1].startswith("compliance run (sandbox)")


def test_sandbox_stages_never_see_real_credentials(tmp_path):
    for stage in plan(_options(tmp_path)):
        if stage.name in ("sandbox-up", "audit", "sign"):
            assert stage.env["AWS_ACCESS_KEY_ID"] == "sandbox"
            assert {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} <= set(stage.unset)


def test_live_plan_skips_the_sandbox_and_keeps_the_callers_credentials(tmp_path):
    outputs = tmp_path / "outputs.json"
    stages = plan(_options(tmp_path, live=True, regions=("sa-east-1", "ap-southeast-1"), suffix="prod",
                           outputs=outputs, profile="auditor"))
    assert [s.name for s in stages] == ["render", "gate", "scan", "audit", "report"]
    audit = next(s for s in stages if s.name == "audit")
    assert audit.argv.count("--region") == 2 and "--endpoint-url" not in audit.argv
    assert audit.argv[audit.argv.index("--profile"):][:2] == ("--profile", "auditor")
    assert audit.env == {} and audit.unset == ()
    report = next(s for s in stages if s.name == "report")
    assert report.argv[-2:] == ("--outputs", str(outputs))
    assert report.argv[report.argv.index("--expect") + 1] == "preview,static,live"  # --live gates and scans too


def test_run_dirs_are_unique_and_latest_follows_the_newest(tmp_path):
    from datetime import UTC, datetime

    moment = datetime(2025, 1, 1, tzinfo=UTC)
    first = new_run_dir(tmp_path, moment)
    second = new_run_dir(tmp_path, moment)
    assert (first.name, second.name) == ("20250101T000000Z", "20250101T000000Z-2")
    point_latest(first)
    latest = point_latest(second)
    assert latest.is_symlink() and latest.resolve() == second.resolve()


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "--endpoint-url", "http://127.0.0.1:1"], "--endpoint-url applies to --live only"),
    (["run", "--live", "--region", "sa-east-1"], "--live needs --suffix and --region"),
    (["run", "--stack", "nosuchstack"], "no stack file Pulumi.nosuchstack.yaml"),
])
def test_bad_options_exit_2_before_anything_runs(tmp_path, capsys, argv, message):
    assert main([*argv, "--reports", str(tmp_path / "reports")]) == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


def test_a_failed_stage_skips_its_dependents_but_clean_up_still_runs(tmp_path):
    missing = str(tmp_path / "absent")
    stages = [
        Stage("first", ("report", "verify", missing), "fails with 3"),
        Stage("dependent", ("report", "verify", missing), "needs first", needs=("first",)),
        Stage("cleanup", ("report", "verify", missing), "always after first", needs=("first",), always=True),
    ]
    results = run_stages(stages, lambda stage: tmp_path / "logs" / f"{stage.name}.log")
    assert [(r.stage.name, r.status, r.exit_code) for r in results] == [
        ("first", "failed", EXIT_ERROR), ("dependent", "skipped", EXIT_ERROR), ("cleanup", "failed", EXIT_ERROR)]
    log = (tmp_path / "logs" / "first.log").read_text()
    assert log.startswith(f"$ python -m compliance report verify {missing}")
    assert "no such directory" in log
    assert not (tmp_path / "logs" / "dependent.log").exists()
