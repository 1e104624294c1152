"""ENC-10's decision on first-preview unknowns (the case table covers the deployable shapes)."""

from __future__ import annotations

from controls import enc_10
from controls.values import UNKNOWN


def test_unknowns_are_undecided_never_passed():
    group = enc_10.ParameterGroup("dbparams-x-dev", {"rds.force_ssl": "1"})
    assert enc_10.decide(enc_10.Cluster(UNKNOWN, group)).status == "unknown"
    assert enc_10.decide(enc_10.Cluster("aurora-postgresql", UNKNOWN)).status == "unknown"
    assert enc_10.decide(enc_10.Cluster("aurora-postgresql", enc_10.ParameterGroup("g", UNKNOWN))).status == "unknown"
    unknown_value = enc_10.ParameterGroup("g", {"rds.force_ssl": UNKNOWN})
    assert enc_10.decide(enc_10.Cluster("aurora-postgresql", unknown_value)).status == "unknown"


def test_a_numeric_one_enforces_tls_like_the_string():
    assert enc_10.decide(enc_10.Cluster("aurora-postgresql", enc_10.ParameterGroup("g", {"rds.force_ssl": 1.0}))
                         ).status == "pass"


def test_a_proxy_whose_require_tls_is_known_only_at_apply_is_undecided():
    assert enc_10.decide_proxy(enc_10.Proxy("proxy 'p'", UNKNOWN)).status == "unknown"
    assert enc_10.decide_proxy(enc_10.Proxy("proxy 'p'", "true")).status == "pass"  # a provider's string boolean
