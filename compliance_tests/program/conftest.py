"""Shared fixtures for the program's tests: each stack is rendered once per session.

Rendering runs ``program/`` under the offline engine's synthetic mocks (a few
seconds); every graph assertion reads the same rendered graph.
"""

from __future__ import annotations

from typing import Any

import pytest

from compliance.graph import Graph
from compliance.render import render_graph


@pytest.fixture(scope="session")
def dev_graph() -> Graph:
    return render_graph("dev")


@pytest.fixture(scope="session")
def apac_graph() -> Graph:
    return render_graph("apac")


@pytest.fixture(scope="session")
def outputs(dev_graph: Graph) -> dict[str, Any]:
    return dev_graph.data["outputs"]


@pytest.fixture(scope="session")
def key_arns(outputs: dict[str, Any]) -> dict[str, str]:
    """Service -> key ARN, from the stack's ``kmsKeyArns`` output."""
    return outputs["kmsKeyArns"]
