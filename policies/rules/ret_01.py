"""RET-01 in the pack: an Aurora cluster's automated-backup retention (``controls.ret_01``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import ret_01
from rules import types as t
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()


@registry.resource("RET-01", "aurora-backup-retention",
                   "Aurora clusters keep automated backups for at least 30 days.", [t.RDS_CLUSTER],
                   parameters=("minDays",))
def aurora_backup_retention(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(ret_01.decide(ret_01.Backups(r.lookup(ret_01.PATH)), config["minDays"]))
