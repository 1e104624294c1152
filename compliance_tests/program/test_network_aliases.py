"""Issue 12 item 8: the network's children are named after the component, and existing stacks keep their URNs.

The URNs the children had before are read from a render of main at 393c949
(``data/network_urns_393c949.json``). Each must be reached by exactly one
alias of a child registered now. The program passes name-only aliases
(``pulumi.Alias(name=...)``), which the SDK sends as alias specs; the test
resolves them as the engine does: same type, same parent, same project and
stack, the alias's name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from compliance import engine
from compliance.render.synthetic import SyntheticMocks

BEFORE = json.loads((Path(__file__).parent / "data" / "network_urns_393c949.json").read_text())
NETWORK = "iot-sensor-platform:network:Network"


class AliasRecorder(engine.RecordingMonitor):
    """The engine's monitor, also keeping each registration's aliases (which graph.json leaves out)."""

    aliases: dict[str, list[Any]] = {}

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        AliasRecorder.aliases[response.urn] = list(request.aliases)
        return response


def resolve(urn: str, alias: Any) -> str:
    """The URN an alias names, for the resource registered at ``urn``: what the spec leaves out is the resource's own.

    ``urn:pulumi:<stack>::<project>::<parent types $ ...>$<type>::<name>``; a parent that is
    the root stack adds no type to the chain.
    """
    if alias.urn:
        return alias.urn
    spec = alias.spec
    stack_part, project, qualified, name = urn.split("::", 3)
    stack = stack_part.removeprefix("urn:pulumi:")
    chain, _, type_token = qualified.rpartition("$")
    if spec.noParent:
        chain = ""
    elif spec.parentUrn:
        parent_qualified = spec.parentUrn.split("::", 3)[2]
        chain = "" if parent_qualified == "pulumi:pulumi:Stack" else parent_qualified
    qualified = f"{chain}${spec.type or type_token}" if chain else (spec.type or type_token)
    return f"urn:pulumi:{spec.stack or stack}::{spec.project or project}::{qualified}::{spec.name or name}"


@pytest.fixture(scope="module")
def registered(request) -> dict[str, list[str]]:
    """Every resource the dev program registers: URN -> the URNs its aliases name."""
    patch = pytest.MonkeyPatch()
    AliasRecorder.aliases = {}
    patch.setattr(engine, "RecordingMonitor", AliasRecorder)
    try:
        engine.run_program("dev", SyntheticMocks("sa-east-1"))
    finally:
        patch.undo()
    return {urn: [resolve(urn, alias) for alias in aliases] for urn, aliases in AliasRecorder.aliases.items()}


def children_of_network(urns) -> list[str]:
    return [u for u in urns if u.split("::")[2].startswith(f"{NETWORK}$")]


def test_the_recorded_urns_come_from_the_component_named_network():
    assert BEFORE["component"].endswith(f"::{NETWORK}::network")
    assert len(BEFORE["urns"]) == 34 and all(u.split("::")[2].startswith(f"{NETWORK}$") for u in BEFORE["urns"])


def test_every_child_is_named_after_the_component(registered):
    for urn in children_of_network(registered):
        assert urn.rsplit("::", 1)[1].startswith("network-"), urn


# Children removed on purpose since the rename: the processor reaches Aurora through RDS Proxy (issue 16),
# so its direct rules are deleted, not renamed.
REMOVED = {"aurora-from-processor", "processor-to-aurora"}


def test_every_old_urn_is_the_alias_of_exactly_one_renamed_child(registered):
    """Nothing is replaced: the engine finds each existing resource under its new name through the alias."""
    claimed: dict[str, list[str]] = {}
    for urn, aliases in registered.items():
        for old in aliases:
            claimed.setdefault(old, []).append(urn)
    for old in BEFORE["urns"]:
        if old.rsplit("::", 1)[1] in REMOVED:
            assert old not in claimed, f"{old} was removed, yet a child claims it"
            continue
        assert old not in registered, f"{old} is still registered under its old name"
        head, old_name = old.rsplit("::", 1)
        assert claimed.get(old) == [f"{head}::network-{old_name}"], old


def test_only_renamed_children_carry_aliases(registered):
    """Children added since (flow logs, the rotation tier) never had another name: no alias."""
    old = set(BEFORE["urns"])
    for urn in children_of_network(registered):
        if registered[urn]:
            assert set(registered[urn]) <= old, urn
        else:
            head, name = urn.rsplit("::", 1)
            assert f"{head}::{name.removeprefix('network-')}" not in old, f"{urn} lost its alias"
    new = [u for u in children_of_network(registered) if not registered[u]]
    assert {u.rsplit("::", 1)[1] for u in new} == {
        "network-flow-logs", "network-main", "network-redis-rotation", "network-redis-from-redis-rotation",
        "network-redis-rotation-to-redis", "network-redis-rotation-to-endpoints", "network-elasticache",
        # RDS Proxy and the migration function (issue 16): the processor reaches Aurora through the proxy
        "network-proxy", "network-migrator", "network-proxy-from-processor", "network-processor-to-proxy",
        "network-aurora-from-proxy", "network-proxy-to-aurora", "network-aurora-from-migrator",
        "network-migrator-to-aurora", "network-migrator-to-endpoints",
        # the compliance auditor (issue 15): its tier, its endpoints and its egress
        "network-auditor", "network-auditor-to-endpoints", "network-auditor-to-s3", "network-auditor-to-dynamodb",
        "network-ec2", "network-rds", "network-iot.api", "network-cloudtrail", "network-lambda", "network-tagging",
        "network-securityhub", "network-xray"}
    outside = [u for u in registered if u not in children_of_network(registered)]
    assert not old & {alias for u in outside for alias in registered[u]}, "an old network URN is claimed elsewhere"


def _two_networks(monitor: engine.RecordingMonitor, main=None) -> None:
    """A program with a second network beside the first (runs with program/ on sys.path, as the engine does)."""
    from aws_context import AwsContext
    from components.network import Network
    from naming import Naming

    naming = Naming("dev", "platform-team", "confidential")
    ctx = AwsContext.lookup("sa-east-1")
    key = "arn:aws:kms:sa-east-1:123456789012:key/logs"
    Network("network", naming, ctx, logs_key_arn=key)
    Network("plant-2-network", naming, ctx, logs_key_arn=key)


def test_two_networks_in_one_stack_do_not_collide(monkeypatch):
    monkeypatch.setattr(engine, "_run_main", _two_networks)
    AliasRecorder.aliases = {}
    monkeypatch.setattr(engine, "RecordingMonitor", AliasRecorder)
    run = engine.run_program("dev", SyntheticMocks("sa-east-1"))
    urns = [r.urn for r in run.registrations]
    assert len(urns) == len(set(urns)), "two resources share a URN"
    second = [r for r in run.registrations if r.parent.endswith("::plant-2-network")]
    first = [r for r in run.registrations if r.parent.endswith(f"{NETWORK}::network")]
    assert len(second) == len(first) > 30
    assert all(r.name.startswith("plant-2-network-") for r in second)
    assert all(AliasRecorder.aliases[r.urn] == [] for r in second), "a new network has no old names to keep"
    # Names AWS wants unique per account and region differ too (security groups are unique per VPC only).
    for type_token in ("aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:cloudwatch/logGroup:LogGroup"):
        names = [r.inputs["name"] for r in run.registrations if r.type == type_token]
        assert len(names) == 2 and len(set(names)) == 2, (type_token, names)
