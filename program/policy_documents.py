"""IAM, key and resource policy documents as ``Output[str]`` JSON.

Statements are plain dicts whose values may be Outputs (ARNs); ``document``
resolves them with ``Output.json_dumps`` so that the rendered graph carries the
finished JSON a policy check can parse.
"""

from __future__ import annotations

from typing import Any

import pulumi

VERSION = "2012-10-17"


def statement(
    sid: str,
    actions: list[str],
    resources: list[Any] | Any,
    *,
    effect: str = "Allow",
    principal: dict[str, Any] | None = None,
    condition: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"Sid": sid, "Effect": effect}
    if principal is not None:
        body["Principal"] = principal
    body["Action"] = actions
    body["Resource"] = resources
    if condition:
        body["Condition"] = condition
    return body


def document(*statements: dict[str, Any]) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": list(statements)})


def assume_role(service: str, condition: dict[str, Any] | None = None) -> pulumi.Output[str]:
    """A trust policy letting one AWS service principal assume the role (trust policies have no Resource)."""
    trust: dict[str, Any] = {"Sid": "TrustService", "Effect": "Allow", "Principal": {"Service": service},
                             "Action": "sts:AssumeRole"}
    if condition:
        trust["Condition"] = condition
    return document(trust)
