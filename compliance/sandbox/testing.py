"""pytest fixtures: one sandbox server and one deployed dev stack per test session, shared by every suite.

Activate from the top-level ``compliance_tests/conftest.py`` (pytest accepts
``pytest_plugins`` only there)::

    pytest_plugins = ["compliance.sandbox.testing"]

- ``sandbox_server``: a moto server in this process on a free loopback port.
- ``deployed_dev``: the dev stack deployed into it once (a ``SandboxStack``;
  ``deployed_dev.client("kinesis")`` gives a boto3 client). Treat it as
  read-only: tests of many suites read it.
- ``sandbox_stack_factory``: ``deploy_stack(suffix, stack="dev")`` deploys a
  further stack into the same server (once per suffix). A test that breaks
  resources (drift) uses a suffix of its own.

Imports are deferred so that loading the plugin costs nothing to suites that
never ask for a sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from compliance.sandbox.deploy import SandboxStack
    from compliance.sandbox.server import Server


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Server]:
    from compliance.sandbox.server import start_server

    with start_server() as server:
        yield server


@pytest.fixture(scope="session")
def sandbox_stack_factory(sandbox_server: Server, tmp_path_factory: pytest.TempPathFactory
                          ) -> Callable[..., SandboxStack]:
    from compliance.sandbox.deploy import deploy

    deployed: dict[tuple[str, str], SandboxStack] = {}

    def deploy_stack(suffix: str, stack: str = "dev") -> SandboxStack:
        if (stack, suffix) not in deployed:
            outputs = tmp_path_factory.mktemp(f"sandbox-{stack}-{suffix}") / "outputs.json"
            deployed[stack, suffix] = deploy(stack, suffix, endpoint=sandbox_server.endpoint, outputs_path=outputs)
        return deployed[stack, suffix]

    return deploy_stack


@pytest.fixture(scope="session")
def deployed_dev(sandbox_stack_factory: Callable[..., SandboxStack]) -> SandboxStack:
    return sandbox_stack_factory("dev")
