"""The Lambda functions, their invoke permissions, the Kinesis event source mapping, the SQS dead-letter queue.

LAM-01 and ENC-09 are decided on the functions; the Redis AUTH rotation function
(IAM-05) gets its Secrets Manager invoke permission here too.

moto creates and describes functions without Docker; invoking one needs Docker,
which the sandbox does not have (a gap on the event source mapping). Nothing
here invokes: the audit reads the configuration, and the pipeline test calls
the handler in-process. AWS's public layers live in AWS's accounts, which the
sandbox does not emulate: the function is created without them (a gap). moto
also drops a function's LoggingConfig (a gap when one is declared).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pulumi

from compliance import engine
from compliance.errors import EvaluationError
from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, num, pascal

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same code gives the same CodeSha256
_SKIPPED = {"__pycache__", ".pytest_cache"}

# SQS attribute names for the provider's queue inputs.
_QUEUE_ATTRIBUTES = {
    "delaySeconds": "DelaySeconds", "maxMessageSize": "MaximumMessageSize",
    "messageRetentionSeconds": "MessageRetentionPeriod", "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "visibilityTimeoutSeconds": "VisibilityTimeout", "policy": "Policy", "redrivePolicy": "RedrivePolicy",
    "redriveAllowPolicy": "RedriveAllowPolicy", "kmsMasterKeyId": "KmsMasterKeyId",
    "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds", "sqsManagedSseEnabled": "SqsManagedSseEnabled",
    "fifoQueue": "FifoQueue", "contentBasedDeduplication": "ContentBasedDeduplication",
    "deduplicationScope": "DeduplicationScope", "fifoThroughputLimit": "FifoThroughputLimit",
}


def _program_path(path: str) -> Path:
    """Archive paths are relative to the program's directory, where the engine runs it."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else engine.PROGRAM_DIR / candidate


def _add_directory(archive: zipfile.ZipFile, root: Path, prefix: str = "") -> None:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not _SKIPPED.intersection(relative.parts) and path.suffix != ".pyc":
            _add_bytes(archive, prefix + relative.as_posix(), path.read_bytes())


def _add_bytes(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, _ZIP_EPOCH)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _add(archive: zipfile.ZipFile, item: object, name: str, type_: str) -> None:
    if isinstance(item, pulumi.FileArchive):
        _add_directory(archive, _program_path(item.path), f"{name}/" if name else "")
    elif isinstance(item, pulumi.FileAsset):
        _add_bytes(archive, name, _program_path(item.path).read_bytes())
    elif isinstance(item, pulumi.StringAsset):
        _add_bytes(archive, name, item.text.encode())
    elif isinstance(item, pulumi.AssetArchive):
        for child, value in sorted(item.assets.items()):
            _add(archive, value, f"{name}/{child}" if name else child, type_)
    else:
        raise EvaluationError(f"sandbox: {type_} code {type(item).__name__} is not supported; "
                              "use a FileArchive, AssetArchive, FileAsset or StringAsset")


def zip_code(code: object, type_: str = "aws:lambda/function:Function") -> bytes:
    """The function's code archive as zip bytes (a .zip FileArchive is taken as is)."""
    if isinstance(code, pulumi.FileArchive) and _program_path(code.path).is_file():
        return _program_path(code.path).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, code, "", type_)
    return buffer.getvalue()


def _foreign(ctx: Context, layers: list[str]) -> list[str]:
    """Layers published by other accounts (AWS's public Powertools layer): absent from the sandbox."""
    return [arn for arn in layers if arn.split(":")[4] != ctx.account_id]


def _code(ctx: Context, inputs: Inputs) -> dict[str, object]:
    """A container image (``imageUri``, LAM-01 does not apply) or the zipped code archive."""
    image = inputs.get("imageUri")
    return {"ImageUri": image} if image else {"ZipFile": zip_code(inputs["code"], ctx.type)}


@handles("aws:lambda/function:Function",
         not_api=("sourceCodeHash", "skipDestroy", "replaceSecurityGroupsOnDestroy", "replacementSecurityGroupIds"))
