"""The auditor's own IAM policy: read-only, and exactly the actions an audit calls.

Every API call of an audit is recorded through botocore's ``before-call`` event
on the session the audit is given. The audited stack is arranged so that
every read path runs: the drift stack (whose Redis group has a member cluster
to follow) with a customer-managed policy attached to a role (read with the
roles, from GetAccountAuthorizationDetails). Only an attached AWS-managed
policy is read on its own (iam:GetPolicy, iam:GetPolicyVersion), and moto holds
none (the sandbox's gap): test_audit_units proves those two calls with
botocore's Stubber instead.
"""

from __future__ import annotations

import json
import re

import boto3

from compliance.audit.aws import RetryPolicy
from compliance.audit.gaps import load_gaps
from compliance.audit.organization import ORGANIZATION_ONLY_ACTIONS
from compliance.audit.permissions import POLICY_PATH, iam_action, policy_actions
from compliance.audit.runner import AuditRequest, run_audit
from compliance.audit.scope import Scope
from compliance_tests.audit.audit_runs import MOTO_READ_GAPS
from compliance_tests.audit.conftest import stack_client

READ_ONLY = re.compile(r"^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$")


def test_policy_is_read_only():
    document = json.loads(POLICY_PATH.read_text())
    assert document["Version"] == "2012-10-17"
    assert all(s["Effect"] == "Allow" and s["Resource"] == "*" for s in document["Statement"])
    assert all(READ_ONLY.match(action) for action in policy_actions()), sorted(policy_actions())


def test_an_audit_calls_exactly_the_policys_actions(drift_stack):
    iam = stack_client(drift_stack, "iam")
    role, name = f"role-processor-{drift_stack.suffix}", f"policy-readonly-{drift_stack.suffix}"
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "arn:aws:logs:*:*:log-group:*"}]}))[
        "Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    called: set[str] = set()
    session.events.register("before-call", lambda model, **_: called.add(
        iam_action(model.service_model.service_name, model.name)))
    try:
        result = run_audit(session, AuditRequest(
            regions=(drift_stack.region,), scope=Scope(drift_stack.suffix), endpoint_url=drift_stack.endpoint,
            retry=RetryPolicy(max_attempts=2), gaps=load_gaps([drift_stack.gaps_path, MOTO_READ_GAPS])))
    finally:
        iam.detach_role_policy(RoleName=role, PolicyArn=arn)
        iam.delete_policy(PolicyArn=arn)
    assert result.complete and not [f for f in result.findings if f.status == "error"]
    assert called - policy_actions() == set(), "the audit called actions the auditor policy does not grant"
    # ec2:DescribeRegions: an organization audit's region check (compliance.audit.organization), not one account's
    aws_managed_policy_reads = {"iam:GetPolicy", "iam:GetPolicyVersion"}  # none in moto: see the module's docstring
    assert policy_actions() - called == set(ORGANIZATION_ONLY_ACTIONS) | aws_managed_policy_reads, \
        "the auditor policy grants actions no audit calls"
