"""The pack config's exceptions: policies disabled, lowered to advisory, or judged with a weakened parameter.

The reconciled settings of every policy (``config.reconcile``) are compared with the
catalog: a level of ``disabled``, ``advisory`` for a mandatory control, or a
parameter moved in the direction the catalog's ``weakens`` names (RET-01 ``minDays``
lower, NET-01 ``allowedCidrs`` added to) is an exception (``compliance.exceptions``).
A stricter setting is not. Retired policies judge nothing, so they have none.
"""

from __future__ import annotations

from compliance.catalog import Catalog
from compliance.exceptions import StageException
from compliance.gate.config import PolicySettings
from compliance.gate.results import PolicyMeta

LAYER = "preview"
RETIRED_SCOPE = "retired"


def pack_exceptions(settings: dict[str, PolicySettings], metas: dict[str, PolicyMeta], catalog: Catalog,
                    source: str) -> dict[str, list[StageException]]:
    """Policy name -> its exceptions (policies without any are left out)."""
    found: dict[str, list[StageException]] = {}
    for name, policy in settings.items():
        meta = metas.get(name)
        if meta is None or RETIRED_SCOPE in meta.scope:
            continue
        control = catalog[meta.control]
        mine: list[StageException] = []
        if policy.level == "disabled":  # its parameters are moot: it judges nothing
            found[name] = [StageException("disabled", LAYER, control.id, name, "enforcement level disabled", source)]
            continue
        if policy.level == "advisory" and control.enforcement == "mandatory":
            mine.append(StageException("advisory", LAYER, control.id, name,
                                       "enforcement level advisory for a mandatory control", source))
        for parameter in sorted(control.weakens):
            if parameter not in policy.properties:
                continue
            weakening = control.weakening(parameter, policy.properties[parameter])
            if weakening:
                mine.append(StageException("weakened", LAYER, control.id, name, f"{parameter}: {weakening}", source))
        if mine:
            found[name] = mine
    return found
