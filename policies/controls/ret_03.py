"""RET-03: S3 buckets are versioned; data buckets tier to Intelligent-Tiering and Glacier and expire old versions.

Versioning: every versioning setting declared for the bucket (inline
``versioning``, ``BucketVersioning`` resources, or ``GetBucketVersioning``) is
``Enabled``; a bucket with none has never been versioned.

Archive lifecycle: every bucket that no CloudTrail trail delivers to holds
platform data (the raw telemetry archive) and needs, among its enabled lifecycle
rules that apply to every object (no prefix or tag filter: a filtered rule leaves
the other objects where they are):

* a transition to ``INTELLIGENT_TIERING``;
* a transition to a Glacier storage class (``GLACIER``, ``GLACIER_IR`` or
  ``DEEP_ARCHIVE``) after ``glacierAfterDays`` days or sooner;
* an expiration of noncurrent versions (versioning keeps every overwrite).

A trail's bucket keeps its log files by RET-05's rules instead; its lifecycle is
not judged here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, number, truthy
from controls.verdict import Judgement, Verdict

CONTROL = "RET-03"
TIERING = "INTELLIGENT_TIERING"
GLACIER_CLASSES = ("GLACIER", "GLACIER_IR", "DEEP_ARCHIVE")
ENABLED = "Enabled"


@dataclass(frozen=True)
class Versioning:
    """One versioning setting: ``status`` "Enabled"/"Suspended"/..., or a boolean (inline ``versioning.enabled``)."""

    where: str
    status: Any


@dataclass(frozen=True)
class Transition:
    storage_class: Any
    days: Any  # MISSING when the transition is by date


@dataclass(frozen=True)
class LifecycleRule:
    """One lifecycle rule: ``enabled`` (a boolean or a status), its filter, transitions and noncurrent expiry.

    ``prefix``: the filter's prefix (MISSING or "" for every object); ``tags``:
    whether the filter also selects by tag; ``transitions`` UNKNOWN when known only
    at apply; ``noncurrent_days``: NoncurrentVersionExpiration days (MISSING when none).
    """

    where: str
    enabled: Any
    prefix: Any
    tags: Any
    transitions: Any
    noncurrent_days: Any


@dataclass(frozen=True)
class Bucket:
    """``lifecycle``: the rules (UNKNOWN when known only at apply); ``trail_bucket``: a trail delivers to it."""

    versioning: tuple[Versioning, ...]
    lifecycle: Any
    trail_bucket: Any


def decide(bucket: Bucket, glacier_after_days: int) -> Verdict:
    judgement = Judgement()
    if not bucket.versioning:
        judgement.fail("the bucket is not versioned: add a BucketVersioning with status \"Enabled\".", "versioning")
    for versioning in bucket.versioning:
        judge_versioning(judgement, versioning)
    passed = "versioning enabled"
    if bucket.trail_bucket is True:
        return judgement.verdict(f"{passed}; a CloudTrail bucket, whose lifecycle RET-05 governs")
    archive = Judgement()
    _judge_archive(archive, bucket.lifecycle, glacier_after_days)
    if bucket.trail_bucket is UNKNOWN and (archive.problems or archive.undecided):
        judgement.unknown("trail", "whether a trail delivers to the bucket is known only at apply, and its lifecycle "
                                   "would not do for a data archive")
    else:
        judgement.absorb(archive)
    return judgement.verdict(f"{passed}; tiers to {TIERING} and Glacier within {glacier_after_days} days and expires "
                             "noncurrent versions")


def decide_versioning(versioning: Versioning) -> Verdict:
    """The verdict on one versioning configuration resource, judged alone."""
    judgement = Judgement()
    judge_versioning(judgement, versioning)
    return judgement.verdict("versioning enabled")


def judge_versioning(judgement: Judgement, versioning: Versioning) -> None:
    status = versioning.status
    if status is UNKNOWN:
        judgement.unknown(versioning.where)
    elif isinstance(status, bool) or status is MISSING:
        if status is not True:
            judgement.fail(f"{versioning.where} is {describe(status)}: set it to true.", versioning.where)
    elif status != ENABLED:
        judgement.fail(f"{versioning.where} is {describe(status)}: set it to \"Enabled\".", versioning.where)


def _judge_archive(judgement: Judgement, rules: Any, glacier_after_days: int) -> None:
    if rules is UNKNOWN:
        judgement.unknown("lifecycle")
        return
    applying, partial = [], []
    for rule in rules:
        state = _applies_to_every_object(rule)
        if state is None:
            judgement.unknown(rule.where)
            return
        if state:
            applying.append(rule)
        elif _enabled(rule):
            partial.append(f"{rule.where} applies only to part of the bucket (filter {describe(rule.prefix)}"
                           f"{' and tags' if rule.tags else ''})")
    transitions: list[Transition] = []
    for rule in applying:
        if rule.transitions is UNKNOWN or any(t is UNKNOWN or UNKNOWN in (t.storage_class, t.days)
                                              for t in rule.transitions):
            judgement.unknown(f"{rule.where}.transitions")
            return
        transitions += list(rule.transitions)
    missing = []
    if not any(t.storage_class == TIERING for t in transitions):
        missing.append(f"a transition to {TIERING}")
    if not any(t.storage_class in GLACIER_CLASSES and (d := number(t.days)) is not None and d <= glacier_after_days
               for t in transitions):
        missing.append(f"a transition to GLACIER at {glacier_after_days} days or sooner")
    if any(r.noncurrent_days is UNKNOWN for r in applying):
        judgement.unknown("noncurrentVersionExpiration")
        return
    if not any(r.noncurrent_days is not MISSING for r in applying):
        missing.append("an expiration of noncurrent versions")
    if missing:
        judgement.fail(f"the bucket holds platform data (no trail writes to it) and its lifecycle lacks "
                       f"{', '.join(missing)}, in enabled rules for every object"
                       f"{''.join(f'; {p}' for p in partial)}: add them to its BucketLifecycleConfiguration.",
                       "lifecycle")


def _applies_to_every_object(rule: LifecycleRule) -> bool | None:
    """Enabled and unfiltered; None when that is known only at apply."""
    if UNKNOWN in (rule.enabled, rule.prefix, rule.tags):
        return None
    return _enabled(rule) and rule.prefix in (MISSING, "") and not rule.tags


def _enabled(rule: LifecycleRule) -> bool:
    return rule.enabled == ENABLED or (isinstance(rule.enabled, bool) and truthy(rule.enabled))

