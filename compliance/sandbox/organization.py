"""The sandbox as an AWS Organization: member accounts, the program in each, the auditor role in each.

moto keeps one backend per account: Organizations ``CreateAccount`` makes a
member account id, and STS ``AssumeRole`` into a role ARN of that account
gives keys that moto maps to that account (every later call lands in its
backends). Verified by ``compliance_tests/audit/test_organization.py``: a
resource created with one member's keys is invisible with another's.

Sandbox gap, closed here: moto's ``AssumeRole`` accepts any role ARN, even of a
role that does not exist, and never checks the trust policy's external id; AWS
refuses both with ``AccessDenied``. ``OrgGate`` (WSGI middleware around moto)
answers as AWS does: the role must exist in the target account and an
``sts:ExternalId`` condition of its trust policy must match. It also injects
throttling on chosen accounts (one call in ``throttle_every`` answered with the
protocol's throttling error), which the tests use to prove one throttled account does not
stall the others.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from compliance import REPO_ROOT
from compliance.audit.targets import DEFAULT_ROLE_NAME, role_arn
from compliance.sandbox.clients import SandboxClients
from compliance.sandbox.deploy import SandboxStack, deploy

AUDITOR_ROLE = DEFAULT_ROLE_NAME  # what program/auditor_role creates
AUDITOR_POLICY = REPO_ROOT / "compliance" / "audit" / "auditor-policy.json"
ACCESS_ROLE = "OrganizationAccountAccessRole"  # what Organizations creates in every new member account
EXTERNAL_ID = "compliance-sandbox-audit"
MANAGEMENT_ACCOUNT = "123456789012"  # moto's default account: the one the dummy credentials reach


class OrgGate:
    """WSGI middleware: AWS's AssumeRole refusals, and throttling on demand per account."""

    def __init__(self, app: Any, throttle_every: int = 3) -> None:
        self.app = app
        self.throttle_every = throttle_every  # of a throttled account's calls, one in this many is refused
        self.throttled: set[str] = set()
        self.throttles: Counter[str] = Counter()  # throttling answers sent, per account
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        key, service = _credential_scope(auth)
        account = _account_of(key) if key else ""
        if account in self.throttled and self._throttle(account):
            return _throttling(service, environ, start_response)
        if service == "sts" and environ.get("REQUEST_METHOD") == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            form = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
            if form.get("Action") == "AssumeRole":
                refusal = _refuse_assume(form.get("RoleArn", ""), form.get("ExternalId"))
                if refusal:
                    return _query_error(start_response, "403 Forbidden", "AccessDenied", refusal)
        return self.app(environ, start_response)

    def _throttle(self, account: str) -> bool:
        with self._lock:
            self._seen[account] += 1
            hit = (self._seen[account] - 1) % self.throttle_every == 0
            if hit:
                self.throttles[account] += 1
            return hit


def _credential_scope(auth: str) -> tuple[str, str]:
    """(access key id, service) of a SigV4 ``Authorization`` header."""
    marker = "Credential="
    if marker not in auth:
        return "", ""
    scope = auth.split(marker, 1)[1].split(",", 1)[0].split("/")
    return (scope[0], scope[3]) if len(scope) >= 5 else (scope[0], "")


def _account_of(access_key: str) -> str:
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def _refuse_assume(arn: str, external_id: str | None) -> str:
    """Why AWS would refuse this AssumeRole ("" if it would not): a missing role, an external id mismatch."""
    from moto.iam.models import iam_backends

    parts = arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("role/"):
        return f"{arn} is not a role ARN"
    try:
        role = iam_backends[parts[4]]["aws"].get_role_by_arn(arn)
    except Exception:  # moto's NotFound: AWS answers AccessDenied, not NoSuchEntity
        return f"not authorized to perform: sts:AssumeRole on resource: {arn}"
    document = role.assume_role_policy_document
    policy = json.loads(document) if isinstance(document, str) else document
    wanted = {str(v) for s in policy.get("Statement", []) if s.get("Effect") == "Allow"
              for op in ("StringEquals",) for v in _as_list((s.get("Condition") or {}).get(op, {})
                                                               .get("sts:ExternalId"))}
    if wanted and external_id not in wanted:
        return f"not authorized to perform: sts:AssumeRole on resource: {arn} (external id)"
    return ""


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _query_error(start_response: Any, status: str, code: str, message: str) -> list[bytes]:
    body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>org-gate</RequestId></ErrorResponse>").encode()
    start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
    return [body]


