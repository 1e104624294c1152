"""What one audit covers: one stack (``--suffix``) or every resource (``--all``).

A resource belongs to the stack with suffix S when any of these holds:

- its physical name follows ``{type}-{purpose}-{S}`` (the program's naming
  helper; the last path segment for log groups and KMS aliases, underscores
  instead of hyphens for IoT topic rules);
- it is tagged ``Environment=S``;
- one of its identifiers (ARN, ID or name) appears among the values of the
  stack outputs file (``pulumi stack output --json``), which locates resources
  exactly.

A resource whose ``Environment`` tag names another stack is not in scope even
when its name ends like S (suffix ``dev`` versus a stack named ``qa-dev``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.errors import UsageError
from controls import gov_01

SUFFIX_PATTERN = re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{0,14}[a-z0-9]$")
ENVIRONMENT_TAG = "Environment"


def short_name(name: str) -> str:
    """The part of a physical name that carries ``{type}-{purpose}-{suffix}`` (``controls.gov_01``'s reading)."""
    return gov_01.convention_part(name)


def follows_naming(name: str, suffix: str | None) -> bool:
    """Is ``name`` ``{type}-{purpose}-{suffix}`` (GOV-01's reading, ``controls.gov_01``), whatever its separator?

    Without a suffix (``--all`` on an untagged resource) any suffix-shaped ending is accepted.
    """
    return gov_01.follows(name, suffix or gov_01.ANY_SUFFIX, separator=None)


def output_identifiers(outputs: Any) -> frozenset[str]:
    """Every string value of a ``pulumi stack output --json`` document, at any depth."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(outputs)
    return frozenset(found)


def read_outputs(path: Path) -> dict[str, Any]:
    """The ``pulumi stack output --json`` document at ``path`` (a usage error naming the fix otherwise)."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise UsageError(f"--outputs {path}: no such file; write it with `pulumi stack output --json`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--outputs {path}: cannot read it ({type(exc).__name__}); write it with "
                         "`pulumi stack output --json`") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--outputs {path}: not JSON ({exc.msg}); write it with `pulumi stack output --json`") from None
    if not isinstance(data, dict):
        raise UsageError(f"--outputs {path}: expected a JSON object as `pulumi stack output --json` writes it")
    return data


def load_outputs(path: Path) -> frozenset[str]:
    """Every identifier the outputs file names (what it admits into the scope)."""
    return output_identifiers(read_outputs(path))


@dataclass(frozen=True)
class Scope:
    """``suffix`` None means ``--all``: every resource of the audited types."""

    suffix: str | None
    outputs: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.suffix is not None and not SUFFIX_PATTERN.match(self.suffix):
            raise UsageError(f"--suffix {self.suffix!r}: use the stack's environmentSuffix "
                             "(2-16 lowercase letters, digits or hyphens)")

    @property
    def everything(self) -> bool:
        return self.suffix is None

    def describe(self) -> dict[str, Any]:
        return {"suffix": self.suffix} if self.suffix else {"all": True}

    def name_matches(self, name: str) -> bool:
        return self.suffix is not None and follows_naming(name, self.suffix)

    def in_outputs(self, *identifiers: str | None) -> bool:
        return any(i and (i in self.outputs or i.removesuffix(":*") in self.outputs) for i in identifiers)

    def decide(self, name: str, identifiers: tuple[str | None, ...], tags: dict[str, str] | None) -> bool:
        """Is this resource in scope? ``tags`` None when the resource has none to read (IoT things)."""
        if self.everything or self.in_outputs(name, *identifiers):
            return True
        environment = (tags or {}).get(ENVIRONMENT_TAG)
        if environment is not None:
            return environment == self.suffix
        return self.name_matches(name)

    def stack_suffix(self, tags: dict[str, str] | None) -> str | None:
        """The suffix a resource's name must carry (GOV-01): ours, or under --all its Environment tag."""
        if self.suffix:
            return self.suffix
        return (tags or {}).get(ENVIRONMENT_TAG)
