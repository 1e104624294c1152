"""GOV-01's one reading of the convention, for suffixes and scopes no case table can hold (the runner has one suffix)."""

from __future__ import annotations

import pytest

from controls import gov_01
from controls.values import MISSING, UNKNOWN


@pytest.mark.parametrize(("name", "suffix", "separator", "ok"), [
    ("kinesis-telemetry-qa-1", "qa-1", "-", True),
    ("iotrule_telemetry_qa_1", "qa-1", "_", True),
    ("iotrule_telemetry_qa-1", "qa-1", "_", False),
    ("alias/kms-kinesis-dev", "dev", "-", True),
    ("/aws/lambda/lambda-processor-dev/", "dev", "-", True),
    ("sqs-dlq-dev.fifo", "dev", "-", True),
    ("kinesis-telemetry-anything", gov_01.ANY_SUFFIX, "-", True),
    ("kinesis-anything", gov_01.ANY_SUFFIX, "-", False),
    ("iotrule_telemetry_dev", "dev", None, True),
])
def test_follows(name, suffix, separator, ok):
    assert gov_01.follows(name, suffix, separator) is ok


def test_undecided_and_missing_settings():
    assert gov_01.decide(gov_01.Name("name", UNKNOWN), "dev").status == "unknown"
    no_suffix = gov_01.decide(gov_01.Name("name", "sqs-dlq-dev"), MISSING)
    assert no_suffix.status == "fail" and "set environmentSuffix" in no_suffix.message
    assert gov_01.separator_for("aws_iot_topic_rule") == "_" == gov_01.separator_for("aws:iot/topicRule:TopicRule")