def _throttling(service: str, environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The throttling error in the protocol botocore expects from ``service``."""
    message = "Rate exceeded (sandbox throttling)"
    if environ.get("HTTP_X_AMZ_TARGET") or service in ("lambda", "iot"):
        body = json.dumps({"__type": "ThrottlingException", "message": message}).encode()
        start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1"),
                                           ("x-amzn-ErrorType", "ThrottlingException"),
                                           ("Content-Length", str(len(body)))])
        return [body]
    if service == "s3":
        body = f"<Error><Code>SlowDown</Code><Message>{message}</Message></Error>".encode()
        start_response("503 Slow Down", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]
    if service == "ec2":
        body = (f"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>{message}</Message></Error>"
                "</Errors><RequestID>org-gate</RequestID></Response>").encode()
        start_response("503 Service Unavailable", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]
    return _query_error(start_response, "400 Bad Request", "Throttling", message)


@dataclass
class Member:
    account_id: str
    name: str
    suffix: str
    region: str
    stack: SandboxStack | None = None
    auditor_role: str = ""


@dataclass
class OrgSandbox:
    endpoint: str
    members: list[Member] = field(default_factory=list)

    def accounts_file(self, path: Path, regions: tuple[str, ...], *, outputs: bool = True) -> Path:
        """An accounts file (``--accounts``) naming every member, its role, external id, suffix and outputs."""
        import yaml

        entries = []
        for m in self.members:
            entry: dict[str, Any] = {"account_id": m.account_id, "name": m.name, "regions": list(regions),
                                     "role": role_arn(m.account_id, AUDITOR_ROLE), "external_id": EXTERNAL_ID,
                                     "tags": {"suffix": m.suffix}, "suffix": m.suffix}
            if outputs and m.stack is not None and m.stack.outputs_path is not None:
                entry["outputs"] = str(m.stack.outputs_path)
            entries.append(entry)
        path.write_text(yaml.safe_dump({"version": 1, "accounts": entries}, sort_keys=False))
        return path


def member_credentials(endpoint: str, account_id: str, role: str = ACCESS_ROLE,
                       external_id: str | None = None) -> dict[str, str]:
    """boto3 Session keyword arguments for ``account_id`` (AssumeRole from the management account)."""
    params: dict[str, Any] = {"RoleArn": role_arn(account_id, role), "RoleSessionName": "sandbox-deploy"}
    if external_id:
        params["ExternalId"] = external_id
    answer = SandboxClients(endpoint, "us-east-1").client("sts").assume_role(**params)["Credentials"]
    return {"aws_access_key_id": answer["AccessKeyId"], "aws_secret_access_key": answer["SecretAccessKey"],
            "aws_session_token": answer["SessionToken"]}


def create_organization(endpoint: str, names: list[str]) -> list[tuple[str, str]]:
    """The Organization (management = moto's default account) and its member accounts: [(id, name)]."""
    org = SandboxClients(endpoint, "us-east-1").client("organizations")
    try:
        org.describe_organization()
    except org.exceptions.AWSOrganizationsNotInUseException:
        org.create_organization(FeatureSet="ALL")
    existing = {a["Name"]: a["Id"] for page in org.get_paginator("list_accounts").paginate()
                for a in page["Accounts"]}
    members = []
    for name in names:
        if name not in existing:
            status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
            existing[name] = status["AccountId"]
        members.append((existing[name], name))
    return members


def grant_access_role(endpoint: str, account_id: str) -> None:
    """OrganizationAccountAccessRole in the member, trusting the management account (as Organizations does)."""
    iam = SandboxClients(endpoint, "us-east-1", _bootstrap(endpoint, account_id)).client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:root"}}]}
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=ACCESS_ROLE, AssumeRolePolicyDocument=json.dumps(trust))


def _bootstrap(endpoint: str, account_id: str) -> dict[str, str]:
    """Keys in a member before any role exists there: moto's AssumeRole, bypassing the gate's refusal.

    Only the sandbox's setup does this (AWS creates OrganizationAccountAccessRole itself on CreateAccount).
    """
    from moto.sts.models import sts_backends

    role = sts_backends[MANAGEMENT_ACCOUNT]["aws"].assume_role(
        region_name="us-east-1", role_session_name="sandbox-bootstrap", role_arn=role_arn(account_id, ACCESS_ROLE),
        policy="", duration=3600, external_id="")
    return {"aws_access_key_id": role.access_key_id, "aws_secret_access_key": role.secret_access_key,
            "aws_session_token": role.session_token}


def create_auditor_role(endpoint: str, account_id: str, credentials: dict[str, str]) -> str:
    """The auditor role in a member: auditor-policy.json's read-only actions, trusting the management account
    with the external id (what ``program/auditor_role`` declares)."""
    iam = SandboxClients(endpoint, "us-east-1", credentials).client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:root"},
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}]}
    try:
        arn = iam.create_role(RoleName=AUDITOR_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=AUDITOR_ROLE)["Role"]["Arn"]
    iam.put_role_policy(RoleName=AUDITOR_ROLE, PolicyName="compliance-audit-read-only",
                        PolicyDocument=AUDITOR_POLICY.read_text())
    return arn