def function(ctx: Context, inputs: Inputs) -> Created:
    """LAM-01 (private subnets, DLQ, bounded concurrency) and ENC-09 (environment encrypted with its key)."""
    lambda_ = ctx.client("lambda")
    name = inputs["name"]
    vpc = inputs.get("vpcConfig")
    environment = inputs.get("environment", {}).get("variables")
    layers = inputs.get("layers", [])
    foreign = _foreign(ctx, layers)
    created = lambda_.create_function(**compact(
        FunctionName=name, Role=inputs["role"], Runtime=inputs.get("runtime"), Handler=inputs.get("handler"),
        Code=_code(ctx, inputs), Description=inputs.get("description"),
        Timeout=num(inputs.get("timeout")), MemorySize=num(inputs.get("memorySize")),
        Environment={"Variables": environment} if environment else None, KMSKeyArn=inputs.get("kmsKeyArn"),
        VpcConfig=compact(SubnetIds=vpc.get("subnetIds"), SecurityGroupIds=vpc.get("securityGroupIds"),
                          Ipv6AllowedForDualStack=vpc.get("ipv6AllowedForDualStack")) if vpc else None,
        DeadLetterConfig=pascal(inputs.get("deadLetterConfig")) or None,
        TracingConfig=pascal(inputs.get("tracingConfig")) or None, Architectures=inputs.get("architectures"),
        Layers=[arn for arn in layers if arn not in foreign], LoggingConfig=pascal(inputs.get("loggingConfig")) or None,
        EphemeralStorage=pascal(inputs.get("ephemeralStorage")) or None, PackageType=inputs.get("packageType"),
        Publish=inputs.get("publish"), Tags=inputs.get("tags")))
    concurrency = num(inputs.get("reservedConcurrentExecutions", -1))
    if concurrency >= 0:
        lambda_.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=concurrency)
    arn = created["FunctionArn"]
    for layer in foreign:
        ctx.gap(arn, "lambda:ListFunctions", f"layer {layer} is published by another account, which the "
                "sandbox does not emulate: the function was created without it", fields=("Layers",))
    if inputs.get("deadLetterConfig") and not created.get("DeadLetterConfig"):
        ctx.gap(arn, "lambda:ListFunctions", "moto drops DeadLetterConfig: the function's dead-letter target was "
                "sent at create but ListFunctions and GetFunctionConfiguration do not answer it",
                fields=("DeadLetterConfig",))
    if inputs.get("loggingConfig") and not created.get("LoggingConfig"):
        reason, fields = _logging_config_gap(name, inputs.get("loggingConfig"))
        ctx.gap(arn, "lambda:ListFunctions", reason, fields=fields)
    version = created.get("Version", "$LATEST")
    invoke = f"arn:aws:apigateway:{ctx.region}:lambda:path/2015-03-31/functions/{{}}/invocations"
    return Created(name, {
        "arn": arn, "name": name, "version": version, "qualifiedArn": f"{arn}:{version}",
        "invokeArn": invoke.format(arn), "qualifiedInvokeArn": invoke.format(f"{arn}:{version}"),
        "codeSha256": created["CodeSha256"], "sourceCodeHash": created["CodeSha256"],
        "sourceCodeSize": created.get("CodeSize", 0), "lastModified": created.get("LastModified", ""),
        "reservedConcurrentExecutions": concurrency,
    })


