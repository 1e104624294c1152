"""The policy suite: every policy through the real pack process over gRPC (one process per session)."""

import sys

import pytest

from compliance import REPO_ROOT

# The pack's own modules (rules.*), as `python -m pulumi.policy policies/` sees them.
sys.path.insert(0, str(REPO_ROOT / "policies"))

from compliance_tests.gate.harness import POOL  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _stop_policy_packs():
    yield
    POOL.close()
