"""GOV-01: physical names follow ``{type}-{purpose}-{suffix}`` with the stack's environment suffix.

The one reading of the naming convention, for the pack (suffix from the stack
config), our checkov check (``IOT_ENVIRONMENT_SUFFIX``) and the audit (its
``--suffix`` scope, or a resource's ``Environment`` tag):

* the part of a name that carries the convention: a path's last segment (log groups
  ``/aws/lambda/<name>``), an alias without ``alias/``, a FIFO queue without ``.fifo``;
* lowercase words (letters and digits) joined by one separator: ``-``, or ``_`` for
  the types whose names allow no hyphen (IoT topic rules); the last words are the
  suffix (its hyphens written with the separator), the first the type, at least one
  word of purpose between them;
* an absent name fails (the engine generates a random one), a name not known yet is
  undecided, and a stack without a suffix cannot be checked (fails with the fix).

``ANY_SUFFIX`` accepts any suffix-shaped ending: for an audit of every resource,
where a resource carries no ``Environment`` tag saying which stack it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe
from controls.verdict import Judgement, Verdict

CONTROL = "GOV-01"
HYPHEN, UNDERSCORE = "-", "_"
SUFFIX_KEY = "environmentSuffix"
# Types whose names allow no hyphen, by Pulumi type token and Terraform type.
UNDERSCORED_TYPES = frozenset({"aws:iot/topicRule:TopicRule", "aws_iot_topic_rule"})
_WORD = "[a-z0-9]+"


class _AnySuffix:
    def __repr__(self) -> str:
        return "ANY_SUFFIX"


ANY_SUFFIX = _AnySuffix()


@dataclass(frozen=True)
class Name:
    """A physical name (``value``: a string, ``MISSING`` or ``UNKNOWN``) and the input or field holding it."""

    setting: str
    value: Any
    separator: str = HYPHEN


def separator_for(resource_type: str) -> str:
    """The separator names of a type use (``_`` for IoT topic rules), by Pulumi token or Terraform type."""
    return UNDERSCORE if resource_type in UNDERSCORED_TYPES else HYPHEN


def convention_part(name: str) -> str:
    """The part of a physical name that carries the convention."""
    name = name.strip()
    if name.startswith("alias/"):
        name = name[len("alias/"):]
    name = name.rstrip("/").rsplit("/", 1)[-1]
    return name[:-len(".fifo")] if name.endswith(".fifo") else name


def follows(name: str, suffix: Any, separator: str | None = HYPHEN) -> bool:
    """Does ``name`` follow ``{type}{sep}{purpose}{sep}{suffix}``?

    ``separator`` None reads the name's own (underscores when it has some and no
    hyphen): for readers that do not know the resource's type.
    """
    part = convention_part(name)
    if separator is None:
        separator = UNDERSCORE if UNDERSCORE in part and HYPHEN not in part else HYPHEN
    sep = re.escape(separator)
    if suffix is ANY_SUFFIX or suffix is None:
        tail = f"{_WORD}(?:{sep}{_WORD})*"
    else:
        tail = re.escape(str(suffix).replace(HYPHEN, separator))
    return re.fullmatch(f"{_WORD}{sep}{_WORD}(?:{sep}{_WORD})*{sep}{tail}", part) is not None


def decide(name: Name, suffix: Any) -> Verdict:
    """``suffix``: the stack's suffix, ``ANY_SUFFIX``, or ``MISSING`` when the stack has none."""
    judgement = Judgement()
    value, setting, sep = name.value, name.setting, name.separator
    if value is UNKNOWN:
        judgement.unknown(setting)
    elif value is MISSING or value == "":
        judgement.fail(f"{setting} is not set, so Pulumi generates a random physical name: set {setting} with the "
                       "program's naming helper ({type}-{purpose}-{suffix}).", setting)
    elif not isinstance(value, str):
        judgement.fail(f"{setting} is {describe(value)}, not a name: set it with the program's naming helper.", setting)
    elif suffix is MISSING or suffix == "":
        judgement.fail(f"the stack config has no {SUFFIX_KEY}, so {setting} cannot be checked: set {SUFFIX_KEY}.",
                       setting)
    elif not follows(value, suffix, sep):
        shown = "{suffix}" if suffix is ANY_SUFFIX else str(suffix).replace(HYPHEN, sep)
        example = sep.join(("type", "purpose", shown))
        judgement.fail(f"{setting} {describe(value)} does not follow {{type}}{sep}{{purpose}}{sep}{{suffix}} "
                       f"(e.g. {example!r}): build it with the program's naming helper.", setting)
    return judgement.verdict(f"{setting} {describe(value)} follows {{type}}{sep}{{purpose}}{sep}{{suffix}}")
