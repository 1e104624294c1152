"""Shared by our checkov checks: catalog parameters, the stack's suffix, rule helpers.

Plain Python (no checkov import), so that the harness's tests can read the same
tables. The checks run inside checkov's own virtualenv; they read the control
parameters through the pack's one catalog reader (``policies/controls/catalog.py``)
so that a threshold lives in one place, and the stack's environment suffix
(GOV-01) from the environment variable that ``compliance scan`` sets from the
graph's config. ``policies/`` goes on the path so that the checks import the
controls' decision modules (``controls.*``) exactly as the pack does.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

POLICIES_DIR = Path(__file__).resolve().parents[2]
if str(POLICIES_DIR) not in sys.path:
    sys.path.insert(0, str(POLICIES_DIR))

from controls.catalog import Control, load_catalog  # noqa: E402 (needs policies/ on the path)

SUFFIX_ENV = "IOT_ENVIRONMENT_SUFFIX"

# GOV-01: the attribute that holds each type's physical name (which part of it
# carries the convention, and with which separator, is ``controls.gov_01``'s).
PHYSICAL_NAME_ATTRIBUTES = {
    "aws_cloudtrail": "name",
    "aws_cloudwatch_log_group": "name",
    "aws_db_proxy": "name",
    "aws_db_subnet_group": "name",
    "aws_dynamodb_table": "name",
    "aws_elasticache_replication_group": "replication_group_id",
    "aws_elasticache_subnet_group": "name",
    "aws_iam_policy": "name",
    "aws_iam_role": "name",
    "aws_iam_role_policy": "name",
    "aws_iot_policy": "name",
    "aws_iot_thing": "name",
    "aws_iot_thing_type": "name",
    "aws_iot_topic_rule": "name",
    "aws_kinesis_stream": "name",
    "aws_kms_alias": "name",
    "aws_lambda_function": "function_name",
    "aws_rds_cluster": "cluster_identifier",
    "aws_rds_cluster_instance": "identifier",
    "aws_rds_cluster_parameter_group": "name",
    "aws_s3_bucket": "bucket",
    "aws_secretsmanager_secret": "name",
    "aws_security_group": "name",
    "aws_sqs_queue": "name",
}

# GOV-03: the resource types of the program that take tags (the bridge metadata
# gives each of them a ``tagsAll`` property; a test keeps the two in step).
TAGGABLE_TYPES = (
    "aws_cloudtrail",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm",
    "aws_db_proxy",
    "aws_db_subnet_group",
    "aws_default_security_group",
    "aws_dynamodb_table",
    "aws_eip",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_elasticache_serverless_cache",
    "aws_elasticache_subnet_group",
    "aws_elasticache_user",
    "aws_elasticache_user_group",
    "aws_flow_log",
    "aws_iam_policy",
    "aws_iam_role",
    "aws_internet_gateway",
    "aws_iot_policy",
    "aws_iot_thing_type",
    "aws_iot_topic_rule",
    "aws_kinesis_stream",
    "aws_kms_key",
    "aws_lambda_event_source_mapping",
    "aws_lambda_function",
    "aws_nat_gateway",
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_rds_cluster_parameter_group",
    "aws_route_table",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
    "aws_security_group",
    "aws_sqs_queue",
    "aws_subnet",
    "aws_vpc",
    "aws_vpc_endpoint",
    "aws_vpc_security_group_egress_rule",
    "aws_vpc_security_group_ingress_rule",
)


@cache
def _catalog() -> dict[str, Control]:
    return load_catalog().controls


def parameters(control_id: str) -> dict[str, Any]:
    """The control's ``parameters`` from the catalog (KeyError names an unknown control)."""
    return dict(_catalog()[control_id].parameters)


def environment_suffix() -> str:
    return os.environ.get(SUFFIX_ENV, "")


def value(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    """One attribute of a checkov resource conf, unwrapped from checkov's one-element lists."""
    item = conf.get(key, default)
    while isinstance(item, list) and len(item) == 1:
        item = item[0]
    return default if item is None else item


def as_list(item: Any) -> list[Any]:
    if item is None:
        return []
    if isinstance(item, list):
        flat: list[Any] = []
        for element in item:
            flat.extend(as_list(element))
        return flat
    return [item]


def blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The nested blocks under ``key`` (a list of dicts however checkov wrapped them)."""
    return [b for b in as_list(conf.get(key)) if isinstance(b, dict)]


def is_reference(text: Any) -> bool:
    """A value checkov substituted with a reference to another resource (``aws_x.name.id``)."""
    return isinstance(text, str) and text.startswith("aws_") and "." in text and " " not in text


KEY_TYPES = ("aws_kms_key", "aws_kms_alias")


def key_ref(plan: Any, address: str, attribute: str, value: Any = None) -> Any:
    """The key a resource names in ``attribute`` (``value`` when it sits deeper, e.g. in an SSE rule).

    A key or alias of the plan is customer-managed: when the attribute references one,
    or names one by its literal alias name. Anything else is left unresolved for the
    decision (``controls.keys``); a plain absent value stays absent.
    """
    from plan_index import REFERENCE

    from controls.keys import CUSTOMER, KeyRef
    from controls.values import MISSING, UNKNOWN

    if plan.references(address, attribute, KEY_TYPES):
        return KeyRef(UNKNOWN if value is None else value, CUSTOMER)
    if value is None:
        raw = plan.value(address, attribute)
        value = UNKNOWN if raw is REFERENCE else raw
    if isinstance(value, str) and value:
        for declared in plan.of_type(*KEY_TYPES):
            name = plan.values(declared).get("name")
            if isinstance(name, str) and (value == name or value.endswith(f":{name}")):
                return KeyRef(value, CUSTOMER)
    return KeyRef(MISSING if value is None else value)


def planned(plan: Any, address: str, attribute: str) -> Any:
    """A planned value in the decisions' vocabulary: UNKNOWN when computed from another resource, MISSING when absent."""
    from plan_index import REFERENCE

    from controls.values import MISSING, UNKNOWN

    value = plan.value(address, attribute)
    return UNKNOWN if value is REFERENCE else MISSING if value is None else value
