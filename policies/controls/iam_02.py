"""IAM-02: IoT policies let a device act only as its own thing; no wildcard actions.

Each Allow statement of an IoT policy must:

* list its actions (no ``*``, ``iot:*`` or other wildcard action, no ``NotAction``);
* name its resources (no ``NotResource``), each scoped to the connecting thing: it
  holds ``${iot:Connection.Thing.ThingName}`` in a path segment without wildcards
  (``client/${iot:Connection.Thing.ThingName}``;
  ``topic/factory/${iot:Connection.Thing.Attributes[facility]}/${iot:Connection.Thing.ThingName}/telemetry``).

Other thing policy variables (``Attributes[...]``, ``ThingTypeName``) are resolved
from the connecting thing's own registry entry: beside the thing name they narrow a
resource further (to the thing's facility), but alone they name what many things
share (every device of a facility), so they do not scope a resource to one thing.
A wildcard in the thing name's segment (``${iot:Connection.Thing.ThingName}*``)
reaches other things' names (``sensor-1`` would reach ``sensor-10``).
"""

from __future__ import annotations

from typing import Any

from controls.documents import Statement, judge_as_allow, names, read_statements
from controls.values import MISSING, UNKNOWN
from controls.verdict import Judgement, Verdict

CONTROL = "IAM-02"
THING_NAME_VARIABLE = "${iot:Connection.Thing.ThingName}"
ACTIONS_FIX = "list the actions a device needs (iot:Connect, iot:Publish)"


def decide(document: Any, where: str = "policy") -> Verdict:
    judgement = Judgement()
    if document is MISSING:
        judgement.fail(f"{where} is not set: write the device policy with {THING_NAME_VARIABLE} in its resources.",
                       where)
    for statement in read_statements(judgement, where, document) or []:
        judge_as_allow(judgement, statement, where, *_problems(statement))
    return judgement.verdict(f"every statement lists its actions and is scoped to {THING_NAME_VARIABLE}")


def scoped_to_thing(resource: Any) -> bool:
    """The resource names the connecting thing: the thing-name variable in a segment without wildcards."""
    if not isinstance(resource, str):
        return False
    for segment in resource.split("/"):
        if THING_NAME_VARIABLE in segment:
            rest = segment.replace(THING_NAME_VARIABLE, "")
            if "*" not in rest and "?" not in rest:
                return True
    return False


def _problems(statement: Statement) -> tuple[list[str], list[str]]:
    """(violations, unknown elements) of one statement, taken as an Allow."""
    problems, unclear = [], []
    if "NotAction" in statement.raw:
        problems.append(f"policy statement {statement.label} allows every action but NotAction "
                        f"{names(statement.raw.get('NotAction'))}: {ACTIONS_FIX} in Action.")
    wildcards = [a for a in statement.actions if "*" in a or "?" in a]
    if wildcards:
        problems.append(f"policy statement {statement.label} allows {', '.join(wildcards)}: {ACTIONS_FIX}.")
    elif "Action" in statement.unknown:
        unclear.append("Action")
    if "NotResource" in statement.raw:
        problems.append(f"policy statement {statement.label} allows every resource but NotResource "
                        f"{names(statement.raw.get('NotResource'))}: use {THING_NAME_VARIABLE} in the client and "
                        "topic ARNs, listed in Resource.")
    elif "Resource" not in statement.raw:
        problems.append(f"policy statement {statement.label} names no Resource: list the client and topic ARNs with "
                        f"{THING_NAME_VARIABLE}.")
    unscoped = [res for res in statement.resources if res is not UNKNOWN and not scoped_to_thing(res)]
    if unscoped:
        problems.append(f"policy statement {statement.label} allows {names(statement.raw.get('Action'))} on "
                        f"{names(unscoped)}, not scoped to the connecting thing: use {THING_NAME_VARIABLE} in the "
                        "client and topic ARNs.")
    elif "Resource" in statement.unknown:
        unclear.append("Resource")
    return problems, unclear
