"""Findings where AWS users look: each result as an ASFF finding imported into AWS Security Hub.

One stable finding ID per control and resource (``finding_id``), so a later
result re-imports the same finding: a pass turns it to Compliance PASSED and
RecordState ARCHIVED. Only fields the finding provider owns are sent: AWS does
not let ``BatchImportFindings`` change a finding's Workflow, Note,
UserDefinedFields or VerificationState once it exists (moto lets it), so none of
them is ever sent. Who made the change (the CloudTrail actor) travels in
``ProductFields``, which every import may update.

Security Hub being enabled is a precondition (``require_enabled``): the stack
never enables it, since destroying such a resource would switch Security Hub off
for the whole account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from compliance.audit.aws import ApiError, AwsAccess
from compliance.catalog import FRAMEWORKS, Catalog
from compliance.findings import Finding

SCHEMA_VERSION = "2018-10-08"
FINDING_PREFIX = "iot-compliance"
FINDING_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards"
BATCH_LIMIT = 100  # findings per BatchImportFindings call (AWS's limit)
# audit status -> (Compliance.Status, RecordState)
STATES = {
    "pass": ("PASSED", "ARCHIVED"),
    "fail": ("FAILED", "ACTIVE"),
    "error": ("NOT_AVAILABLE", "ACTIVE"),  # could not be judged: someone has to look
    "not_applicable": ("NOT_AVAILABLE", "ARCHIVED"),
    "waived": ("PASSED", "ARCHIVED"),
}
# Pulumi type token -> ASFF resource type (anything else is "Other").
ASFF_TYPES = {
    "aws:kinesis/stream:Stream": "AwsKinesisStream",
    "aws:kms/key:Key": "AwsKmsKey",
    "aws:ec2/securityGroup:SecurityGroup": "AwsEc2SecurityGroup",
    "aws:ec2/vpc:Vpc": "AwsEc2Vpc",
    "aws:ec2/subnet:Subnet": "AwsEc2Subnet",
    "aws:s3/bucket:Bucket": "AwsS3Bucket",
    "aws:rds/cluster:Cluster": "AwsRdsDbCluster",
    "aws:rds/clusterInstance:ClusterInstance": "AwsRdsDbInstance",
    "aws:dynamodb/table:Table": "AwsDynamoDbTable",
    "aws:lambda/function:Function": "AwsLambdaFunction",
    "aws:sqs/queue:Queue": "AwsSqsQueue",
    "aws:secretsmanager/secret:Secret": "AwsSecretsManagerSecret",
    "aws:iam/role:Role": "AwsIamRole",
    "aws:cloudtrail/trail:Trail": "AwsCloudTrailTrail",
    "aws:cloudwatch/logGroup:LogGroup": "AwsLogsLogGroup",
    "aws:elasticache/replicationGroup:ReplicationGroup": "AwsElastiCacheReplicationGroup",
}


class SecurityHubOff(RuntimeError):
    """Security Hub is not enabled where the auditor runs; the message names the fix."""


class ImportFailed(RuntimeError):
    """Security Hub did not take every finding; the message names the findings and why."""


def finding_id(control: str, resource_id: str) -> str:
    """One ID per control and resource, whatever the result or the run."""
    return f"{FINDING_PREFIX}/{control}/{resource_id}"


@dataclass(frozen=True)
class SecurityHub:
    aws: AwsAccess
    region: str
    account: str
    catalog: Catalog

    @property
    def product_arn(self) -> str:
        """The account's default product: the one a customer's own findings are imported under."""
        return f"arn:aws:securityhub:{self.region}:{self.account}:product/{self.account}/default"

    def require_enabled(self) -> None:
        try:
            self.aws.call("securityhub", self.region, "DescribeHub")
        except ApiError as exc:
            if exc.code in ("InvalidAccessException", "ResourceNotFoundException"):
                raise SecurityHubOff(
                    f"Security Hub is not enabled in {self.region} for account {self.account}: enable it "
                    f"(aws securityhub enable-security-hub --region {self.region}); the platform never enables it "
                    "itself, since destroying that would switch it off for the whole account") from None
            raise SecurityHubOff(f"cannot tell whether Security Hub is enabled: {exc.message}") from None

    def asff(self, finding: Finding, now: str, actor: dict[str, str] | None = None) -> dict[str, Any]:
        control = self.catalog[finding.control]
        compliance, record_state = STATES[finding.status]
        references = [f"{FRAMEWORKS[key]} {ref}" for key, refs in control.frameworks.items() for ref in refs]
        fields = {f"{FINDING_PREFIX}/control": control.id, f"{FINDING_PREFIX}/check": finding.check,
                  f"{FINDING_PREFIX}/status": finding.status, f"{FINDING_PREFIX}/enforcement": control.enforcement}
        fields.update({f"{FINDING_PREFIX}/change/{key}": value or "-" for key, value in (actor or {}).items()})
        return {
            "SchemaVersion": SCHEMA_VERSION,
            "Id": finding_id(control.id, finding.resource.id),
            "ProductArn": self.product_arn,
            "GeneratorId": f"{FINDING_PREFIX}/{control.id}",
            "AwsAccountId": self.account,
            "Types": [FINDING_TYPE],
            "CreatedAt": now,
            "UpdatedAt": now,
            "Severity": {"Label": "INFORMATIONAL" if finding.status == "pass" else control.severity.upper()},
            "Title": f"{control.id} {control.title}"[:256],
            "Description": (finding.message or control.title)[:1024],
            "Remediation": {"Recommendation": {"Text": control.remediation[:512]}},
            "ProductFields": {key: str(value)[:2048] for key, value in fields.items()},
            "Resources": [{"Type": ASFF_TYPES.get(finding.resource.type, "Other"), "Id": finding.resource.id,
                           "Region": finding.resource.region or self.region}],
            "Compliance": {"Status": compliance, "RelatedRequirements": references[:32]},
            "RecordState": record_state,
        }

    def import_findings(self, findings: Iterable[dict[str, Any]]) -> int:
        """BatchImportFindings in batches of 100; any finding refused (or the call failing) is ImportFailed."""
        batch = list(findings)
        for start in range(0, len(batch), BATCH_LIMIT):
            chunk = batch[start:start + BATCH_LIMIT]
            try:
                answer = self.aws.call("securityhub", self.region, "BatchImportFindings", Findings=chunk)
            except ApiError as exc:
                raise ImportFailed(f"Security Hub refused {len(chunk)} finding(s): {exc.message}") from None
            if answer.get("FailedCount"):
                failed = answer.get("FailedFindings") or []
                detail = "; ".join(f"{f.get('Id')}: {f.get('ErrorCode')} {f.get('ErrorMessage')}" for f in failed[:3])
                raise ImportFailed(f"Security Hub refused {answer['FailedCount']} of {len(chunk)} finding(s): {detail}")
        return len(batch)
