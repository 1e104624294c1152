"""`sandbox up` / `sandbox down` as a user runs them: real subprocesses, real servers on loopback."""

from __future__ import annotations

import http.server
import json
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from compliance import REPO_ROOT
from compliance.sandbox import server_answers
from compliance.sandbox.clients import SandboxClients

ENDPOINT = re.compile(r"sandbox endpoint: (http://127\.0\.0\.1:(\d+))")
CLI_TIMEOUT_SECONDS = 240


def sandbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compliance", "sandbox", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=CLI_TIMEOUT_SECONDS)


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}/cmdline").exists() and bool(Path(f"/proc/{pid}/cmdline").read_bytes())


def test_up_detach_leaves_a_server_that_takes_more_stacks_until_down(tmp_path: Path):
    state = tmp_path / "state"
    up = sandbox("up", "--detach", "--port", "0", "--suffix", "clia", "--state-dir", str(state))
    assert up.returncode == 0, up.stderr
    endpoint, port = ENDPOINT.search(up.stdout).groups()
    pidfile = state / f"server-{port}.json"
    pid = json.loads(pidfile.read_text())["pid"]
    try:
        assert server_answers(endpoint) and alive(pid) and pid != os.getpid()
        assert json.loads((state / "clia" / "outputs.json").read_text())["environmentSuffix"] == "clia"
        assert (state / "clia" / "gaps.json").exists()
        more = sandbox("up", "--port", port, "--suffix", "clib", "--state-dir", str(state))
        assert more.returncode == 0, more.stderr
        assert "already running; deployed into it" in more.stdout
        kinesis = SandboxClients(endpoint, "sa-east-1").client("kinesis")
        assert {"kinesis-telemetry-clia", "kinesis-telemetry-clib"} <= set(kinesis.list_streams()["StreamNames"])
        # a record meeting the event source mapping makes moto try Docker and print; the server keeps serving
        put = kinesis.put_record(StreamName="kinesis-telemetry-clia", Data=b"{}", PartitionKey="p")
        assert put["SequenceNumber"] and server_answers(endpoint)
    finally:
        down = sandbox("down", "--port", port, "--state-dir", str(state))
    assert down.returncode == 0, down.stderr
    assert not server_answers(endpoint)
    assert not pidfile.exists() and not alive(pid)


def test_foreground_up_serves_until_down_stops_it(tmp_path: Path):
    state = tmp_path / "state"
    process = subprocess.Popen([sys.executable, "-m", "compliance", "sandbox", "up", "--port", "0", "--suffix",
                                "clif", "--state-dir", str(state)], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        match = None
        while match is None:
            match = ENDPOINT.search(lines.get(timeout=CLI_TIMEOUT_SECONDS))
        endpoint, port = match.groups()
        assert server_answers(endpoint)
        assert process.poll() is None, "up returned instead of serving"
        down = sandbox("down", "--port", port, "--state-dir", str(state))
        assert down.returncode == 0, down.stderr
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not server_answers(endpoint)
    assert not (state / f"server-{port}.json").exists()


def test_down_with_no_recorded_sandbox_is_a_usage_error(tmp_path: Path):
    down = sandbox("down", "--port", "4566", "--state-dir", str(tmp_path))
    assert down.returncode == 2
    assert "no sandbox recorded for port 4566" in down.stderr


@pytest.fixture
def foreign_http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_up_on_a_port_something_else_answers_is_a_usage_error(tmp_path: Path, foreign_http_server: int):
    up = sandbox("up", "--port", str(foreign_http_server), "--state-dir", str(tmp_path))
    assert up.returncode == 2
    assert f"127.0.0.1:{foreign_http_server} answers but not as a moto server" in up.stderr
