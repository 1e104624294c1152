"""The sandbox's moto server on 127.0.0.1: in this process, in a child process, or found already running.

All moto servers started in one process share moto's in-memory backends (one
emulated account); a server in a child process (``spawn_server``, used by
``sandbox up --detach``) has its own and can be killed to test an endpoint that
goes away; that child runs ``compliance.sandbox.serve``.
"""

from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from compliance import REPO_ROOT
from compliance.errors import EvaluationError, UsageError
from compliance.sandbox.clients import DUMMY_CREDENTIALS

LOOPBACK = "127.0.0.1"
READY = "READY"
SPAWN_TIMEOUT_SECONDS = 30.0


@dataclass
class Server:
    """A running sandbox server. ``pid`` is the child's for a spawned server, else None."""

    endpoint: str
    pid: int | None
    _stop: Callable[[], None]

    @property
    def port(self) -> int:
        return int(self.endpoint.rsplit(":", 1)[1])

    def stop(self) -> None:
        self._stop()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _quiet_moto() -> None:
    # Before moto's EC2 backend first loads: skip ~1,300 seeded AMIs/snapshots (faster EC2 calls).
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    # werkzeug logs a line per request, and a traceback per API moto lacks (the client gets a 500 anyway).
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)


def start_server(port: int = 0, host: str = LOOPBACK, middleware: Callable[[Any], Any] | None = None) -> Server:
    """Start moto's server in a thread of this process; ``port=0`` picks a free port.

    ``middleware`` wraps moto's WSGI app (the organization sandbox's AWS-faithful
    AssumeRole and its throttling switch, ``compliance.sandbox.organization``).

    Raises ``UsageError`` when the port cannot be bound (in use, not permitted).
    """
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    _quiet_moto()
    try:
        app = DomainDispatcherApplication(create_backend_app)
        server = make_server(host, port, middleware(app) if middleware else app, threaded=True,
                             request_handler=MotoRequestHandler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port") from None
    thread = threading.Thread(target=server.serve_forever, name=f"sandbox-{server.port}", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join()
        server.server_close()

    return Server(f"http://{host}:{server.port}", None, stop)


def spawn_server(port: int = 0, *, log_path: Path | None = None, detach: bool = False,
                 extra_args: tuple[str, ...] = (), timeout: float = SPAWN_TIMEOUT_SECONDS) -> Server:
    """Start a sandbox server in a child process and wait until it listens.

    ``detach=True`` puts the child in its own session so it outlives this
    process (``sandbox up --detach``); ``log_path`` receives its stderr.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (handed to the child)
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "compliance.sandbox.serve", "--port", str(port), *extra_args],
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, env=env, start_new_session=detach)
    finally:
        if log_path:
            log.close()
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    line = child.stdout.readline().decode().strip() if ready else ""
    child.stdout.close()
    if not line.startswith(READY + " "):
        child.kill()
        child.wait()
        where = f"; see {log_path}" if log_path else ""
        raise EvaluationError(f"the sandbox server did not start on port {port} (exit {child.returncode}){where}")

    def stop() -> None:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    return Server(line.split(" ", 1)[1], child.pid, stop)


def server_answers(endpoint: str) -> bool:
    """Whether a moto server answers at ``endpoint``: False if nothing listens.

    Raises ``UsageError`` when something else listens there.
    """
    import boto3

    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint, **DUMMY_CREDENTIALS,
                       config=Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=5))
    try:
        return bool(sts.get_caller_identity()["Account"])
    except EndpointConnectionError:
        return False
    except Exception as exc:  # an HTML page, a parse error, a refusal: whatever answers is not moto
        raise UsageError(f"{endpoint} answers but not as a moto server ({type(exc).__name__}); "
                         "pick another --port") from None
