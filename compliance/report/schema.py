"""The JSON schema of report.json (documented field by field in reports/README.md).

Bump ``SCHEMA_VERSION`` on any change a reader would notice: a field removed,
renamed or changed in meaning. Adding a field is not such a change.

Version 2 (from 1): ``waived`` means a waiver accepted the finding, nothing else (a
policy the pack config disabled was ``waived`` in version 1, it is now an ``error``
unless a waiver covers its exception); ``not_run`` means a layer the run did not
expect; an expected layer that did not deliver is ``error``. Added: ``expected``,
``exceptions``, ``notObservable``, a ``reason`` per layer cell and per layer, and
the waivers file's ``version``, ``warnings`` and ``maxDays``.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from compliance.catalog import FRAMEWORKS
from compliance.errors import EvaluationError
from compliance.exceptions import EXCEPTION_SCHEMA
from compliance.findings import ENFORCEMENTS, FINDINGS_FILE_SCHEMA, LAYERS, SEVERITIES, STATUSES
from compliance.report.status import STATUS_ORDER

SCHEMA_VERSION = 2

CONTROL_STATUSES = list(STATUS_ORDER)
_SHA256 = {"type": "string", "pattern": "^([0-9a-f]{64})?$"}
_COUNTS = {
    "type": "object",
    "required": CONTROL_STATUSES,
    "properties": {s: {"type": "integer", "minimum": 0} for s in [*CONTROL_STATUSES, "total"]},
    "additionalProperties": False,
}
_RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_SOURCE = {
    "type": ["object", "null"],
    "required": ["file", "line"],
    "properties": {"file": {"type": "string"}, "line": {"type": "integer"}},
}
_WAIVER = {
    "type": "object",
    "required": ["control", "resource", "check", "reason", "owner", "expires", "allowAllResources"],
    "properties": {
        "control": {"type": "string"}, "resource": {"type": "string"}, "check": {"type": "string"},
        "reason": {"type": "string", "minLength": 1}, "owner": {"type": "string", "minLength": 1},
        "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, "allowAllResources": {"type": "boolean"},
    },
    "additionalProperties": False,
}
_FINDING_BASE = FINDINGS_FILE_SCHEMA["properties"]["findings"]["items"]
_FINDING = {
    "type": "object",
    "required": [*_FINDING_BASE["required"], "originalStatus", "waiver", "expiredWaiver", "drift", "urn", "source"],
    "properties": {
        **_FINDING_BASE["properties"],
        "originalStatus": {"enum": list(STATUSES)},
        "waiver": {"oneOf": [{"type": "null"}, _WAIVER]},
        "expiredWaiver": {"oneOf": [{"type": "null"}, _WAIVER]},
        "drift": {"type": "boolean"},
        "urn": {"type": ["string", "null"]},
        "source": _SOURCE,
    },
    "additionalProperties": False,
}
_LAYER_CELL = {
    "type": "object",
    "required": ["status", "findings", "reason"],
    "properties": {"status": {"enum": [*CONTROL_STATUSES, None]}, "findings": {"type": "integer", "minimum": 0},
                   "reason": {"type": "string"}},
    "additionalProperties": False,
}
_RESOURCE = _FINDING_BASE["properties"]["resource"]
_EXCEPTION_ENTRY = {
    **EXCEPTION_SCHEMA,
    "required": [*EXCEPTION_SCHEMA["required"], "state", "findings", "waivers"],
    "properties": {**EXCEPTION_SCHEMA["properties"], "state": {"enum": ["refused", "waived", "unused"]},
                   "findings": {"type": "array", "items": {"type": "string"}},
                   "waivers": {"type": "array", "items": _WAIVER}},
}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://iot-sensor-platform.example/schemas/report-v2.json",
    "title": "Compliance report",
    "type": "object",
    "required": ["schemaVersion", "generatedAt", "tool", "catalog", "git", "scope", "graph", "expected", "inputs",
                 "summary", "controls", "frameworks", "findings", "drift", "waivers", "exceptions", "notObservable",
                 "exitCode", "exitReason"],
    "additionalProperties": False,
    "properties": {
        "schemaVersion": {"const": SCHEMA_VERSION},
        "generatedAt": {"type": "string", "format": "date-time"},
        "tool": {
            "type": "object", "required": ["name", "version"],
            "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
        },
        "catalog": {
            "type": "object", "required": ["version", "file", "sha256"],
            "properties": {"version": {"type": "string"}, "file": {"type": "string"}, "sha256": _SHA256},
        },
        "git": {
            "type": "object", "required": ["commit", "dirty"],
            "properties": {"commit": {"type": "string", "pattern": "^([0-9a-f]{40,64})?$"},
                           "dirty": {"type": "boolean"}},
        },
        "scope": {
            "type": "object",
            "required": ["account", "endpoint", "regions", "stack", "suffix"],
            "properties": {
                "account": {"type": "string"}, "endpoint": {"type": "string"},
                "regions": {"type": "array", "items": {"type": "string"}},
                "stack": {"type": "string"}, "suffix": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "graph": {
            "type": ["object", "null"],
            "required": ["file", "resources", "sha256"],
            "properties": {"file": {"type": "string"}, "resources": {"type": "integer"}, "sha256": _SHA256},
        },
        "expected": {
            "type": "object", "required": ["layers", "by"], "additionalProperties": False,
            "properties": {"layers": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": list(LAYERS)}},
                           "by": {"type": "string"}},
        },
        "inputs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["layer", "file", "sha256", "tool", "startedAt", "finishedAt", "complete", "findings",
                             "scope"],
                "properties": {
                    "layer": {"enum": list(LAYERS)}, "file": {"type": "string"}, "sha256": _SHA256,
                    "tool": {"type": "object"}, "startedAt": {"type": "string"}, "finishedAt": {"type": "string"},
                    "complete": {"type": "boolean"}, "findings": {"type": "integer"}, "scope": {"type": "object"},
                },
            },
        },
        "summary": {
            "type": "object",
            "required": ["controls", "bySeverity", "byLayer", "findings", "unmapped", "passRate", "drift",
                         "expiredWaivers", "exceptions", "notObservable"],
            "properties": {
                "controls": _COUNTS,
                "bySeverity": {"type": "object", "required": list(SEVERITIES),
                               "additionalProperties": _COUNTS},
                "byLayer": {
                    "type": "object",
                    "required": list(LAYERS),
                    "additionalProperties": {
                        "type": "object",
                        "required": ["present", "complete", "expected", "reason", "controls", "passRate"],
                        "properties": {"present": {"type": "boolean"}, "complete": {"type": "boolean"},
                                       "expected": {"type": "boolean"}, "reason": {"type": "string"},
                                       "controls": _COUNTS, "passRate": _RATE},
                    },
                },
                "findings": _COUNTS,
                "unmapped": _COUNTS,
                "passRate": _RATE,
                "drift": {"type": "integer", "minimum": 0},
                "expiredWaivers": {"type": "integer", "minimum": 0},
                "exceptions": {"type": "object", "required": ["refused", "waived", "unused"],
                               "additionalProperties": {"type": "integer", "minimum": 0}},
                "notObservable": {"type": "integer", "minimum": 0},
            },
        },
        "controls": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title", "severity", "enforcement", "rationale", "remediation", "catalogLayers",
                             "frameworks", "status", "layers", "findingIds", "drift"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
                    "title": {"type": "string"},
                    "severity": {"enum": list(SEVERITIES)},
                    "enforcement": {"enum": list(ENFORCEMENTS)},
                    "rationale": {"type": "string"},
                    "remediation": {"type": "string"},
                    "catalogLayers": {"type": "array", "items": {"enum": list(LAYERS)}},
                    "frameworks": {
                        "type": "object",
                        "propertyNames": {"enum": list(FRAMEWORKS)},
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                    "status": {"enum": CONTROL_STATUSES},
                    "layers": {"type": "object", "required": list(LAYERS),
                               "properties": {layer: _LAYER_CELL for layer in LAYERS},
                               "additionalProperties": False},
                    "findingIds": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{16}$"}},
                    "drift": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
        },
        "frameworks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "controlsCovered", "requirements"],
                "properties": {
                    "id": {"enum": list(FRAMEWORKS)},
                    "name": {"type": "string"},
                    "controlsCovered": {"type": "integer", "minimum": 0},
                    "requirements": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ref", "controls", "status"],
                            "properties": {"ref": {"type": "string"},
                                           "controls": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                                           "status": {"enum": CONTROL_STATUSES}},
                            "additionalProperties": False,
                        },
                    },
                },
                "additionalProperties": False,
            },
        },
        "findings": {"type": "array", "items": _FINDING},
        "drift": {
            "type": "object",
            "required": ["evaluated", "reason", "items"],
            "properties": {
                "evaluated": {"type": "boolean"},
                "reason": {"type": "string"},
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["control", "resource", "declared", "live", "summary"],
                        "properties": {
                            "control": {"type": "string"},
                            "resource": {"type": "object", "required": ["urn", "name", "type", "source"],
                                         "properties": {"source": _SOURCE}},
                            "declared": {"type": "object",
                                         "required": ["layer", "status", "findingId", "message"],
                                         "properties": {"layer": {"enum": list(LAYERS)},
                                                        "status": {"enum": ["pass", "fail"]}}},
                            "live": {"type": "object",
                                     "required": ["status", "findingId", "resourceId", "message", "evidence"],
                                     "properties": {"status": {"enum": ["pass", "fail"]}}},
                            "summary": {"type": "string"},
                        },
                    },
                },
            },
        },
        "waivers": {
            "type": "object",
            "required": ["asOf", "file", "version", "warnings", "maxDays", "entries"],
            "properties": {
                "asOf": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "file": {"type": ["string", "null"]},
                "version": {"enum": [1, 2]},
                "warnings": {"type": "array", "items": {"type": "string"}},
                "maxDays": {"type": "integer", "minimum": 1},
                "entries": {
                    "type": "array",
                    "items": {
                        **_WAIVER,
                        "required": [*_WAIVER["required"], "state", "findings"],
                        "properties": {**_WAIVER["properties"], "state": {"enum": ["active", "expired", "unused"]},
                                       "findings": {"type": "array", "items": {"type": "string"}}},
                    },
                },
            },
        },
        "exceptions": {
            "type": "object",
            "required": ["entries", "refused", "waived", "unused"],
            "properties": {"entries": {"type": "array", "items": _EXCEPTION_ENTRY},
                           "refused": {"type": "integer", "minimum": 0}, "waived": {"type": "integer", "minimum": 0},
                           "unused": {"type": "integer", "minimum": 0}},
            "additionalProperties": False,
        },
        "notObservable": {
            "type": "object",
            "required": ["entries"],
            "properties": {"entries": {"type": "array", "items": {
                "type": "object",
                "required": ["findingId", "control", "layer", "resource", "api", "gap"],
                "properties": {"findingId": {"type": "string"}, "control": {"type": "string"},
                               "layer": {"enum": list(LAYERS)}, "resource": _RESOURCE, "api": {"type": "string"},
                               "gap": {"type": "string"}},
                "additionalProperties": False,
            }}},
            "additionalProperties": False,
        },
        "exitCode": {"enum": [0, 1, 3]},
        "exitReason": {"type": "string"},
    },
}


def validate_report(data: Any, source: str = "report") -> dict[str, Any]:
    """Fail closed on a report that does not match the schema (a bug in the builder, or a hand-edited file)."""
    try:
        jsonschema.validate(data, REPORT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise EvaluationError(f"{source}: report does not match its schema at {where}: {exc.message}") from exc
    return data
