"""The gate suite: the real pack process over gRPC, started once per stack for the whole session."""

import sys

import pytest

from compliance import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "policies"))

from compliance_tests.gate.harness import POOL  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _stop_gate_packs():
    yield
    POOL.close()


@pytest.fixture(scope="session")
def program_graph():
    """The real program's graph (dev stack), rendered once for the session."""
    from compliance.render.build import render_graph

    return render_graph("dev")
