"""``python -m compliance sandbox up|down``: run the emulated account and deploy the program into it.

``up`` starts a moto server on 127.0.0.1 (or finds one already answering on the
port, and deploys into it: several suffixes make a multi-stack account),
deploys the stack, writes ``.sandbox/<suffix>/outputs.json`` (as ``pulumi stack
output --json`` would) and ``gaps.json`` beside it, prints the endpoint, and
serves until Ctrl-C/SIGTERM; ``--detach`` leaves the server in a background
process instead. ``down`` stops the server recorded for the port.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from pathlib import Path

from compliance.engine import project_name, stack_config
from compliance.errors import EXIT_OK, UsageError
from compliance.findings import write_json_atomic
from compliance.sandbox.deploy import SandboxStack, deploy
from compliance.sandbox.server import LOOPBACK, Server, server_answers, spawn_server, start_server

DEFAULT_PORT = 4566
STOP_TIMEOUT_SECONDS = 15.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="an offline emulated AWS account (moto on 127.0.0.1) with the program deployed in it",
        description="Offline emulation on moto for developing and testing the live audit; "
                    "real deployments use `pulumi up`.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start (or reuse) a sandbox server and deploy a stack into it")
    up.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 = any)")
    up.add_argument("--stack", default="dev", help="stack whose Pulumi.<stack>.yaml to deploy (default: dev)")
    up.add_argument("--suffix", help="environmentSuffix to deploy under (default: the stack's)")
    up.add_argument("--region", help="region to deploy to (default: the stack's aws:region)")
    up.add_argument("--outputs", type=Path, help="outputs file (default: .sandbox/<suffix>/outputs.json)")
    up.add_argument("--detach", action="store_true", help="leave the server running in the background and return")
    up.add_argument("--state-dir", type=Path, default=Path(".sandbox"), help="pidfiles, logs, outputs (default .sandbox)")
    up.add_argument("--org-members", type=int, default=0, metavar="N",
                    help="with --detach: the sandbox as an Organization of N member accounts, the program and the "
                         "auditor role in each (docs/organization.md)")
    up.add_argument("--org-dir", type=Path, help="where the organization's accounts.yaml, outputs and gaps go "
                                                 "(default: STATE_DIR/org)")
    up.set_defaults(handler=run_up)
    down = actions.add_parser("down", help="stop the sandbox server recorded for a port")
    down.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port of the sandbox to stop (default {DEFAULT_PORT})")
    down.add_argument("--state-dir", type=Path, default=Path(".sandbox"))
    down.set_defaults(handler=run_down)


def _pidfile(state_dir: Path, port: int) -> Path:
    return state_dir / f"server-{port}.json"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _record(state_dir: Path, server: Server, pid: int) -> Path:
    path = _pidfile(state_dir, server.port)
    write_json_atomic(path, {"pid": pid, "endpoint": server.endpoint, "cmdline": _cmdline(pid)})
    return path


def _deploy(args: argparse.Namespace, endpoint: str) -> SandboxStack:
    overrides = {"environmentSuffix": args.suffix} if args.suffix else {}
    suffix = stack_config(args.stack, overrides).get(f"{project_name()}:environmentSuffix", args.stack)
    outputs_path = args.outputs or args.state_dir / suffix / "outputs.json"
    stack = deploy(args.stack, args.suffix, endpoint=endpoint, region=args.region, outputs_path=outputs_path)
    print(f"deployed stack {stack.stack} (suffix {stack.suffix}, region {stack.region}, account {stack.account_id}): "
          f"{len(stack.resources)} resources in {stack.seconds:.1f} s")
    print(f"outputs: {stack.outputs_path}")
    print(f"gaps (API answers moto cannot make faithful; for `audit --known-gaps` against this sandbox only): "
          f"{len(stack.gaps)} in {stack.gaps_path}")
    return stack


def run_up(args: argparse.Namespace) -> int:
    args.state_dir.mkdir(parents=True, exist_ok=True)
    if args.org_members:
        return _org_up(args)
    if args.port and server_answers(f"http://{LOOPBACK}:{args.port}"):
        endpoint = f"http://{LOOPBACK}:{args.port}"
        _deploy(args, endpoint)
        print(f"sandbox endpoint: {endpoint} (already running; deployed into it)")
        return EXIT_OK
    if args.detach:
        server = spawn_server(args.port, log_path=args.state_dir / f"server-{args.port}.log", detach=True)
        pidfile = _record(args.state_dir, server, server.pid)
        try:
            _deploy(args, server.endpoint)
        except BaseException:
            server.stop()
            pidfile.unlink(missing_ok=True)
            raise
        print(f"sandbox endpoint: {server.endpoint} (background pid {server.pid}; "
              f"stop it with `python -m compliance sandbox down --port {server.port}`)")
        return EXIT_OK
    return _serve_foreground(args)


def _org_up(args: argparse.Namespace) -> int:
    """A detached server that builds the organization in its own process (setup reaches moto's backends)."""
    if not args.detach or args.org_members < 1:
        raise UsageError("--org-members N (1 or more) needs --detach: the organization lives in the server's process")
    org_dir = (args.org_dir or args.state_dir / "org").resolve()
    server = spawn_server(args.port, log_path=args.state_dir / f"server-{args.port}.log", detach=True,
                          extra_args=("--org", str(args.org_members), "--org-dir", str(org_dir)),
                          timeout=60.0 + 30.0 * args.org_members)
    _record(args.state_dir, server, server.pid)
    print(f"organization sandbox: {args.org_members} member accounts at {server.endpoint} (background pid "
          f"{server.pid}); accounts file {org_dir / 'accounts.yaml'}")
    return EXIT_OK


def _serve_foreground(args: argparse.Namespace) -> int:
    stopping = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stopping.set()) for signum in (signal.SIGINT, signal.SIGTERM)}
    server = start_server(args.port)
    pidfile = _record(args.state_dir, server, os.getpid())
    try:
        _deploy(args, server.endpoint)
        print(f"sandbox endpoint: {server.endpoint} (serving; Ctrl-C or "
              f"`python -m compliance sandbox down --port {server.port}` stops it)", flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        server.stop()
        pidfile.unlink(missing_ok=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("sandbox stopped")
    return EXIT_OK


def run_down(args: argparse.Namespace) -> int:
    pidfile = _pidfile(args.state_dir, args.port)
    if not pidfile.exists():
        raise UsageError(f"no sandbox recorded for port {args.port} ({pidfile} missing); nothing to stop")
    state = json.loads(pidfile.read_text())
    pid = int(state["pid"])
    if not state.get("cmdline") or _cmdline(pid) != state["cmdline"]:
        pidfile.unlink()
        print(f"the sandbox on port {args.port} (pid {pid}) was no longer running")
        return EXIT_OK
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _cmdline(pid) == state["cmdline"] and time.monotonic() < deadline:
        time.sleep(0.1)
    if _cmdline(pid) == state["cmdline"]:
        os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    print(f"stopped the sandbox at {state['endpoint']} (pid {pid})")
    return EXIT_OK
