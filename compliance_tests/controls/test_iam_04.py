"""IAM-04 branches no case can express: rotation read live (disabled, too slow), schedules unknown until apply."""

from __future__ import annotations

from controls import iam_04
from controls.values import MISSING, UNKNOWN


def test_a_managed_secret_read_live_is_judged_on_its_rotation():
    off = iam_04.Credentials("cluster 'c'", True, True, (iam_04.Rotation("the master secret", 7, MISSING, False),))
    assert "automatic rotation is off" in iam_04.decide(off, 30).message
    slow = iam_04.Credentials("cluster 'c'", True, True, (iam_04.Rotation("the master secret", 90),))
    assert iam_04.decide(slow, 30).status == "fail"
    assert iam_04.decide(iam_04.Credentials("cluster 'c'", True, True, None), 30).status == "pass"


def test_unknown_settings_are_undecided():
    assert iam_04.decide(iam_04.Credentials("cluster 'c'", UNKNOWN), 30).status == "unknown"
    assert iam_04.decide_rotation(iam_04.Rotation("r", MISSING, UNKNOWN), 30).status == "unknown"
    pending = iam_04.Credentials("cluster 'c'", False, True, (iam_04.Rotation("r", UNKNOWN),))
    assert iam_04.decide(pending, 30).status == "unknown"


def test_intervals():
    assert iam_04.interval_days(iam_04.Rotation("r", MISSING, "rate(12 hours)")) == 0.5
    assert iam_04.interval_days(iam_04.Rotation("r", 30.0, "rate(90 days)")) == 30.0
    assert iam_04.interval_days(iam_04.Rotation("r", MISSING, "cron(0 4 ? * MON *)")) is None


def test_a_proxy_on_the_master_secret_rds_manages_passes_before_the_deploy_and_is_judged_on_it_live():
    before = iam_04.Proxy("proxy 'p'", "NONE", (iam_04.ProxySecret("the master secret of cluster 'c'", (), True),))
    assert iam_04.decide_proxy(before, 30).status == "pass"  # RDS rotates it (every 7 days by default)
    off = iam_04.ProxySecret("secret 'rds!cluster'", (iam_04.Rotation("its rotation", 7, MISSING, False),), True)
    assert "automatic rotation is off" in iam_04.decide_proxy(iam_04.Proxy("proxy 'p'", MISSING, (off,)), 30).message


def test_a_proxy_whose_scheme_or_auths_are_known_only_at_apply_is_undecided():
    assert iam_04.decide_proxy(iam_04.Proxy("proxy 'p'", UNKNOWN), 30).status == "unknown"
    assert iam_04.decide_proxy(iam_04.Proxy("proxy 'p'", "IAM_AUTH", UNKNOWN), 30).status == "unknown"
    pending = iam_04.ProxySecret("secret 's'", (iam_04.Rotation("its rotation", UNKNOWN),))
    assert iam_04.decide_proxy(iam_04.Proxy("proxy 'p'", "NONE", (pending,)), 30).status == "unknown"
    # a definite violation is reported while the scheme is still unknown
    static = iam_04.ProxySecret("secret 's'", ())
    assert iam_04.decide_proxy(iam_04.Proxy("proxy 'p'", UNKNOWN, (static,)), 30).status == "fail"
