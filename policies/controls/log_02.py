"""LOG-02: a Lambda function logs to a group with a retention, and keeps what fails where something can fail unseen.

A function is judged with what invokes it:

* its log group (``/aws/lambda/<name>`` or the one its ``loggingConfig`` names) is
  declared and has a retention: without one, Lambda creates a group that never
  expires (RET-04 judges the number of days);
* every *stream* event source mapping (Kinesis, DynamoDB Streams: the sources
  where AWS supports these settings) sends failed records to an on-failure
  destination, retries at most ``maxRetryAttempts`` times (absent or -1: until
  the record expires, blocking the shard) and bisects failing batches;
* when something invokes it *asynchronously*, a dead-letter queue
  (``deadLetterConfig``) or an on-failure destination of its asynchronous
  invocation configuration keeps the events that fail every retry.

Why not "every function needs a dead-letter queue": Lambda's dead-letter queue
and on-failure destinations apply to asynchronous invocations only ("Lambda
sends events that fail all processing attempts to a dead-letter queue" for
asynchronous invocation; the Lambda Developer Guide, "Asynchronous invocation").
A synchronous caller receives the error itself and owns the retry: Secrets
Manager "invokes the Lambda rotation function as a synchronous invocation" and
retries a failed rotation; API Gateway, load balancers and Cognito answer their
caller. Event source mappings poll: streams keep the failure on the mapping (above),
queues on the queue's own redrive policy, not here. So a destination is required
where an asynchronous invoker can be seen: a service or account granted
``lambda:InvokeFunction`` in the function's resource policy (the only way another
service reaches a function) whose service is not one AWS documents as
synchronous (``SYNCHRONOUS_PRINCIPALS``). An unknown or unlisted principal may
invoke asynchronously: it requires a destination (fail closed). A function no
service may invoke and with no stream mapping needs none: only its own account's
IAM principals can call it, and they receive the result of a synchronous call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controls.ret_04 import LogGroup, never_expires
from controls.values import MISSING, UNKNOWN, describe, number, truthy
from controls.verdict import Judgement, Verdict, not_applicable

CONTROL = "LOG-02"

STREAM_SOURCES = (":kinesis:", ":dynamodb:")
# Services that invoke Lambda synchronously (Lambda Developer Guide, "Invoking Lambda with events from other AWS
# services"): the caller receives the function's error and decides on retries.
SYNCHRONOUS_PRINCIPALS = frozenset({
    "apigateway.amazonaws.com", "elasticloadbalancing.amazonaws.com", "cognito-idp.amazonaws.com",
    "lex.amazonaws.com", "alexa-appkit.amazon.com", "alexa-connectedhome.amazon.com", "edgelambda.amazonaws.com",
    "firehose.amazonaws.com", "secretsmanager.amazonaws.com", "vpc-lattice.amazonaws.com",
})
INVOKE_ACTIONS = frozenset({"lambda:invokefunction", "lambda:*", "*"})  # InvokeFunctionUrl: HTTP, synchronous


@dataclass(frozen=True)
class Mapping:
    """An event source mapping of the function, in the pack's vocabulary."""

    part: str  # how messages name it: "mapping 'x'", "event source mapping <uuid>"
    source: Any  # the event source ARN (``MISSING`` for self-managed sources)
    on_failure: Any  # destinationConfig.onFailure.destinationArn
    max_retries: Any  # maximumRetryAttempts (``MISSING`` or -1: until the record expires)
    bisect: Any  # bisectBatchOnFunctionError


@dataclass(frozen=True)
class Invoker:
    """A grant of the function's resource policy: who (``principal``) may do what (``action``)."""

    part: str
    principal: Any
    action: Any


@dataclass(frozen=True)
class Function:
    name: str
    log_group_name: Any  # the group it logs to
    log_groups: tuple[LogGroup, ...]  # that group, when found (declared in the program, present in the account)
    dead_letter: Any  # deadLetterConfig.targetArn
    async_on_failure: Any  # the asynchronous invocation configuration's on-failure destination
    mappings: tuple[Mapping, ...]
    invokers: tuple[Invoker, ...]


