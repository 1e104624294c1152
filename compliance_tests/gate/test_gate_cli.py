"""`python -m compliance gate` end to end: acceptance, exit codes, the pack always stopped, gate.json.

These start their own pack processes (the CLI's path), so they are few.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from compliance.cli import main
from compliance.errors import EvaluationError
from compliance.findings import FindingsFile
from compliance.gate import run as gate_run
from compliance.gate.pack import PackProcess
from compliance_tests.gate.harness import graph, mutated, resource


@pytest.fixture(scope="module")
def graph_file(program_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("gate") / "graph.json"
    program_graph.write(path)
    return path


def test_acceptance_program_passes_then_an_unencrypted_stream_fails(program_graph, graph_file, tmp_path, capsys):
    assert main(["gate", "--graph", str(graph_file), "--out", str(tmp_path / "ok")]) == 0
    ok = FindingsFile.read(tmp_path / "ok" / "gate.json")
    assert ok.layer == "preview" and ok.complete and ok.exit_code() == 0
    assert "mandatory violations: none" in capsys.readouterr().out

    broken, stream = mutated(program_graph, "aws:kinesis/stream:Stream", "telemetry",
                             set_inputs={"encryptionType": "NONE"})
    broken_file = tmp_path / "broken.json"
    broken.write(broken_file)
    assert main(["gate", "--graph", str(broken_file), "--out", str(tmp_path / "bad")]) == 1
    out = capsys.readouterr().out
    assert "[mandatory]  enc-01-kinesis-customer-managed-key  (aws:kinesis/stream:Stream: telemetry)" in out
    assert "mandatory violations: ENC-01" in out
    bad = FindingsFile.read(tmp_path / "bad" / "gate.json")
    failed = [f for f in bad.findings if f.status == "fail"]
    assert [(f.control, f.resource.id) for f in failed] == [("ENC-01", stream["urn"])]

    assert main(["gate", "--graph", str(graph_file), "--first-preview", "--out", str(tmp_path / "first")]) == 0
    assert FindingsFile.read(tmp_path / "first" / "gate.json").scope["firstPreview"] is True


def test_same_graph_same_findings(graph_file, tmp_path):
    for run_dir in ("a", "b"):
        assert main(["gate", "--graph", str(graph_file), "--out", str(tmp_path / run_dir)]) == 0
    a, b = (json.loads((tmp_path / d / "gate.json").read_text()) for d in ("a", "b"))
    assert a["findings"] == b["findings"]


def test_the_stack_door_renders_the_program_first(tmp_path, capsys):
    assert main(["gate", "--stack", "dev", "--out", str(tmp_path)]) == 0
    assert FindingsFile.read(tmp_path / "gate.json").scope["graph"] == "rendered from stack dev"


def test_an_empty_graph_is_exit_3_before_any_pack_starts(tmp_path, capsys, monkeypatch):
    started = _record_packs(monkeypatch)
    empty = tmp_path / "graph.json"
    graph().write(empty)
    assert main(["gate", "--graph", str(empty), "--out", str(tmp_path)]) == 3
    assert "nothing to gate" in capsys.readouterr().err
    assert started == []


def test_a_malformed_graph_is_exit_3_with_one_line(tmp_path, capsys):
    bad = tmp_path / "graph.json"
    bad.write_text(json.dumps({"schemaVersion": 1, "resources": []}))
    assert main(["gate", "--graph", str(bad), "--out", str(tmp_path)]) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "malformed resource graph" in err and "\n" not in err
    assert not (tmp_path / "gate.json").exists()


def _fake_pack(tmp_path, body: str):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.1.0\n")
    (pack / "__main__.py").write_text(textwrap.dedent(body))
    return pack


STREAM_POLICY = """
    from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

    def validate(args, report):
        {body}

    PolicyPack("fake", enforcement_level=EnforcementLevel.MANDATORY, policies=[ResourceValidationPolicy(
        name="{name}", description="A test policy.", validate=validate,
        tags=["scope:aws:kinesis/stream:Stream"])])
"""


def _one_stream_graph_file(tmp_path):
    path = tmp_path / "graph.json"
    graph(resource("aws:kinesis/stream:Stream", "telemetry", {"name": "kinesis-telemetry-dev"})).write(path)
    return path


def test_a_policy_named_after_no_control_is_exit_3(tmp_path, capsys):
    pack = _fake_pack(tmp_path, STREAM_POLICY.format(name="zzz-99-not-a-control", body="pass"))
    code = main(["gate", "--graph", str(_one_stream_graph_file(tmp_path)), "--policy-pack", str(pack),
                 "--out", str(tmp_path)])
    assert code == 3
    err = capsys.readouterr().err
    assert "'zzz-99-not-a-control'" in err and "maps to no control" in err


def test_a_policy_that_crashes_is_an_error_finding_and_exit_3(tmp_path, capsys):
    pack = _fake_pack(tmp_path, STREAM_POLICY.format(name="enc-01-crashes", body="raise RuntimeError('boom')"))
    code = main(["gate", "--graph", str(_one_stream_graph_file(tmp_path)), "--policy-pack", str(pack),
                 "--out", str(tmp_path)])
    assert code == 3
    result = FindingsFile.read(tmp_path / "gate.json")
    errors = [f for f in result.findings if f.status == "error"]
    assert [(f.control, f.resource.name) for f in errors] == [("ENC-01", "telemetry")]
    assert "boom" in errors[0].message


def test_a_pack_that_dies_at_start_is_exit_3_with_its_reason(tmp_path, capsys):
    pack = _fake_pack(tmp_path, "import sys\nsys.exit('controls.yaml is broken')\n")
    code = main(["gate", "--graph", str(_one_stream_graph_file(tmp_path)), "--policy-pack", str(pack),
                 "--out", str(tmp_path)])
    assert code == 3
    assert "failed to start: controls.yaml is broken" in capsys.readouterr().err


def test_a_pack_that_never_reports_its_port_times_out_and_is_stopped(tmp_path, monkeypatch):
    pack = _fake_pack(tmp_path, "import time\ntime.sleep(600)\n")
    started = _record_packs(monkeypatch)
    with pytest.raises(EvaluationError, match="did not report its port within 2s"):
        gate_run.run_gate(graph(resource("aws:kinesis/stream:Stream", "telemetry")), pack_dir=pack, start_timeout=2)
    assert started and all(p.process.poll() is not None for p in started)


def _record_packs(monkeypatch) -> list[PackProcess]:
    started: list[PackProcess] = []
    original = PackProcess.__init__

    def recording_init(self, *args, **kwargs):
        started.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(PackProcess, "__init__", recording_init)
    return started


def test_the_pack_is_stopped_after_a_run_an_error_and_ctrl_c(tmp_path, monkeypatch, capsys):
    started = _record_packs(monkeypatch)
    graph_file = _one_stream_graph_file(tmp_path)
    assert main(["gate", "--graph", str(graph_file), "--out", str(tmp_path)]) == 1  # untagged, unencrypted stream
    bad_config = tmp_path / "config.json"
    bad_config.write_text(json.dumps({"no-such-policy": "advisory"}))
    assert main(["gate", "--graph", str(graph_file), "--policy-pack-config", str(bad_config),
                 "--out", str(tmp_path)]) == 2
    assert "the pack has no policy named 'no-such-policy'" in capsys.readouterr().err

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gate_run, "evaluate", interrupted)
    assert main(["gate", "--graph", str(graph_file), "--out", str(tmp_path)]) == 3
    assert FindingsFile.read(tmp_path / "gate.json").complete is False
    assert len(started) == 3
    assert all(p.process.poll() is not None for p in started)
