"""Lambda entry point of the telemetry processor (handler ``handler.lambda_handler``).

Cold start reads and checks every setting (a missing or invalid one raises
ConfigError naming the variable, and the function fails to initialise), then
builds the clients once. Each invocation hands the Kinesis batch to
Powertools' batch utility, which returns the partial batch response
(``batchItemFailures``); the event source mapping must enable
ReportBatchItemFailures. Logs are structured JSON (Powertools Logger) and
metrics are CloudWatch embedded metric format (Powertools Metrics).
"""

import os

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import process_partial_response
from telemetry_processor.app import build_processor, make_clients
from telemetry_processor.config import load_settings

SETTINGS = load_settings(os.environ)
logger = Logger(service=SETTINGS.service_name, level=SETTINGS.log_level)
metrics = Metrics(namespace=SETTINGS.metrics_namespace, service=SETTINGS.service_name)
clients = make_clients(boto3.session.Session())
processor = build_processor(SETTINGS, clients, logger, metrics)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    metrics.add_metric(name="RecordsReceived", unit=MetricUnit.Count, value=len(event.get("Records", [])))
    return process_partial_response(
        event=event,
        record_handler=processor.pipeline.classify,
        processor=processor,
        context=context,
    )