def is_stream(mapping: Mapping) -> bool | None:
    """Kinesis or DynamoDB Streams; None while the source is unknown."""
    if mapping.source is UNKNOWN:
        return None
    return isinstance(mapping.source, str) and any(s in mapping.source for s in STREAM_SOURCES)


def decide_mapping(mapping: Mapping, max_retries: int) -> Verdict:
    """A stream mapping bounds retries, bisects failing batches and keeps failed records."""
    stream = is_stream(mapping)
    if stream is False:
        return not_applicable("not a stream source; queues and other sources keep failures with their own redrive "
                              "settings")
    judgement = Judgement()
    if stream is None:
        judgement.unknown("eventSourceArn")
    if mapping.on_failure is MISSING:
        judgement.fail(f"{mapping.part}: destinationConfig.onFailure is not set, so failed records are lost: send "
                       "them to the dead-letter queue.", "destinationConfig.onFailure", (mapping.part,))
    retries = number(mapping.max_retries)
    if mapping.max_retries is UNKNOWN:
        judgement.unknown("maximumRetryAttempts", parts=(mapping.part,))
    elif retries is None or not 0 <= retries <= max_retries:
        judgement.fail(f"{mapping.part}: maximumRetryAttempts is {describe(mapping.max_retries)} (AWS retries until "
                       f"the record expires): set it between 0 and {max_retries}.", "maximumRetryAttempts",
                       (mapping.part,))
    if mapping.bisect is UNKNOWN:
        judgement.unknown("bisectBatchOnFunctionError", parts=(mapping.part,))
    elif not truthy(mapping.bisect):
        judgement.fail(f"{mapping.part}: bisectBatchOnFunctionError is {describe(mapping.bisect)}: set it to true.",
                       "bisectBatchOnFunctionError", (mapping.part,))
    return judgement.verdict("failed batches are bisected, retried a bounded number of times and kept")


def decide(function: Function, max_retries: int) -> Verdict:
    """The function with its log group, its stream mappings and its asynchronous invokers."""
    judgement = Judgement()
    if not function.log_groups:
        judgement.fail(f"function '{function.name}' logs to {describe(function.log_group_name)}, which is not declared "
                       "(or does not exist), so Lambda creates a group that never expires: declare /aws/lambda/<name> "
                       "with retentionInDays.",
                       "loggingConfig.logGroup")
    for group in function.log_groups:
        if group.retention_days is UNKNOWN:
            judgement.unknown("retentionInDays")
        elif never_expires(group.retention_days):
            judgement.fail(f"function '{function.name}': log group '{group.name}' never expires events: set "
                           "retentionInDays.", "retentionInDays")
    for mapping in function.mappings:
        decided = decide_mapping(mapping, max_retries)
        if decided.status != "not_applicable":
            judgement.absorb(decided)
    asynchronous = _asynchronous(function.invokers)
    if asynchronous is None:
        judgement.unknown("principal", "who may invoke the function is not known until apply, so whether it needs a "
                                       "dead-letter queue cannot be judged yet")
    elif asynchronous and function.dead_letter is MISSING and function.async_on_failure is MISSING:
        judgement.fail(f"function '{function.name}' may be invoked asynchronously (by "
                       f"{', '.join(describe(i.principal) for i in asynchronous)}) and has no dead-letter queue or "
                       "on-failure destination for what fails every retry: set deadLetterConfig or an event invoke "
                       "config's destinationConfig.onFailure.", "deadLetterConfig")
    streams = sum(1 for m in function.mappings if is_stream(m))
    return judgement.verdict(f"log group with retention; {streams} stream source(s) with on-failure destination, at "
                             f"most {max_retries} retries and bisect; "
                             + ("a destination for asynchronous invocations" if asynchronous
                                else "no asynchronous invoker"))


def _asynchronous(invokers: Sequence[Invoker]) -> list[Invoker] | None:
    """The grants that let someone invoke the function asynchronously; None while one is unknown."""
    if any(i.principal is UNKNOWN or i.action is UNKNOWN for i in invokers):
        return None
    return [i for i in invokers if str(i.action).lower() in INVOKE_ACTIONS and i.principal not in SYNCHRONOUS_PRINCIPALS]
