"""Shared fixtures for the program's tests: each stack is rendered once per session.

Rendering runs ``program/`` under the offline engine's synthetic mocks (a few
seconds); every graph assertion reads the same rendered graph.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from compliance import engine
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


@pytest.fixture(scope="session")
def program_module() -> Callable[[str], ModuleType]:
    """Loads one of program/'s own modules (``transforms.py``) alone, outside a program run."""

    def load(filename: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"program_{filename[:-3]}", engine.PROGRAM_DIR / filename)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture
def monitors(monkeypatch) -> list[engine.RecordingMonitor]:
    """Every RecordingMonitor the engine creates during the test, to prove nothing was registered."""
    created = []

    class SpyMonitor(engine.RecordingMonitor):
        def __init__(self, mocks):
            super().__init__(mocks)
            created.append(self)

    monkeypatch.setattr(engine, "RecordingMonitor", SpyMonitor)
    return created
