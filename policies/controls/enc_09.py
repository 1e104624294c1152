"""ENC-09: Lambda environment variables and SQS queues encrypt with a customer-managed KMS key.

* A function's environment variables are encrypted with ``kmsKeyArn``, which must
  be customer-managed (``controls.keys``; absent means the account's ``aws/lambda``
  key). A function without environment variables stores nothing under that key:
  it passes (the control is about the variables, and there are none), whatever its
  ``kmsKeyArn``.
* A queue is encrypted with the key ``kmsMasterKeyId`` names, which must be
  customer-managed; without it the queue is unencrypted or uses SQS-owned keys
  (``sqsManagedSseEnabled``, SSE-SQS), and ``alias/aws/sqs`` is AWS-managed.
  ``sqsManagedSseEnabled`` matters only when no key is named: AWS turns SSE-SQS
  off for a queue with a KMS key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from controls.keys import KeyRef, judge_key
from controls.values import MISSING, UNKNOWN, truthy
from controls.verdict import PASS, Judgement, Verdict

CONTROL = "ENC-09"
KEY = "the ARN of the Lambda/SQS key"


@dataclass(frozen=True)
class Function:
    """``variables``: the environment variables (a mapping, or their number as an API reports it), ``MISSING``
    or ``UNKNOWN``; ``key``: what ``kmsKeyArn`` names."""

    variables: Any
    key: KeyRef


@dataclass(frozen=True)
class Queue:
    key: KeyRef
    sqs_managed: Any = MISSING


def decide(facts: Function | Queue) -> Verdict:
    if isinstance(facts, Queue):
        return _queue(facts)
    return _function(facts)


def _function(function: Function) -> Verdict:
    present = _has_variables(function.variables)
    if present is False:
        return Verdict(PASS, "the function has no environment variables, so nothing of it is stored under a key")
    keyed = Judgement()
    judge_key(keyed, function.key, "kmsKeyArn", KEY)
    if present is UNKNOWN and keyed.problems:
        judgement = Judgement()
        judgement.unknown("environment.variables", "environment.variables is not known until apply, and kmsKeyArn "
                          "is not a customer-managed key: the verdict depends on whether the function has variables")
        return judgement.verdict("")
    return keyed.verdict("environment variables encrypted with a customer-managed key")


def _has_variables(variables: Any) -> bool | Any:
    if variables is UNKNOWN:
        return UNKNOWN
    if isinstance(variables, Mapping):
        return bool(variables)
    if isinstance(variables, int) and not isinstance(variables, bool):
        return variables > 0
    return False


def _queue(queue: Queue) -> Verdict:
    judgement = Judgement()
    value = queue.key.value
    unnamed = queue.key.manager is None and (value is MISSING or value is None or value == "")
    if unnamed and truthy(queue.sqs_managed):
        judgement.fail(f"kmsMasterKeyId is not set and sqsManagedSseEnabled is true, so SQS-owned keys encrypt the "
                       f"queue: set kmsMasterKeyId to {KEY} (which turns SSE-SQS off).", "kmsMasterKeyId")
    else:
        judge_key(judgement, queue.key, "kmsMasterKeyId", KEY)
    return judgement.verdict("encrypted with a customer-managed key")
