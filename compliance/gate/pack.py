"""The policy pack as a subprocess, started and stopped the way the Pulumi CLI does it.

The pack (started by ``spawn.spawn_pack``) prints the port of its Analyzer gRPC
server on stdout and serves until it is killed. ``PackProcess`` reads the port
with a deadline, connects, and always stops the process (context manager; also
on Ctrl-C).
"""

from __future__ import annotations

import collections
import os
import selectors
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

import grpc
import yaml
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2_grpc

from compliance.errors import EvaluationError
from compliance.gate.spawn import PACK_DIR, spawn_pack, stack_identity

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0
_MAX_MESSAGE = 400 * 1024 * 1024  # the SDK's own limit, for stacks with large inputs


def pack_version(pack_dir: Path) -> str:
    """The version the CLI shows: PulumiPolicy.yaml's (the Python SDK always reports 0.0.1)."""
    try:
        data = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise EvaluationError(f"{pack_dir}/PulumiPolicy.yaml cannot be read ({exc})") from exc
    return str(data.get("version", "0.0.1"))


class PackProcess:
    """A running policy pack with a connected Analyzer stub. Use as a context manager."""

    def __init__(self, *, project: str, stack: str, config: dict[str, str], pack_dir: Path = PACK_DIR,
                 start_timeout: float = START_TIMEOUT_S, process: subprocess.Popen | None = None) -> None:
        """Start the pack, or adopt ``process`` when ``spawn.spawn_pack`` already started it for this stack."""
        self.pack_dir = Path(pack_dir)
        self.identity = stack_identity(project, stack, config)
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=40)
        self._pumps: list[threading.Thread] = []
        self.process = process or spawn_pack(project, stack, config, self.pack_dir)
        self.channel: grpc.Channel | None = None
        try:
            self.version = pack_version(self.pack_dir)
        except BaseException:
            self.close()
            raise
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
