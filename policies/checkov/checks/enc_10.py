"""CKV_IOT_8 (ENC-10): Aurora clusters enforce TLS through their cluster parameter group, RDS proxies with
``require_tls``.

Facts from the plan: the cluster's engine and ``db_cluster_parameter_group_name``,
and the ``aws_rds_cluster_parameter_group`` it references (or names literally)
with its ``parameter`` blocks; a proxy's ``require_tls``. The decision is ``controls.enc_10``; checkov's own
CKV2_AWS_69 reads DB-instance parameter groups only.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import as_list, planned
from plan_facts import fact, label
from plan_index import REFERENCE, PlanIndex

from controls import enc_10
from controls.values import MISSING, UNKNOWN
from controls.verdict import Verdict

CLUSTER, GROUP, PROXY = "aws_rds_cluster", "aws_rds_cluster_parameter_group", "aws_db_proxy"
ATTRIBUTE = "db_cluster_parameter_group_name"


def _group(plan: PlanIndex, cluster: str) -> Any:
    name = plan.value(cluster, ATTRIBUTE)
    if name is None:
        return MISSING
    groups = plan.references(cluster, ATTRIBUTE, (GROUP,)) or [
        g for g in plan.of_type(GROUP) if isinstance(name, str) and plan.values(g).get("name") == name]
    if not groups:
        return UNKNOWN if name is REFERENCE else enc_10.ParameterGroup(name, None)
    values = plan.values(groups[0])
    shown = values.get("name", groups[0].split(".", 1)[1])
    blocks = [b for b in as_list(values.get("parameter")) if isinstance(b, dict)]
    if any("name" not in b for b in blocks):
        return enc_10.ParameterGroup(shown, UNKNOWN)
    return enc_10.ParameterGroup(shown, {str(b["name"]): b.get("value", UNKNOWN) for b in blocks})


class AuroraForcesTls(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ENC-10: Aurora enforces TLS (rds.force_ssl = 1) and RDS proxies require it (require_tls)",
            id="CKV_IOT_8", categories=[CheckCategories.ENCRYPTION], supported_resources=(CLUSTER, PROXY),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        if plan.type_of(address) == PROXY:
            return enc_10.decide_proxy(enc_10.Proxy(label(address), fact(plan, address, "require_tls")))
        return enc_10.decide(enc_10.Cluster(planned(plan, address, "engine"), _group(plan, address)))


check = AuroraForcesTls()
