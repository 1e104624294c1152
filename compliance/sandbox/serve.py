"""The child process of ``spawn_server``: ``python -m compliance.sandbox.serve --port P``.

Prints ``READY <endpoint>`` once it listens, then serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from compliance.sandbox.server import READY, start_server


def serve(port: int, org_members: int = 0, org_dir: Path | None = None) -> int:
    """``org_members`` > 0: the sandbox as an Organization (``compliance.sandbox.organization``), built before READY."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    if org_members:
        from compliance.sandbox.organization import OrgGate, serve_org

        server = start_server(port, middleware=OrgGate)
        serve_org(server.endpoint, org_members, org_dir or Path(".sandbox") / "org")
    else:
        server = start_server(port)
    print(f"{READY} {server.endpoint}", flush=True)
    # The parent stops reading stdout here; moto prints warnings (e.g. "error running docker" when
    # a Kinesis record meets an event source mapping), which now go to stderr, the server's log.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    while not stopping.wait(0.5):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve a sandbox (moto) on 127.0.0.1 until SIGTERM.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--org", type=int, default=0, help="member accounts of an organization sandbox")
    parser.add_argument("--org-dir", type=Path, default=None, help="where the organization's files go")
    args = parser.parse_args()
    sys.exit(serve(args.port, args.org, args.org_dir))
