"""CKV_IOT_12 (LOG-02): stream event source mappings bound retries, bisect, and keep failures.

A poisoned record must neither block a shard forever (unbounded retries) nor
vanish (no on-failure destination). checkov's CKV_AWS_116 asks for a function
DLQ, which stream invocations never use.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import blocks, parameters, value


class StreamFailureHandling(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="LOG-02: event source mappings set an on-failure destination, bounded retries and bisect on error",
            id="CKV_IOT_12", categories=[CheckCategories.LOGGING],
            supported_resources=("aws_lambda_event_source_mapping",),
        )

    def scan_resource_conf(self, conf):
        limit = int(parameters("LOG-02")["maxRetryAttempts"])
        destinations = [value(on_failure, "destination_arn")
                        for config in blocks(conf, "destination_config") for on_failure in blocks(config, "on_failure")]
        if not any(destinations):
            self.details.append("no on-failure destination")
        retries = value(conf, "maximum_retry_attempts", -1)
        if not isinstance(retries, int | float) or not 0 <= retries <= limit:
            self.details.append(f"maximum_retry_attempts {retries} not within 0-{limit} (-1 retries forever)")
        if value(conf, "bisect_batch_on_function_error") is not True:
            self.details.append("bisect_batch_on_function_error is not true")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = StreamFailureHandling()
