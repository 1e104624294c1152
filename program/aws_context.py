"""Where the stack runs: region, account and partition, and ARNs built from them.

The account and partition come from provider invokes (answered offline by the
render's mocks), so ARNs are ``Output[str]``; the region is the validated config.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsContext:
    region: str
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]

    @classmethod
    def lookup(cls, region: str) -> AwsContext:
        return cls(
            region=region,
            account_id=aws.get_caller_identity_output().account_id,
            partition=aws.get_partition_output().partition,
        )

    def arn(self, service: str, resource: str, *, region: str | None = None) -> pulumi.Output[str]:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``; region "" for global services."""
        return pulumi.Output.concat(
            "arn:", self.partition, ":", service, ":", self.region if region is None else region, ":",
            self.account_id, ":", resource,
        )

    def regional_service_principal(self, service: str) -> str:
        return f"{service}.{self.region}.amazonaws.com"
