"""GOV-02 in the pack: every custom resource's region, its own or its provider's (``controls.gov_02``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import gov_02
from rules.model import Resource
from rules.registry import CUSTOM_RESOURCES, Registry, resource_results

registry = Registry()


@registry.resource("GOV-02", "approved-regions",
                   "Resources are created only in approved regions.", [CUSTOM_RESOURCES],
                   parameters=("approvedRegions",))
def approved_regions(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(gov_02.decide(r.region(), config["approvedRegions"]))
