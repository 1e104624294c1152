"""One queued change: the CloudTrail management event EventBridge put on the auditor's queue.

``parse_change`` reads the SQS message body (the EventBridge event) and keeps
what the auditor needs: which API was called (eventSource, eventName), by whom
(``userIdentity`` ARN, source IP), when, and every identifier the call named in
its request parameters or response elements (a stream name, a group ID, a key
ARN). Anything that is not such an event is ``MalformedEvent`` naming what is
missing; it is never guessed at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

DETAIL_TYPE = "AWS API Call via CloudTrail"
_MAX_IDENTIFIER = 2048  # longer strings are documents (policies), not names of resources


class MalformedEvent(ValueError):
    """The message is not a CloudTrail API-call event from EventBridge; the message says what is wrong."""


@dataclass(frozen=True)
class Change:
    event_id: str
    source: str  # eventSource, e.g. kinesis.amazonaws.com
    name: str  # eventName, e.g. StopStreamEncryption
    time: str
    region: str
    account: str
    actor: str  # userIdentity ARN (or its principal ID / type when no ARN is recorded)
    source_ip: str
    error_code: str  # the call failed (nothing changed) when set
    identifiers: frozenset[str]  # every identifier the call named

    @property
    def api(self) -> str:
        return f"{self.source.split('.')[0]}:{self.name}"

    def evidence(self) -> dict[str, str]:
        """Who changed what, when: recorded with every finding the change re-checks."""
        return {"eventName": self.name, "eventSource": self.source, "eventTime": self.time,
                "userIdentityArn": self.actor, "sourceIPAddress": self.source_ip, "eventId": self.event_id}


def parse_change(body: str) -> Change:
    try:
        event = json.loads(body)
    except (TypeError, json.JSONDecodeError) as exc:
        raise MalformedEvent(f"not JSON ({exc})") from None
    if not isinstance(event, dict) or event.get("detail-type") != DETAIL_TYPE:
        raise MalformedEvent(f"not an EventBridge event of detail-type {DETAIL_TYPE!r}")
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise MalformedEvent("the event has no detail object")
    missing = [key for key in ("eventSource", "eventName", "eventTime", "userIdentity")
               if not detail.get(key)]
    if missing:
        raise MalformedEvent(f"the CloudTrail record lacks {', '.join(missing)}")
    identity = detail["userIdentity"]
    if not isinstance(identity, dict):
        raise MalformedEvent("userIdentity is not an object")
    actor = identity.get("arn") or identity.get("principalId") or identity.get("type") or ""
    names: set[str] = set()
    _collect(detail.get("requestParameters"), names)
    _collect(detail.get("responseElements"), names)
    for resource in detail.get("resources") or event.get("resources") or []:
        _collect(resource.get("ARN") if isinstance(resource, dict) else resource, names)
    return Change(
        event_id=str(detail.get("eventID") or event.get("id") or ""), source=str(detail["eventSource"]),
        name=str(detail["eventName"]), time=str(detail["eventTime"]),
        region=str(detail.get("awsRegion") or event.get("region") or ""),
        account=str(detail.get("recipientAccountId") or event.get("account") or ""), actor=str(actor),
        source_ip=str(detail.get("sourceIPAddress") or ""), error_code=str(detail.get("errorCode") or ""),
        identifiers=frozenset(names),
    )


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        if 0 < len(value) <= _MAX_IDENTIFIER:
            found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)
