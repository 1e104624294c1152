"""GOV-02: resources are created only in approved regions (data residency).

A resource's region is its own (pulumi-aws 7's per-resource ``region``, or where the
live audit found it), else its provider's. No region at all fails: whoever runs the
program would pick one with ``AWS_REGION``. A region not known yet is undecided.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from controls.values import MISSING, UNKNOWN, describe
from controls.verdict import Judgement, Verdict

CONTROL = "GOV-02"


def decide(region: Any, approved_regions: Iterable[str]) -> Verdict:
    approved = list(approved_regions)
    judgement = Judgement()
    if region is UNKNOWN:
        judgement.unknown("region")
    elif region is MISSING or region == "":
        judgement.fail("no region is set on the resource or its provider (the AWS_REGION of whoever runs it "
                       f"applies): set aws:region to one of {', '.join(approved)}.", "region")
    elif region not in approved:
        judgement.fail(f"region is {describe(region)}: use one of {', '.join(approved)} (aws:region).", "region")
    return judgement.verdict(f"in approved region {describe(region)}")