def _logging_config_gap(name: str, logging: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """What moto's dropped LoggingConfig hides: the log format, and the log group unless it is Lambda's default.

    Without LoggingConfig a function logs to ``/aws/lambda/<name>``: when that is the group declared, the
    answer still leads to the right group (only the format is not observable).
    """
    fields = ["LoggingConfig.LogFormat"]
    group = logging.get("logGroup")
    if group and group != f"/aws/lambda/{name}":
        fields.append("LoggingConfig.LogGroup")
    what = "log format and log group" if len(fields) == 2 else "log format"
    return (f"moto drops LoggingConfig: the function's {what} were sent at create but ListFunctions and "
            "GetFunctionConfiguration do not answer them", tuple(fields))


@handles("aws:lambda/eventSourceMapping:EventSourceMapping")
def event_source_mapping(ctx: Context, inputs: Inputs) -> Created:
    """Kinesis -> processor: partial batch responses, bisect on error, bounded retries, on-failure destination."""
    destination = inputs.get("destinationConfig", {}).get("onFailure", {}).get("destinationArn")
    filters = inputs.get("filterCriteria", {}).get("filters")
    created = ctx.client("lambda").create_event_source_mapping(**compact(
        EventSourceArn=inputs["eventSourceArn"], FunctionName=inputs["functionName"],
        Enabled=inputs.get("enabled"), BatchSize=num(inputs.get("batchSize")),
        StartingPosition=inputs.get("startingPosition"), StartingPositionTimestamp=inputs.get("startingPositionTimestamp"),
        MaximumBatchingWindowInSeconds=num(inputs.get("maximumBatchingWindowInSeconds")),
        BisectBatchOnFunctionError=inputs.get("bisectBatchOnFunctionError"),
        MaximumRetryAttempts=num(inputs.get("maximumRetryAttempts")),
        MaximumRecordAgeInSeconds=num(inputs.get("maximumRecordAgeInSeconds")),
        ParallelizationFactor=num(inputs.get("parallelizationFactor")),
        TumblingWindowInSeconds=num(inputs.get("tumblingWindowInSeconds")),
        FunctionResponseTypes=inputs.get("functionResponseTypes"),
        DestinationConfig={"OnFailure": {"Destination": destination}} if destination else None,
        FilterCriteria={"Filters": [{"Pattern": f["pattern"]} for f in filters]} if filters else None,
        KMSKeyArn=inputs.get("kmsKeyArn"), Tags=inputs.get("tags")))
    uuid = created["UUID"]
    ctx.gap(ctx.arn("lambda", f"event-source-mapping:{uuid}"), "lambda:Invoke",
            "moto runs functions only in Docker, which the sandbox does not have: the mapping exists with its "
            "configuration but delivers no records; feed records to the handler in-process")
    return Created(uuid, {
        "uuid": uuid, "arn": ctx.arn("lambda", f"event-source-mapping:{uuid}"), "functionArn": created["FunctionArn"],
        "state": created.get("State", "Enabled"), "lastProcessingResult": created.get("LastProcessingResult", ""),
        "stateTransitionReason": created.get("StateTransitionReason", ""),
    })


@handles("aws:sqs/queue:Queue")
def queue(ctx: Context, inputs: Inputs) -> Created:
    """The processor's dead-letter queue, encrypted with the Lambda/SQS key."""
    sqs = ctx.client("sqs")
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    attributes = {}
    for key, api in _QUEUE_ATTRIBUTES.items():
        value = inputs.get(key)
        if value is not None:
            attributes[api] = str(value).lower() if isinstance(value, bool) else str(num(value))
    url = sqs.create_queue(**compact(QueueName=name, Attributes=attributes, tags=inputs.get("tags")))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Created(url, {"arn": arn, "url": url, "name": name})


@handles("aws:lambda/permission:Permission")
def permission(ctx: Context, inputs: Inputs) -> Created:
    """A statement of a function's resource policy: who may invoke it (Secrets Manager for the rotation, IAM-05)."""
    statement_id = inputs.get("statementId") or ctx.autoname(inputs.get("statementIdPrefix"))
    function_name = inputs["function"]
    ctx.client("lambda").add_permission(**compact(
        FunctionName=function_name, StatementId=statement_id, Action=inputs["action"],
        Principal=inputs["principal"], SourceArn=inputs.get("sourceArn"), SourceAccount=inputs.get("sourceAccount"),
        EventSourceToken=inputs.get("eventSourceToken"), Qualifier=inputs.get("qualifier"),
        PrincipalOrgID=inputs.get("principalOrgId"), FunctionUrlAuthType=inputs.get("functionUrlAuthType"),
        InvokedViaFunctionUrl=inputs.get("invokedViaFunctionUrl")))
    return Created(statement_id, {"statementId": statement_id})
