"""RET-03's decision on first-preview unknowns (no deployed bucket has them; the case table covers the rest)."""

from __future__ import annotations

from controls import ret_03
from controls.values import MISSING, UNKNOWN

VERSIONED = (ret_03.Versioning("versioningConfiguration.status", "Enabled"),)
GOOD = ret_03.LifecycleRule("rules[0]", "Enabled", MISSING, False,
                            (ret_03.Transition("INTELLIGENT_TIERING", 0), ret_03.Transition("GLACIER", 90)), 30)


def test_a_bucket_a_trail_may_write_to_is_undecided_only_when_its_lifecycle_would_fail_a_data_bucket():
    assert ret_03.decide(ret_03.Bucket(VERSIONED, (GOOD,), UNKNOWN), 90).status == "pass"
    assert ret_03.decide(ret_03.Bucket(VERSIONED, (), UNKNOWN), 90).status == "unknown"


def test_unknown_versioning_and_lifecycle_are_undecided_never_passed():
    unknown_status = (ret_03.Versioning("versioningConfiguration.status", UNKNOWN),)
    assert ret_03.decide(ret_03.Bucket(unknown_status, (GOOD,), False), 90).status == "unknown"
    assert ret_03.decide(ret_03.Bucket(VERSIONED, UNKNOWN, False), 90).status == "unknown"
    unknown_filter = ret_03.LifecycleRule("rules[0]", "Enabled", UNKNOWN, False, GOOD.transitions, 30)
    assert ret_03.decide(ret_03.Bucket(VERSIONED, (unknown_filter,), False), 90).status == "unknown"


def test_a_definite_violation_is_reported_while_another_fact_is_unknown():
    verdict = ret_03.decide(ret_03.Bucket((), UNKNOWN, False), 90)
    assert verdict.status == "fail" and "not versioned" in verdict.message and verdict.undecided


def test_the_glacier_threshold_is_the_parameter():
    assert ret_03.decide(ret_03.Bucket(VERSIONED, (GOOD,), False), 89).status == "fail"
