"""Shared fixtures for the static-scan tests.

checkov takes many seconds per run, so the suite runs it on the real program
exactly twice: once on the clean graph and once on one graph that carries every
mutation at once (each on a different resource). Both runs go through the real
CLI (``python -m compliance scan``) as a subprocess, with checkov as its own
subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from compliance import REPO_ROOT
from compliance.findings import Finding, FindingsFile
from compliance.graph import Graph
from compliance.render import render_graph
from compliance.static.bridge import BridgeNames, load_bridge_names
from compliance_tests.static.mutations import Mutation, mutate


@dataclass(frozen=True)
class ScanRun:
    exit_code: int
    output: str
    out_dir: Path
    result: FindingsFile | None

    def findings(self, **match: str) -> list[Finding]:
        assert self.result is not None, self.output
        return [f for f in self.result.findings
                if all(getattr(f, k, None) == v or getattr(f.resource, k, None) == v for k, v in match.items())]


def run_scan_cli(*args: str, env: dict[str, str] | None = None, out_dir: Path) -> ScanRun:
    completed = subprocess.run(
        [sys.executable, "-m", "compliance", "scan", *args, "--out", str(out_dir)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )
    static = out_dir / "static.json"
    result = FindingsFile.read(static) if static.exists() else None
    return ScanRun(completed.returncode, completed.stdout + completed.stderr, out_dir, result)


def write_graph(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(scope="session")
def bridge() -> BridgeNames:
    return load_bridge_names()


@pytest.fixture(scope="session")
def program_graph() -> Graph:
    return render_graph("dev")


@pytest.fixture(scope="session")
def clean_scan(program_graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> ScanRun:
    work = tmp_path_factory.mktemp("clean-scan")
    graph_file = write_graph(work / "graph.json", program_graph.data)
    return run_scan_cli("--graph", str(graph_file), out_dir=work / "out")


@pytest.fixture(scope="session")
def mutations(program_graph: Graph) -> tuple[dict, list[Mutation]]:
    return mutate(program_graph.data)


@pytest.fixture(scope="session")
def mutated_scan(mutations: tuple[dict, list[Mutation]], tmp_path_factory: pytest.TempPathFactory) -> ScanRun:
    work = tmp_path_factory.mktemp("mutated-scan")
    graph_file = write_graph(work / "graph.json", mutations[0])
    return run_scan_cli("--graph", str(graph_file), "--no-secrets-scan", out_dir=work / "out")
