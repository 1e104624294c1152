"""The sandbox suite reads the session's deployed dev stack (``compliance.sandbox.testing``) and its graph."""

from __future__ import annotations

import pytest

from compliance.graph import Graph
from compliance.render import render_graph


@pytest.fixture(scope="session")
def rendered_dev() -> Graph:
    """What the program declares for dev: the sandbox must hold exactly these resources."""
    return render_graph("dev")
