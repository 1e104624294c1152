"""DES-02: every resource can be destroyed by the pipeline that created it.

Stacks are disposable: backups (RET-01), point-in-time recovery (RET-02),
versioning (RET-03) and log retention (RET-04) carry the data, not blocked
deletes. Per kind of resource, the settings that must hold (Pulumi input names):

* databases (Aurora cluster, RDS instance): ``deletionProtection`` off and
  ``skipFinalSnapshot`` on (the provider's default takes a final snapshot, which
  outlives the stack);
* DynamoDB tables: ``deletionProtectionEnabled`` off;
* S3 buckets: ``forceDestroy`` on (the provider refuses to delete a bucket that
  holds objects, and a versioned archive always does);
* log groups and Lambda functions: no ``skipDestroy`` (it drops them from the
  state and leaves them in the account).

A setting absent from the inputs takes the provider's default. Some of these are
delete-time settings of the provider (``skipFinalSnapshot``, ``forceDestroy``,
``skipDestroy``) that AWS keeps no record of: the live layer cannot observe them and
leaves them out of its facts; only the settings a layer passes are judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, truthy
from controls.verdict import Judgement, Verdict

CONTROL = "DES-02"

DATABASE, TABLE, BUCKET, LOG_GROUP, FUNCTION = "database", "table", "bucket", "log group", "function"


@dataclass(frozen=True)
class Requirement:
    setting: str  # the Pulumi input
    wanted: bool
    default: bool  # the provider's value when the input is absent
    fix: str


REQUIREMENTS: dict[str, tuple[Requirement, ...]] = {
    DATABASE: (Requirement("deletionProtection", False, False, "set deletionProtection to false."),
               Requirement("skipFinalSnapshot", True, False,
                           "set skipFinalSnapshot to true (backups carry retention, see RET-01).")),
    TABLE: (Requirement("deletionProtectionEnabled", False, False, "set deletionProtectionEnabled to false."),),
    BUCKET: (Requirement("forceDestroy", True, False,
                         "set forceDestroy to true (versioning and lifecycle carry retention, see RET-03)."),),
    LOG_GROUP: (Requirement("skipDestroy", False, False, "remove skipDestroy (retention is set by retentionInDays)."),),
    FUNCTION: (Requirement("skipDestroy", False, False, "remove skipDestroy."),),
}


@dataclass(frozen=True)
class Resource:
    """One resource: its kind and the settings the layer observed (input name -> value, ``MISSING``, ``UNKNOWN``)."""

    kind: str
    settings: Mapping[str, Any]


def decide(resource: Resource) -> Verdict:
    judgement = Judgement()
    judged = []
    for requirement in REQUIREMENTS[resource.kind]:
        if requirement.setting not in resource.settings:
            continue  # not observable in this layer
        judged.append(requirement.setting)
        value = resource.settings[requirement.setting]
        if value is UNKNOWN:
            judgement.unknown(requirement.setting)
        elif (requirement.default if value is MISSING else truthy(value)) != requirement.wanted:
            judgement.fail(f"{requirement.setting} is {describe(value)}: {requirement.fix}", requirement.setting)
    return judgement.verdict(f"destroyable ({', '.join(judged)} as required)")
