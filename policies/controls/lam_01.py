"""LAM-01: Lambda functions use a runtime from the ``approvedRuntimes`` list.

A function deployed as a container image (``packageType`` Image) has no managed
runtime: the control does not apply to it (its base image is patched by whoever
builds it). A zip function without a runtime is refused by AWS; it fails here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from controls.values import UNKNOWN, describe
from controls.verdict import Judgement, Verdict, not_applicable

CONTROL = "LAM-01"
IMAGE = "Image"


@dataclass(frozen=True)
class Function:
    runtime: Any
    package_type: Any  # "Zip" (the default, also when ``MISSING``), "Image" or ``UNKNOWN``


def decide(function: Function, approved: Iterable[str]) -> Verdict:
    approved = list(approved)
    if function.package_type == IMAGE:
        return not_applicable("a container-image function has no managed runtime")
    judgement = Judgement()
    if function.package_type is UNKNOWN:
        judgement.unknown("packageType")
    if function.runtime is UNKNOWN:
        judgement.unknown("runtime")
    elif function.runtime not in approved:
        judgement.fail(f"runtime is {describe(function.runtime)}: use one of {', '.join(approved)}.", "runtime")
    return judgement.verdict(f"runtime {describe(function.runtime)} is approved")
