"""GOV-03: taggable resources carry the required tags (Environment, Project, Owner, DataClassification).

A resource's tags are its own merged over its provider's default tags (AWS applies
both). A required tag that is absent or empty fails; tag keys are case-sensitive, as
in AWS (``environment`` is not ``Environment``). Tags not known yet are undecided.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from controls.values import MISSING, UNKNOWN
from controls.verdict import Judgement, Verdict

CONTROL = "GOV-03"


def decide(tags: Any, required_tags: Iterable[str]) -> Verdict:
    """``tags``: the resource's tags (a mapping, ``MISSING`` for none, ``UNKNOWN`` when not known yet)."""
    required = list(required_tags)
    judgement = Judgement()
    if tags is UNKNOWN:
        judgement.unknown("tags")
        return judgement.verdict("")
    present = tags if isinstance(tags, Mapping) else {}
    unknown = [tag for tag in required if present.get(tag) is UNKNOWN]
    missing = [tag for tag in required if tag not in unknown and not _value(present.get(tag))]
    if missing:
        judgement.fail(f"tags lack {', '.join(missing)}: pass the program's common tags to this resource.", "tags")
    for tag in unknown:
        judgement.unknown(f"tags.{tag}")
    return judgement.verdict(f"tagged {', '.join(required)}")


def _value(value: Any) -> bool:
    return value is not MISSING and value is not None and str(value).strip() != ""
