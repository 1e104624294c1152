"""Lambda entry point of the compliance auditor (handler ``handler.lambda_handler``).

Two kinds of invocation:

- the SQS event source mapping (``Records``): each record is a CloudTrail
  management event the EventBridge rules queued; Powertools' batch processor
  returns the partial batch response (``batchItemFailures``), so the mapping
  must enable ReportBatchItemFailures;
- the EventBridge Scheduler schedule (input ``{"auditor": "scheduled-audit"}``):
  a full audit of the stack, its reports put in the evidence bucket.

Security Hub being enabled is checked first: when it is off, the invocation
fails with the fix, and the batch stays queued (then in the DLQ).
"""

import os

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from compliance_auditor.app import SCHEDULED_EVENT, Auditor
from compliance_auditor.settings import load_settings

SETTINGS = load_settings(os.environ)
logger = Logger(service=SETTINGS.service_name, level=SETTINGS.log_level)
tracer = Tracer(service=SETTINGS.service_name)
auditor = Auditor.build(SETTINGS, boto3.session.Session(), logger)
# A batch whose every record failed is answered like any other (all listed in batchItemFailures), not raised.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_lambda_handler
@logger.inject_lambda_context
def lambda_handler(event: dict, context) -> dict:
    auditor.require_security_hub()
    if event == SCHEDULED_EVENT:
        return auditor.full_audit()
    if not isinstance(event.get("Records"), list):
        raise ValueError("unrecognized invocation: expected SQS records or the schedule's "
                         f"{SCHEDULED_EVENT}; nothing was audited")
    return process_partial_response(event=event, record_handler=auditor.handle_record, processor=processor,
                                    context=context)
