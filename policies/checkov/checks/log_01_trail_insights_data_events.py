"""CKV_IOT_11 (LOG-01): CloudTrail records Insights and data events.

checkov covers multi-region (CKV_AWS_67), log file validation (CKV_AWS_36) and
logging on (CKV_AWS_251), but not Insights nor data events on the data stores.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import blocks, value

REQUIRED_INSIGHTS = ("ApiCallRateInsight", "ApiErrorRateInsight")


class TrailInsightsAndDataEvents(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="LOG-01: CloudTrail has ApiCallRate and ApiErrorRate Insights and data-event selectors",
            id="CKV_IOT_11", categories=[CheckCategories.LOGGING], supported_resources=("aws_cloudtrail",),
        )

    def scan_resource_conf(self, conf):
        insights = {value(selector, "insight_type") for selector in blocks(conf, "insight_selector")}
        missing = [name for name in REQUIRED_INSIGHTS if name not in insights]
        if missing:
            self.details.append(f"no Insights selector for {', '.join(missing)}")
        data_events = any(blocks(selector, "data_resource") for selector in blocks(conf, "event_selector"))
        if not data_events and not blocks(conf, "advanced_event_selector"):
            self.details.append("no data-event selectors")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = TrailInsightsAndDataEvents()
