"""Which accounts an organization audit reads: an accounts file, or the Organization itself.

An accounts file (``--accounts FILE``) is versioned YAML in the shape c7n-org
users already write, plus what scopes the audit in each account::

    version: 1
    accounts:
      - account_id: "111122223333"       # or id:
        name: plant-lyon
        regions: [eu-west-3]             # optional: --regions applies when absent
        role: arn:aws:iam::111122223333:role/compliance-auditor   # or role_arn:
        external_id: plant-audit         # optional
        tags: {site: lyon}               # or c7n-org's ["site:lyon"]
        suffix: lyon                     # the stack's environmentSuffix; absent = the account whole (--all)
        outputs: outputs/lyon.json       # optional: `pulumi stack output --json` (relative to the file)

``--organization`` lists the active accounts with Organizations ListAccounts
(from the management or a delegated-administrator account) and assumes
``--role-name`` in each; ``--include``/``--exclude`` select by account id,
name, OU id or ``key=value`` tag. Every problem is a one-line ``UsageError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from compliance.errors import UsageError

ACCOUNTS_FILE_VERSION = 1
DEFAULT_ROLE_NAME = "role-auditor-audit"  # program/auditor_role with its default suffix
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_ROLE_ARN = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$"
_ACCOUNT = {
    "type": "object",
    "properties": {
        "account_id": {"type": "string", "pattern": ACCOUNT_ID.pattern},
        "id": {"type": "string", "pattern": ACCOUNT_ID.pattern},
        "name": {"type": "string", "minLength": 1},
        "regions": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]$"},
                    "minItems": 1},
        "role": {"type": "string", "pattern": _ROLE_ARN},
        "role_arn": {"type": "string", "pattern": _ROLE_ARN},
        "external_id": {"type": "string", "pattern": r"^[\w+=,.@:/-]{2,1224}$"},
        "tags": {"oneOf": [{"type": "object", "additionalProperties": {"type": "string"}},
                           {"type": "array", "items": {"type": "string"}}]},
        "suffix": {"type": "string"},
        "outputs": {"type": "string"},
        "vars": {"type": "object"},  # c7n-org's; accepted and ignored
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["account_id"]}, {"required": ["id"]}],
}
ACCOUNTS_SCHEMA = {
    "type": "object",
    "required": ["version", "accounts"],
    "properties": {"version": {"const": ACCOUNTS_FILE_VERSION},
                   "accounts": {"type": "array", "items": _ACCOUNT, "minItems": 1}},
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Target:
    """One account to audit and how to reach it (``role_arn`` None: the caller's own credentials)."""

    account_id: str
    name: str
    role_arn: str | None = None
    external_id: str | None = None
    regions: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    ous: tuple[str, ...] = ()
    suffix: str | None = None
    outputs: Path | None = None

    def matches(self, selector: str) -> bool:
        """``--include``/``--exclude``: account id, name, OU id or ``key=value`` tag."""
        if "=" in selector:
            key, _, value = selector.partition("=")
            return self.tags.get(key) == value
        return selector in (self.account_id, self.name) or selector in self.ous


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return dict(value)
    return dict(item.partition(":")[::2] for item in value or [])


def load_accounts_file(path: Path) -> list[Target]:
    """The targets of an accounts file; a one-line ``UsageError`` naming the entry and the fix otherwise."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"--accounts {path}: no such file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"--accounts {path}: not readable YAML ({type(exc).__name__})") from None
    if isinstance(data, dict) and data.get("version") not in (None, ACCOUNTS_FILE_VERSION):
        raise UsageError(f"--accounts {path}: version {data.get('version')!r} is not known; "
                         f"this tool reads version {ACCOUNTS_FILE_VERSION}")
    try:
        jsonschema.validate(data, ACCOUNTS_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise UsageError(f"--accounts {path}: {where}: {exc.message.splitlines()[0]}") from None
    targets = []
    for entry in data["accounts"]:
        account_id = entry.get("account_id") or entry["id"]
        role = entry.get("role") or entry.get("role_arn")
        if role and role.split(":")[4] != account_id:
            raise UsageError(f"--accounts {path}: account {account_id}: role {role} is in another account; "
                             "name the auditor role of this account")
        outputs = entry.get("outputs")
        targets.append(Target(
            account_id=account_id, name=entry.get("name") or account_id, role_arn=role,
            external_id=entry.get("external_id"), regions=tuple(entry.get("regions") or ()),
            tags=_tags(entry.get("tags")), suffix=entry.get("suffix"),
            outputs=(path.parent / outputs) if outputs else None,
        ))
    _refuse_duplicates(targets, f"--accounts {path}")
    return targets


def _refuse_duplicates(targets: list[Target], where: str) -> None:
    seen: set[str] = set()
    for target in targets:
        if target.account_id in seen:
            raise UsageError(f"{where}: account {target.account_id} is listed twice; keep one entry")
        seen.add(target.account_id)


def role_arn(account_id: str, role_name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


def organization_targets(organizations: Any, role_name: str, external_id: str | None = None) -> list[Target]:
    """The Organization's ACTIVE accounts (ListAccounts), with their OUs (ListParents) and tags.

    ``organizations`` is a boto3 Organizations client of the management or a
    delegated-administrator account; every call it makes is counted by the caller.
    """
    targets = []
    for page in organizations.get_paginator("list_accounts").paginate():
        for account in page["Accounts"]:
            if account.get("Status", "ACTIVE") != "ACTIVE":
                continue
            account_id = account["Id"]
            partition = account["Arn"].split(":")[1] if account.get("Arn") else "aws"
            targets.append(Target(
                account_id=account_id, name=account.get("Name") or account_id,
                role_arn=role_arn(account_id, role_name, partition), external_id=external_id,
                ous=tuple(_ous(organizations, account_id)), tags=_account_tags(organizations, account_id),
            ))
    return targets


def _ous(organizations: Any, account_id: str) -> Iterable[str]:
    """Every OU above the account, nearest first (an ``--include ou-xxx`` selects its whole subtree)."""
    child = account_id
    while True:
        parents = organizations.list_parents(ChildId=child)["Parents"]
        if not parents or parents[0]["Type"] != "ORGANIZATIONAL_UNIT":
            return
        child = parents[0]["Id"]
        yield child


def _account_tags(organizations: Any, account_id: str) -> dict[str, str]:
    tags = {}
    for page in organizations.get_paginator("list_tags_for_resource").paginate(ResourceId=account_id):
        tags.update({t["Key"]: t["Value"] for t in page["Tags"]})
    return tags


def select(targets: list[Target], include: list[str], exclude: list[str]) -> list[Target]:
    """Targets matching any ``include`` (all when none) and no ``exclude``; none left is a usage error."""
    chosen = [t for t in targets if (not include or any(t.matches(s) for s in include))
              and not any(t.matches(s) for s in exclude)]
    if not chosen:
        raise UsageError(f"no account left to audit out of {len(targets)} (--include {include or 'all'}, "
                         f"--exclude {exclude or 'none'}); check the selectors: account id, name, OU id or key=value")
    return chosen
