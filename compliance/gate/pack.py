"""The policy pack as a subprocess, started and stopped the way the Pulumi CLI does it.

The CLI runs a Python pack as ``python -u -m pulumi.policy <engine address>
<pack dir>`` from the pack's folder, with the stack's identity and config in
``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN`` and ``PULUMI_CONFIG``;
the pack prints the port of its Analyzer gRPC server on stdout and serves until
it is killed. ``PackProcess`` does the same, reads the port with a deadline,
and always stops the process (context manager; also on Ctrl-C).
"""

from __future__ import annotations

import collections
import json
import os
import selectors
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import grpc
import yaml
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2_grpc

from compliance import REPO_ROOT
from compliance.errors import EvaluationError

PACK_DIR = REPO_ROOT / "policies"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0
# No engine runs offline; the pack never calls back, but the launcher requires the argument.
NO_ENGINE_ADDRESS = "127.0.0.1:0"
_MAX_MESSAGE = 400 * 1024 * 1024  # the SDK's own limit, for stacks with large inputs


def pack_version(pack_dir: Path) -> str:
    """The version the CLI shows: PulumiPolicy.yaml's (the Python SDK always reports 0.0.1)."""
    try:
        data = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise EvaluationError(f"{pack_dir}/PulumiPolicy.yaml cannot be read ({exc})") from exc
    return str(data.get("version", "0.0.1"))


def stack_identity(project: str, stack: str, config: dict[str, str]) -> tuple[str, str, str]:
    """What the pack process was started with; a pack serves only graphs of the same identity."""
    return project, stack, json.dumps(config, sort_keys=True)


class PackProcess:
    """A running policy pack with a connected Analyzer stub. Use as a context manager."""

    def __init__(self, *, project: str, stack: str, config: dict[str, str], pack_dir: Path = PACK_DIR,
                 start_timeout: float = START_TIMEOUT_S) -> None:
        self.pack_dir = Path(pack_dir)
        self.identity = stack_identity(project, stack, config)
        self.version = pack_version(self.pack_dir)
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=40)
        self._pumps: list[threading.Thread] = []
        env = {**os.environ, "PULUMI_PROJECT": project, "PULUMI_STACK": stack, "PULUMI_DRY_RUN": "true",
               "PULUMI_CONFIG": json.dumps(config), "PYTHONUNBUFFERED": "1"}
        if not (self.pack_dir / "__main__.py").is_file():
            raise EvaluationError(f"{self.pack_dir} has no __main__.py; point the gate at the policy pack folder")
        self.process = subprocess.Popen(  # noqa: S603 (fixed argv, our own interpreter)
            [sys.executable, "-u", "-m", "pulumi.policy", NO_ENGINE_ADDRESS, str(self.pack_dir)],
            cwd=self.pack_dir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,  # Ctrl-C reaches the gate, which then stops the pack itself
        )
        self.channel: grpc.Channel | None = None
        try:
            self.port = self._read_port(start_timeout)
            self._drain(self.process.stdout, None)
            self._drain(self.process.stderr, self._stderr_tail)
            self.channel = grpc.insecure_channel(
                f"127.0.0.1:{self.port}",
                options=[("grpc.max_receive_message_length", _MAX_MESSAGE),
                         ("grpc.max_send_message_length", _MAX_MESSAGE)])
            grpc.channel_ready_future(self.channel).result(timeout=start_timeout)
            self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        except BaseException:
            self.close()
            raise

    def _read_port(self, timeout: float) -> int:
        stdout = self.process.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise EvaluationError(f"the policy pack in {self.pack_dir} did not report its port within "
                                          f"{timeout:.0f}s: run `python -m pulumi.policy x {self.pack_dir}` to see why")
                if not selector.select(timeout=min(remaining, 0.5)):
                    continue
                chunk = os.read(stdout.fileno(), 4096)
                if not chunk:
                    raise EvaluationError(f"the policy pack in {self.pack_dir} failed to start: {self._failure()}")
                buffer += chunk
        line = buffer.split(b"\n", 1)[0].strip()
        if not line.isdigit():
            raise EvaluationError(f"the policy pack in {self.pack_dir} printed {line[:80]!r} instead of its port")
        return int(line)

    def _failure(self) -> str:
        """The last meaningful line the pack wrote to stderr before it died."""
        try:
            _, err = self.process.communicate(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return "it closed stdout but kept running"
        lines = [ln.strip() for ln in err.decode(errors="replace").splitlines() if ln.strip()]
        return lines[-1] if lines else f"exit code {self.process.returncode}"

    def _drain(self, stream: IO[bytes] | None, tail: collections.deque[str] | None) -> None:
        """Keep reading a pipe so the pack never blocks on a full buffer."""
        if stream is None:
            return

        def pump() -> None:
            for raw in iter(stream.readline, b""):
                if tail is not None:
                    tail.append(raw.decode(errors="replace").rstrip())

        thread = threading.Thread(target=pump, daemon=True)
        thread.start()
        self._pumps.append(thread)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self) -> str:
        lines = [ln for ln in self._stderr_tail if ln.strip()]
        return lines[-1] if lines else ""

    def ping(self) -> None:
        """GetPluginInfo: fails fast if the server is gone."""
        self.stub.GetPluginInfo(empty_pb2.Empty(), timeout=10)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pump in self._pumps:  # the pipes reach EOF once the process is gone
            pump.join(timeout=STOP_TIMEOUT_S)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> PackProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