def build_org_sandbox(endpoint: str, members: list[tuple[str, str, str]], workdir: Path, *,
                      auditor_role: bool | set[str] = True) -> OrgSandbox:
    """``members``: [(name, suffix, region)]; the program deployed into each, outputs under ``workdir``.

    ``auditor_role``: True for every member, or the set of member names that get one (a test leaves one out).
    Needs an in-process moto server (``start_server(middleware=OrgGate)``): setup reaches moto's backends.
    """
    sandbox = OrgSandbox(endpoint)
    accounts = create_organization(endpoint, [name for name, _, _ in members])
    for (account_id, name), (_, suffix, region) in zip(accounts, members, strict=True):
        grant_access_role(endpoint, account_id)
        credentials = member_credentials(endpoint, account_id)
        outputs = workdir / name / "outputs.json"
        stack = deploy("dev", suffix, endpoint=endpoint, region=region, outputs_path=outputs,
                       credentials=credentials)
        member = Member(account_id, name, suffix, region, stack)
        if auditor_role is True or name in auditor_role:
            member.auditor_role = create_auditor_role(endpoint, account_id, credentials)
        sandbox.members.append(member)
    return sandbox


ORG_REGIONS = ("sa-east-1", "ap-southeast-1")  # the program's approved regions (GOV-02)
ACCOUNTS_FILE = "accounts.yaml"


def org_members(count: int) -> list[tuple[str, str, str]]:
    """``count`` members (name, suffix, region): plant-1.., suffixes plant1.., every third in ap-southeast-1."""
    return [(f"plant-{i}", f"plant{i}", ORG_REGIONS[1] if i % 3 == 2 else ORG_REGIONS[0]) for i in range(1, count + 1)]


def serve_org(endpoint: str, count: int, directory: Path) -> Path:
    """Build the organization sandbox into the in-process server at ``endpoint``; returns its accounts file."""
    sandbox = build_org_sandbox(endpoint, org_members(count), directory)
    return sandbox.accounts_file(directory / ACCOUNTS_FILE, ORG_REGIONS)
