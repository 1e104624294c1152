"""The CLI as a user runs it: a subprocess, one-line errors, exit codes."""

import subprocess
import sys

from compliance import REPO_ROOT


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "compliance", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)


def test_an_unknown_command_is_a_usage_error():
    result = run_cli("deploy-everything")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_an_unknown_stack_is_a_usage_error_listing_the_known_ones(tmp_path):
    result = run_cli("render", "--stack", "nowhere", "--out", str(tmp_path / "g.json"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: no stack file Pulumi.nowhere.yaml; known stacks: apac, dev"]
    assert not (tmp_path / "g.json").exists()


def test_a_malformed_config_override_is_a_usage_error(tmp_path):
    result = run_cli("render", "--config", "no-equals-sign", "--out", str(tmp_path / "g.json"))
    assert result.returncode == 2
    assert "expected KEY=VALUE" in result.stderr
