"""The sandbox: an emulated AWS account (moto server on 127.0.0.1) into which the program is deployed offline.

It is an offline emulation for developing and testing the live audit; real
deployments use ``pulumi up``. The Python API (the CLI is ``python -m
compliance sandbox up|down``)::

    from compliance.sandbox import start_server, deploy

    with start_server(port=0) as server:          # moto in a thread of this process
        stack = deploy("dev", suffix="dev", endpoint=server.endpoint)
        stack.outputs        # as `pulumi stack output --json` prints them
        stack.gaps           # what moto could not emulate -> audit `not_applicable`

- ``start_server(port=0, host="127.0.0.1") -> Server`` (in-process; every
  in-process server shares moto's backends, i.e. one account);
- ``spawn_server(port=0, log_path=None, detach=False) -> Server`` (a child
  process with its own account; ``Server.pid`` set; stop() terminates it);
- ``Server.endpoint``, ``Server.port``, ``Server.stop()``, context manager;
- ``server_answers(endpoint) -> bool``;
- ``deploy(stack="dev", suffix=None, *, endpoint, region=None, outputs_path=None) -> SandboxStack``
  (``outputs``, ``gaps``, ``resources``, ``region``, ``suffix``, ``account_id``,
  ``seconds``; with ``outputs_path`` also writes outputs.json and gaps.json beside it).

pytest fixtures sharing one server and one deployed dev stack per session live
in ``compliance.sandbox.testing`` (``pytest_plugins = ["compliance.sandbox.testing"]``).
"""

from compliance.sandbox.deploy import GAPS_FILE, SandboxStack, deploy
from compliance.sandbox.registry import Gap
from compliance.sandbox.server import Server, server_answers, spawn_server, start_server

__all__ = ["GAPS_FILE", "Gap", "SandboxStack", "Server", "deploy", "server_answers", "spawn_server", "start_server"]
