"""The sandbox as an Organization: one moto server of its own (with ``OrgGate``), three member accounts with the
program and the auditor role, a fourth without the role, and a violation planted in one member.

Members: plant-a (suffix ``orga``, sa-east-1), plant-b (``orgb``, ap-southeast-1, holds the planted violation:
an unencrypted Kinesis stream ``kinesis-planted-orgb``), plant-c (``orgc``, sa-east-1), plant-norole
(``orgn``, sa-east-1, no auditor role). Tests that switch on throttling switch it off again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from compliance.pipeline.stages import MOTO_READ_GAPS
from compliance_tests.environment import environment

REGIONS = ("sa-east-1", "ap-southeast-1")
MEMBERS = [("plant-a", "orga", "sa-east-1"), ("plant-b", "orgb", "ap-southeast-1"),
           ("plant-c", "orgc", "sa-east-1"), ("plant-norole", "orgn", "sa-east-1")]
WITH_ROLE = {"plant-a", "plant-b", "plant-c"}
PLANTED = "kinesis-planted-orgb"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true"}


@dataclass
class Org:
    endpoint: str
    gate: object
    sandbox: object
    workdir: Path

    def member(self, name: str):
        return next(m for m in self.sandbox.members if m.name == name)

    def accounts_file(self, path: Path, names: set[str]) -> Path:
        from compliance.sandbox.organization import OrgSandbox

        subset = OrgSandbox(self.endpoint, [m for m in self.sandbox.members if m.name in names])
        return subset.accounts_file(path, REGIONS)

    def gaps_args(self) -> list[str]:
        args = ["--known-gaps", str(MOTO_READ_GAPS)]
        for m in self.sandbox.members:
            args += ["--known-gaps", str(m.stack.gaps_path)]
        return args


@pytest.fixture(scope="package", autouse=True)
def credential_chain():
    with environment(CREDENTIALS, unset=("AWS_PROFILE", "AWS_SESSION_TOKEN")):
        yield


@pytest.fixture(scope="package")
def org(tmp_path_factory: pytest.TempPathFactory):
    from compliance.sandbox.organization import OrgGate, build_org_sandbox
    from compliance.sandbox.server import start_server

    gates = []

    def gated(app):
        gates.append(OrgGate(app))
        return gates[0]

    workdir = tmp_path_factory.mktemp("org")
    with start_server(middleware=gated) as server:
        sandbox = build_org_sandbox(server.endpoint, MEMBERS, workdir, auditor_role=WITH_ROLE)
        b = next(m for m in sandbox.members if m.name == "plant-b")
        b.stack.client("kinesis").create_stream(StreamName=PLANTED, ShardCount=1)
        b.stack.client("kinesis").add_tags_to_stream(StreamName=PLANTED, Tags={"Environment": "orgb"})
        yield Org(server.endpoint, gates[0], sandbox, workdir)
