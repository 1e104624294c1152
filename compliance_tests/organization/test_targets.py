"""Targets: the accounts file (versioned, one-line errors) and Organizations discovery with --include/--exclude."""

from __future__ import annotations

import contextlib

import pytest
import yaml

from compliance.audit.targets import (
    DEFAULT_ROLE_NAME,
    Target,
    load_accounts_file,
    organization_targets,
    select,
)
from compliance.errors import UsageError

GOOD = {"account_id": "111122223333", "name": "plant-lyon", "regions": ["sa-east-1"],
        "role": "arn:aws:iam::111122223333:role/role-auditor-audit", "external_id": "plant-audit",
        "tags": ["site:lyon"], "suffix": "lyon", "outputs": "outputs/lyon.json"}


def _file(tmp_path, document) -> object:
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_c7n_org_shaped_entry_reads_with_suffix_outputs_and_tags(tmp_path):
    [target] = load_accounts_file(_file(tmp_path, {"version": 1, "accounts": [GOOD]}))
    assert target == Target("111122223333", "plant-lyon", GOOD["role"], "plant-audit", ("sa-east-1",),
                            {"site": "lyon"}, (), "lyon", tmp_path / "outputs/lyon.json")


@pytest.mark.parametrize(("document", "names"), [
    ({"version": 2, "accounts": [GOOD]}, "version 2 is not known"),
    ({"accounts": [GOOD]}, "'version' is a required property"),
    ({"version": 1, "accounts": [{**GOOD, "account_id": "1111"}]}, "accounts/0/account_id"),
    ({"version": 1, "accounts": [{**GOOD, "rolez": "x"}]}, "accounts/0"),
    ({"version": 1, "accounts": [{**GOOD, "role": "arn:aws:iam::999988887777:role/r"}]}, "is in another account"),
    ({"version": 1, "accounts": [GOOD, GOOD]}, "listed twice"),
    ({"version": 1, "accounts": []}, "accounts"),
])
def test_a_bad_accounts_file_is_one_line_naming_the_entry(tmp_path, document, names):
    with pytest.raises(UsageError) as caught:
        load_accounts_file(_file(tmp_path, document))
    message = str(caught.value)
    assert names in message and "\n" not in message and message.startswith("--accounts ")


def test_a_missing_or_unreadable_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        load_accounts_file(tmp_path / "absent.yaml")
    (tmp_path / "bad.yaml").write_text("version: [1\n")
    with pytest.raises(UsageError, match="not readable YAML"):
        load_accounts_file(tmp_path / "bad.yaml")


def test_organizations_discovery_lists_active_accounts_with_ous_and_tags_and_selects(sandbox_server):
    """Against the moto server: ListAccounts (ACTIVE only), ListParents up to the root, ListTagsForResource."""
    import boto3

    org = boto3.client("organizations", region_name="us-east-1", endpoint_url=sandbox_server.endpoint,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    with contextlib.suppress(org.exceptions.AlreadyInOrganizationException):
        org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    plants = org.create_organizational_unit(ParentId=root, Name="plants-sel")["OrganizationalUnit"]["Id"]
    lyon = org.create_account(AccountName="sel-lyon", Email="lyon@example.com",
                              Tags=[{"Key": "site", "Value": "lyon"}])["CreateAccountStatus"]["AccountId"]
    porto = org.create_account(AccountName="sel-porto", Email="porto@example.com")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=lyon, SourceParentId=root, DestinationParentId=plants)
    closed = org.create_account(AccountName="sel-closed", Email="closed@example.com")["CreateAccountStatus"]["AccountId"]
    org.close_account(AccountId=closed)

    found = {t.name: t for t in organization_targets(org, DEFAULT_ROLE_NAME, "ext")}
    assert "sel-closed" not in found  # suspended/closed accounts are not audited
    assert found["sel-lyon"].ous == (plants,) and found["sel-lyon"].tags == {"site": "lyon"}
    assert found["sel-lyon"].role_arn == f"arn:aws:iam::{lyon}:role/{DEFAULT_ROLE_NAME}"
    assert found["sel-lyon"].external_id == "ext"
    targets = list(found.values())
    assert [t.account_id for t in select(targets, [plants], [])] == [lyon]
    assert [t.account_id for t in select(targets, ["site=lyon"], [])] == [lyon]
    assert [t.account_id for t in select(targets, ["sel-lyon", porto], ["site=lyon"])] == [porto]
    with pytest.raises(UsageError, match="no account left"):
        select(targets, ["nothing-matches"], [])


def test_assumed_credentials_are_renewed_by_botocore_before_they_expire(org):
    """Keys of 900 s are inside botocore's 15-minute advisory window at once: each use renews them (AssumeRole)."""
    import boto3

    from compliance.audit.aws import RetryPolicy
    from compliance.audit.credentials import assumed_session
    from compliance.audit.runner import CallCounter
    from compliance.sandbox.organization import AUDITOR_ROLE, EXTERNAL_ID

    member = org.member("plant-a")
    base = boto3.Session(region_name="sa-east-1")
    counter = CallCounter(base)
    session = assumed_session(base, f"arn:aws:iam::{member.account_id}:role/{AUDITOR_ROLE}",
                              session_name="compliance-audit@test", external_id=EXTERNAL_ID, region="sa-east-1",
                              endpoint_url=org.endpoint, retry=RetryPolicy(), duration_seconds=900)
    first = session.get_credentials().get_frozen_credentials().access_key
    sts = session.client("sts", endpoint_url=org.endpoint)
    assert sts.get_caller_identity()["Account"] == member.account_id
    second = session.get_credentials().get_frozen_credentials().access_key
    counter.close()
    assert counter.calls["sts:AssumeRole"] >= 2 and first != second


def _stubbed_regions(wanted, answer):
    """``_regions`` against AWS's documented DescribeRegions answer (moto enables every region: Stubber)."""
    import boto3
    from botocore.stub import Stubber

    from compliance.audit.organization import OrgRequest, _regions

    session = boto3.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name="sa-east-1")
    client = session.client("ec2", region_name="sa-east-1")
    stubber = Stubber(client)
    stubber.add_response("describe_regions", answer, {"AllRegions": True})
    stubber.activate()
    original = session.client
    session.client = lambda service, **kw: client if service == "ec2" else original(service, **kw)
    return _regions(session, wanted, OrgRequest(targets=(), regions=wanted, home_region="sa-east-1"))


AWS_REGIONS = {"Regions": [
    {"RegionName": "sa-east-1", "Endpoint": "ec2.sa-east-1.amazonaws.com", "OptInStatus": "opt-in-not-required"},
    {"RegionName": "ap-southeast-1", "Endpoint": "x", "OptInStatus": "opt-in-not-required"},
    {"RegionName": "af-south-1", "Endpoint": "x", "OptInStatus": "not-opted-in"},
    {"RegionName": "me-south-1", "Endpoint": "x", "OptInStatus": "opted-in"},
]}


def test_regions_all_is_the_accounts_enabled_regions():
    regions, refused = _stubbed_regions(("all",), AWS_REGIONS)
    assert regions == ("ap-southeast-1", "me-south-1", "sa-east-1") and refused == {}


def test_a_disabled_or_unknown_region_is_refused_with_the_reason_and_the_rest_audited():
    regions, refused = _stubbed_regions(("sa-east-1", "af-south-1", "xx-east-9"), AWS_REGIONS)
    assert regions == ("sa-east-1",)
    assert "not enabled in the account (OptInStatus not-opted-in)" in refused["af-south-1"]
    assert "not a region this account knows" in refused["xx-east-9"]
