"""The sandbox holds every resource the program declares, each findable in moto by its real ID."""

from __future__ import annotations

from botocore.exceptions import ClientError

from compliance.graph import Graph
from compliance.sandbox import SandboxStack
from compliance_tests.sandbox.moto_lookup import LOOKUPS


def test_the_sandbox_deploys_exactly_the_resources_the_program_declares(rendered_dev: Graph,
                                                                        deployed_dev: SandboxStack):
    declared = sorted(r["urn"] for r in rendered_dev.custom_resources())
    deployed = sorted(r["urn"] for r in deployed_dev.resources)
    assert deployed == declared


def test_every_deployed_resource_exists_in_moto_under_its_real_id(deployed_dev: SandboxStack):
    types = {r["type"] for r in deployed_dev.resources}
    assert sorted(types - LOOKUPS.keys()) == [], "types with no lookup in moto_lookup.py"
    absent = []
    for resource in deployed_dev.resources:
        try:
            found = LOOKUPS[resource["type"]](deployed_dev.client, resource["id"])
        except ClientError as exc:
            found = f"{exc.response['Error'].get('Code')}"
            absent.append(f"{resource['type']} {resource['name']} ({resource['id']}): {found}")
            continue
        if not found:
            absent.append(f"{resource['type']} {resource['name']} ({resource['id']})")
    assert absent == []


def test_ids_are_the_sandboxs_own_not_synthetic(deployed_dev: SandboxStack):
    by_type = {r["type"]: r["id"] for r in deployed_dev.resources}
    assert by_type["aws:ec2/vpc:Vpc"].startswith("vpc-")
    assert by_type["aws:kinesis/stream:Stream"] == deployed_dev.outputs["streamArn"]
    assert deployed_dev.outputs["streamArn"].startswith(f"arn:aws:kinesis:{deployed_dev.region}:{deployed_dev.account_id}:")
    assert all(arn.startswith(f"arn:aws:kms:{deployed_dev.region}:{deployed_dev.account_id}:key/")
               for arn in deployed_dev.outputs["kmsKeyArns"].values())
