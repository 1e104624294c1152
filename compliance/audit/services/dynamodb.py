"""DynamoDB: tables; ENC-06 (table key, ``controls.enc_06``), RET-02 (point-in-time recovery), DES-02 (deletion protection)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict_outcome
from compliance.audit.inventory import DELETING, Inventory, Resource, listing
from compliance.audit.registry import CheckContext, Outcome, live_check
from controls import des_02, enc_06, ret_02
from controls.values import lookup

TABLE = "aws:dynamodb/table:Table"


@listing(TABLE)
def tables(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Tables with their DescribeTable, not those being deleted."""
    for name in inventory.aws.pages("dynamodb", region, "ListTables", "TableNames"):
        table = inventory.aws.call("dynamodb", region, "DescribeTable", TableName=name)["Table"]
        if table.get("TableStatus") in DELETING:
            continue

        def read(arn: str = table["TableArn"]) -> dict[str, str]:
            return inventory.tags_of(region, arn)

        yield inventory.keep(TABLE, region, name, (table["TableArn"],), table, read, resource_id=table["TableArn"])


@live_check("ENC-06", "enc-06-dynamodb-table-key", resource_type=TABLE)
def table_keys(ctx: CheckContext):
    def evaluate(table: Resource) -> Outcome:
        sse = table.data.get("SSEDescription")
        evidence: dict[str, Any] = {"dynamodb:DescribeTable": {"SSEDescription": pick(
            sse or {}, "Status", "SSEType", "KMSMasterKeyArn")}}
        # DescribeTable has an SSEDescription only for KMS encryption; without one the key is AWS-owned.
        enabled = bool(sse) and sse.get("Status") in ("ENABLED", "UPDATING") and sse.get("SSEType") == "KMS"
        facts = enc_06.Table(sse is not None, enabled, key_ref(ctx, (sse or {}).get("KMSMasterKeyArn"), evidence))
        return verdict_outcome(table, enc_06.decide(facts), evidence)

    return ctx.each(tables(ctx.inventory, ctx.region), evaluate)


@live_check("RET-02", "ret-02-dynamodb-pitr", resource_type=TABLE)
def dynamodb_pitr(ctx: CheckContext):
    def evaluate(table: Resource) -> Outcome:
        answer = ctx.call("dynamodb", "DescribeContinuousBackups", TableName=table.name)
        pitr = (answer.get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription") or {}
        evidence = {"dynamodb:DescribeContinuousBackups": pick(pitr, "PointInTimeRecoveryStatus", "RecoveryPeriodInDays")}
        decided = ret_02.decide(ret_02.Recovery(pitr.get("PointInTimeRecoveryStatus") == "ENABLED"))
        return verdict_outcome(table, decided, evidence)

    return ctx.each(tables(ctx.inventory, ctx.region), evaluate)


@live_check("DES-02", "des-02-dynamodb-deletion-protection", resource_type=TABLE)
def tables_destroyable(ctx: CheckContext):
    def evaluate(table: Resource) -> Outcome:
        decided = des_02.decide(des_02.Resource(des_02.TABLE, {
            "deletionProtectionEnabled": lookup(table.data, "DeletionProtectionEnabled")}))
        return verdict_outcome(table, decided, {"dynamodb:DescribeTable": pick(table.data, "DeletionProtectionEnabled")})

    return ctx.each(tables(ctx.inventory, ctx.region), evaluate)
