"""The child process of ``spawn_server``: ``python -m compliance.sandbox.serve --port P``.

Prints ``READY <endpoint>`` once it listens, then serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from compliance.sandbox.server import READY, start_server


def serve(port: int) -> int:
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
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
    sys.exit(serve(parser.parse_args().port))
