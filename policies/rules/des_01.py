"""DES-01 in the pack: ``protect`` (``controls.des_01``).

The Analyzer protocol carries ``protect`` but not ``retainOnDelete``; the gate
judges ``retainOnDelete`` from the graph with the same decision
(``compliance/gate/run.py``), and the program's stack transform refuses both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import des_01
from rules.model import Resource
from rules.registry import ALL_RESOURCES, Registry, resource_results

registry = Registry()


@registry.resource("DES-01", "no-protect",
                   "No resource is protected against deletion (protect=True).", [ALL_RESOURCES])
def no_protect(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(des_01.decide(des_01.Options(protect=r.protect)))
