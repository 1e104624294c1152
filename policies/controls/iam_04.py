"""IAM-04: database credentials live in Secrets Manager and rotate automatically at least every 30 days.

A database (Aurora cluster, RDS instance) passes when RDS manages its master
password (``manageMasterUserPassword``: RDS keeps it in a secret and rotates it,
every 7 days by default) or when the password is the value of a secret with a
rotation of ``maxRotationDays`` or fewer; a password given any other way is a
static credential and fails. Where the layer reads the managed secret's rotation
(the live account) it is judged too: rotation off, or slower than the limit, fails.

A rotation's interval: ``automaticallyAfterDays``, else ``scheduleExpression``
``rate(N days)`` or ``rate(N hours)``. A ``cron(...)`` schedule gives no interval
that can be checked against the limit (it may skip a month), so it fails with the
fix; an unknown schedule is undecided.

An RDS Proxy holds database credentials too: it reaches the database either
with IAM end to end (``defaultAuthScheme`` ``IAM_AUTH``: no password exists, so
there is nothing to rotate) or with the Secrets Manager secrets its ``auths``
name, each of which must then rotate within the limit like any database
credential (a secret RDS manages for a cluster's master user rotates by RDS). A
secret the layer cannot read (declared outside the stack) cannot be verified
and fails; a proxy with neither IAM nor a secret has no way to reach its
database and fails too. Whether *clients* present IAM tokens (``iamAuth``) does
not change the credentials the proxy holds, so it is not judged here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, number, truthy
from controls.verdict import Judgement, Verdict

CONTROL = "IAM-04"
_RATE = re.compile(r"^rate\((\d+)\s+(day|days|hour|hours)\)$")


@dataclass(frozen=True)
class Rotation:
    """A secret's rotation: ``enabled`` (True, False, ``UNKNOWN``), ``after_days``, ``schedule`` (or ``MISSING``)."""

    where: str
    after_days: Any = MISSING
    schedule: Any = MISSING
    enabled: Any = True


@dataclass(frozen=True)
class Credentials:
    """A database's master credentials.

    ``managed``: RDS manages the password (True, False, ``UNKNOWN``). ``password_set``:
    a master password is given otherwise. ``rotations``: the rotations of the secret
    holding the password (the managed one, or the secret it was read from); None
    where the layer cannot read the managed secret's rotation (before the deploy).
    """

    label: str
    managed: Any
    password_set: bool = False
    rotations: tuple[Rotation, ...] | None = None


def interval_days(rotation: Rotation) -> Any:
    """Days between rotations: a number, ``UNKNOWN``, or None when the rules give no checkable interval."""
    if rotation.after_days is UNKNOWN or (rotation.after_days is MISSING and rotation.schedule is UNKNOWN):
        return UNKNOWN
    if rotation.after_days is not MISSING:
        return number(rotation.after_days)
    match = _RATE.match(str(rotation.schedule).strip()) if isinstance(rotation.schedule, str) else None
    if not match:
        return None
    amount = int(match.group(1))
    return amount / 24 if match.group(2).startswith("hour") else float(amount)


def decide_rotation(rotation: Rotation, max_days: int) -> Verdict:
    judgement = Judgement()
    _judge_rotation(judgement, rotation, max_days)
    return judgement.verdict(f"{rotation.where} rotates every {describe(interval_days(rotation))} days "
                             f"(<= {max_days})")


def _judge_rotation(judgement: Judgement, rotation: Rotation, max_days: int) -> None:
    if rotation.enabled is UNKNOWN:
        judgement.unknown(f"{rotation.where}.enabled")
        return
    if not truthy(rotation.enabled):
        judgement.fail(f"{rotation.where}: automatic rotation is off: enable it every {max_days} days or fewer.",
                       f"{rotation.where}.enabled")
        return
    days = interval_days(rotation)
    if days is UNKNOWN:
        judgement.unknown(f"{rotation.where}.rotationRules")
    elif days is None:
        shown = describe(rotation.schedule) if rotation.schedule is not MISSING else "not set"
        judgement.fail(f"{rotation.where}: rotationRules (scheduleExpression {shown}) gives no checkable interval: "
                       f"set automaticallyAfterDays (or scheduleExpression \"rate(N days)\") to {max_days} days or "
                       "fewer.", f"{rotation.where}.rotationRules")
    elif days > max_days:
        judgement.fail(f"{rotation.where}: rotation runs every {describe(days)} days: rotate every {max_days} days "
                       "or fewer.", f"{rotation.where}.rotationRules")


