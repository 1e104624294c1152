"""The auditor's work, wired once per container: re-check a queued change, or audit the whole stack.

``Auditor.handle_record`` is the record handler of Powertools' SQS batch
processor (partial batch responses): a record whose handling raises is reported
in ``batchItemFailures``, so SQS redelivers it and, after the queue's
maxReceiveCount, moves it to the dead-letter queue; it is never lost.

- A malformed message raises (retried, then kept in the DLQ): clear log line,
  no finding changed.
- A call that failed (CloudTrail ``errorCode``), an API no control lists as a
  trigger, or a change to a resource outside the stack: one log line saying
  which and why, no finding changed, the record is done.
- Security Hub refusing the import (access denied, throttled past retries, a
  finding refused) raises: the record fails and is retried.
- A finding that could not be judged (``error``) is imported (NOT_AVAILABLE)
  and the record fails, so the re-check is retried.

Metrics are CloudWatch embedded metric format (Powertools): per control,
``Failed`` and ``Passed`` (dimension ``Control``), and ``MandatoryFailures``
(no control dimension) that the component's alarm watches.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from compliance.audit.aws import AwsAccess, RetryPolicy
from compliance.audit.registry import is_scope_ref
from compliance.audit.runner import AuditRequest, default_catalog, run_audit
from compliance.audit.scope import Scope
from compliance.catalog import Catalog
from compliance.findings import Finding, now_iso
from compliance_auditor.cloudtrail import Change, MalformedEvent, parse_change
from compliance_auditor.recheck import Rechecker
from compliance_auditor.reports import write_report
from compliance_auditor.securityhub import SecurityHub
from compliance_auditor.settings import Settings

SCHEDULED_EVENT = {"auditor": "scheduled-audit"}  # the schedule's input (program/components/compliance_auditor.py)


class RecheckIncomplete(RuntimeError):
    """A re-check could not judge every finding; the record is retried."""


@dataclass
class Auditor:
    settings: Settings
    session: boto3.Session
    logger: Logger
    catalog: Catalog
    aws: AwsAccess
    account: str
    _hub_checked: bool = False

    @classmethod
    def build(cls, settings: Settings, session: boto3.Session, logger: Logger,
              catalog: Catalog | None = None) -> Auditor:
        retry = RetryPolicy(max_attempts=settings.max_attempts)
        aws = AwsAccess(session, None, retry, settings.region)
        account = aws.call("sts", settings.region, "GetCallerIdentity")["Account"]
        return cls(settings, session, logger, catalog or default_catalog(), aws, account)

    @property
    def request(self) -> AuditRequest:
        return AuditRequest(regions=(self.settings.region,), scope=Scope(self.settings.suffix),
                            retry=self.aws.retry)

    @property
    def hub(self) -> SecurityHub:
        return SecurityHub(self.aws, self.settings.region, self.account, self.catalog)

    def require_security_hub(self) -> None:
        """Raises SecurityHubOff naming the fix; checked until it has once succeeded in this container."""
        if not self._hub_checked:
            self.hub.require_enabled()
            self._hub_checked = True

    # -- a change --------------------------------------------------------------

    def handle_record(self, record: SQSRecord) -> dict[str, Any]:
        try:
            change = parse_change(record.body)
        except MalformedEvent as exc:
            self.logger.error(f"malformed event, no finding changed; kept for retry and the DLQ: {exc}",
                              extra={"messageId": record.message_id})
            raise
        try:
            return self.handle_change(change, record.message_id)
        except Exception as exc:
            self.logger.error(f"{change.api} not recorded, kept for retry and the DLQ: {exc}",
                              extra={"messageId": record.message_id, **change.evidence()})
            raise

    def handle_change(self, change: Change, message_id: str = "") -> dict[str, Any]:
        where = {"messageId": message_id, **change.evidence()}
        if change.error_code:
            self.logger.info(f"ignored {change.api}: the call failed ({change.error_code}), nothing changed",
                             extra=where)
            return {"outcome": "failed-call"}
        if change.region and change.region != self.settings.region:
            self.logger.warning(f"ignored {change.api} in {change.region}: the auditor judges "
                                f"{self.settings.region}; the schedule audits the stack", extra=where)
            return {"outcome": "other-region"}
        recheck = Rechecker(self.aws, self.request, self.account, self.catalog).recheck(change)
        if not recheck.controls:
            self.logger.warning(f"ignored {change.api}: no control in policies/controls.yaml lists it as a trigger; "
                                "no finding changed", extra=where)
            return {"outcome": "unknown-api"}
        if not recheck.findings:
            named = ", ".join(sorted(change.identifiers)[:3]) or "nothing"
            self.logger.warning(f"ignored {change.api}: it names no resource of stack {self.settings.suffix} that "
                                f"{', '.join(recheck.controls)} judge (it names {named}); no finding changed",
                                extra={**where, "identifiers": sorted(change.identifiers)[:20]})
            return {"outcome": "outside-stack"}
        now = now_iso()
        self.hub.import_findings(self.hub.asff(f, now, change.evidence()) for f in recheck.findings
                                 if not is_scope_ref(f.resource))
        self.emit_metrics(recheck.findings)
        summary = {f"{f.control} {f.resource.name}": f.status for f in recheck.findings}
        self.logger.info(f"re-checked after {change.api} by {change.actor}", extra={**where, "results": summary})
        undecided = [f for f in recheck.findings if f.status == "error"]
        if undecided:
            raise RecheckIncomplete(f"{len(undecided)} finding(s) could not be judged after {change.api}: "
                                    + "; ".join(f"{f.control} {f.resource.name}: {f.message}" for f in undecided[:3]))
        return {"outcome": "rechecked", "results": summary}

    # -- the schedule ------------------------------------------------------------

    def full_audit(self) -> dict[str, Any]:
        """Audit the whole stack, import every result, and keep the reports in the evidence bucket."""
        result = run_audit(self.session, self.request, self.catalog)
        if result.aborted:
            self.logger.error(f"scheduled audit incomplete: {result.aborted}")
        run_id = f"{result.started_at.replace(':', '').replace('-', '')}-{uuid.uuid4().hex[:8]}"
        keys = write_report(result, self.catalog, self.aws, self.settings.region, self.settings.evidence_bucket,
                            self.settings.report_prefix, run_id)
        now = now_iso()
        # Findings about a whole type in a region ("no X in scope", scope_ref's "<type>@<region>") name no resource
        # Security Hub could show: they stay in the report only.
        judged = [f for f in result.findings if not is_scope_ref(f.resource)]
        imported = self.hub.import_findings(self.hub.asff(f, now, {"trigger": "schedule"}) for f in judged)
        self.emit_metrics(result.findings)
        counts = {status: sum(f.status == status for f in result.findings)
                  for status in ("pass", "fail", "error", "not_applicable")}
        self.logger.info("scheduled audit done", extra={"counts": counts, "reports": keys, "imported": imported,
                                                        "complete": result.complete})
        return {"complete": result.complete, "counts": counts, "reports": keys, "imported": imported}

    # -- metrics -----------------------------------------------------------------

    def emit_metrics(self, findings: list[Finding]) -> None:
        namespace = self.settings.metrics_namespace
        by_control: dict[str, list[Finding]] = {}
        for finding in findings:
            by_control.setdefault(finding.control, []).append(finding)
        mandatory_failures = 0
        for control, results in sorted(by_control.items()):
            failed = sum(f.status == "fail" for f in results)
            if self.catalog[control].enforcement == "mandatory":
                mandatory_failures += failed
            for name, value in (("Failed", failed), ("Passed", sum(f.status == "pass" for f in results))):
                with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=namespace) as metric:
                    metric.add_dimension(name="Control", value=control)
        # Only Powertools' own "service" dimension: the alarm watches this metric of the function's service name.
        with single_metric(name="MandatoryFailures", unit=MetricUnit.Count, value=mandatory_failures,
                           namespace=namespace):
            pass
