"""DES-01: no resource is protected (``protect``) or retained on delete (``retainOnDelete``).

Both options make ``pulumi destroy`` leave something behind: a protected
resource stops the destroy, a retained one is dropped from the state but lives
on in the account. They are resource *options*, not inputs: only the preview
sees them, and not through one channel. CrossGuard's Analyzer protocol carries
``protect`` but not ``retainOnDelete``, so the pack judges ``protect`` and the gate
judges ``retainOnDelete`` from the graph (``compliance/gate/run.py``), each with
this decision. An option a layer cannot see is ``None`` in the facts and is not
judged by that layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.values import truthy
from controls.verdict import Judgement, Verdict

CONTROL = "DES-01"


@dataclass(frozen=True)
class Options:
    """The resource's options as one layer sees them (``None``: this layer cannot see that option)."""

    protect: Any = None
    retain_on_delete: Any = None


def decide(options: Options) -> Verdict:
    judgement = Judgement()
    if options.protect is not None and truthy(options.protect):
        judgement.fail("the resource is protected, so `pulumi destroy` stops on it: remove protect=True from its "
                       "options.", "options.protect")
    if options.retain_on_delete is not None and truthy(options.retain_on_delete):
        judgement.fail("retainOnDelete is set, so `pulumi destroy` leaves the resource behind: remove "
                       "retain_on_delete from its options.", "options.retainOnDelete")
    seen = [name for name, value in (("protect", options.protect), ("retainOnDelete", options.retain_on_delete))
            if value is not None]
    return judgement.verdict(f"neither {' nor '.join(seen)} is set" if len(seen) > 1 else f"{seen[0]} is not set")