def decide(credentials: Credentials, max_days: int) -> Verdict:
    judgement = Judgement()
    label = credentials.label
    if credentials.managed is UNKNOWN:
        judgement.unknown("manageMasterUserPassword")
        return judgement.verdict("")
    rotations: Sequence[Rotation] = credentials.rotations or ()
    if truthy(credentials.managed):
        for rotation in rotations:
            _judge_rotation(judgement, rotation, max_days)
        return judgement.verdict(f"{label}: RDS manages the master password in Secrets Manager and rotates it")
    if not credentials.password_set:
        judgement.fail(f"{label}: set manageMasterUserPassword to true so RDS keeps the master password in Secrets "
                       "Manager and rotates it.", "manageMasterUserPassword")
        return judgement.verdict("")
    verdicts = [decide_rotation(r, max_days) for r in rotations]
    if any(v.status == "pass" for v in verdicts):
        return Verdict("pass", f"{label}: the master password is a Secrets Manager secret rotated every {max_days} "
                               "days or fewer")
    if any(v.status == "unknown" for v in verdicts):
        judgement.unknown("rotationRules")
        return judgement.verdict("")
    judgement.fail(f"{label}: the master password is not a Secrets Manager secret rotated every {max_days} days or "
                   "fewer: set manageMasterUserPassword to true.", "masterPassword")
    return judgement.verdict("")


IAM_AUTH = "IAM_AUTH"


@dataclass(frozen=True)
class ProxySecret:
    """A secret a proxy's ``auths`` name.

    ``rotations``: the rotations of that secret the layer sees (empty: none); None
    when the layer cannot read the secret (not declared in the stack, not found).
    ``managed``: RDS manages it for a database's master user (RDS rotates it).
    """

    where: str
    rotations: tuple[Rotation, ...] | None = ()
    managed: bool = False


@dataclass(frozen=True)
class Proxy:
    """An RDS Proxy's credentials towards its database.

    ``default_scheme``: ``defaultAuthScheme`` (``IAM_AUTH``, ``NONE``, ``MISSING``: AWS's
    default NONE, or ``UNKNOWN``). ``secrets``: the secrets its ``auths`` name
    (``UNKNOWN`` when the list is known only at apply); ``unnamed``: auth entries
    that name no secret.
    """

    label: str
    default_scheme: Any
    secrets: tuple[ProxySecret, ...] | Any = ()
    unnamed: int = 0


def decide_proxy(proxy: Proxy, max_days: int) -> Verdict:
    judgement = Judgement()
    label = proxy.label
    if proxy.default_scheme is UNKNOWN:
        judgement.unknown("defaultAuthScheme")
    if proxy.secrets is UNKNOWN:
        judgement.unknown("auths")
        return judgement.verdict("")
    iam = isinstance(proxy.default_scheme, str) and proxy.default_scheme.strip().upper() == IAM_AUTH
    if proxy.unnamed:
        judgement.fail(f"{label}: {proxy.unnamed} of its auths name no secretArn, so the credentials it would use "
                       "are not in Secrets Manager: name a rotating secret, or set defaultAuthScheme to IAM_AUTH.",
                       "auths")
    for secret in proxy.secrets:
        _judge_proxy_secret(judgement, label, secret, max_days)
    if not iam and not proxy.secrets and not proxy.unnamed and proxy.default_scheme is not UNKNOWN:
        judgement.fail(f"{label} authenticates to its database neither with IAM nor with a Secrets Manager secret: "
                       "set defaultAuthScheme to IAM_AUTH (no password to store or rotate).", "defaultAuthScheme")
    if iam and not proxy.secrets:
        return judgement.verdict(f"{label} reaches its database with IAM end to end (defaultAuthScheme IAM_AUTH): "
                                 "no password to store or rotate")
    return judgement.verdict(f"{label}: every secret it authenticates with rotates every {max_days} days or fewer")


def _judge_proxy_secret(judgement: Judgement, label: str, secret: ProxySecret, max_days: int) -> None:
    if secret.managed:
        for rotation in secret.rotations or ():
            _judge_rotation(judgement, rotation, max_days)
        return
    if secret.rotations is None:
        judgement.fail(f"{label}: {secret.where}: not readable here, so no rotation can be verified: use a secret of "
                       f"this stack rotated every {max_days} days or fewer, or set defaultAuthScheme to IAM_AUTH.",
                       "auths")
        return
    if not secret.rotations:
        judgement.fail(f"{label}: {secret.where} does not rotate: give it a rotation every {max_days} days or fewer, "
                       "or set defaultAuthScheme to IAM_AUTH.", "auths")
        return
    verdicts = [decide_rotation(r, max_days) for r in secret.rotations]
    if any(v.status == "pass" for v in verdicts):
        return
    for verdict in verdicts:
        judgement.absorb(verdict)
