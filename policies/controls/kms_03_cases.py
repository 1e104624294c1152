"""KMS-03 cases: wildcard grants in the key's own policy or a KeyPolicy resource, and the deletion window's bounds."""

import json

from controls.cases import case, ref, resource

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ROOT = {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*", "Resource": "*"}
WINDOW_NOT_LIVE = ("the deletion window is set only when a deletion is scheduled (ScheduleKeyDeletion), and AWS shows "
                   "nothing of it before: the live layer judges the key policy alone")
WINDOW_REFUSED = "AWS accepts deletion windows of 7 to 30 days only"


def document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [ROOT, *statements]})


def grant(principal, condition=None, effect="Allow", element="Principal", actions=("kms:Decrypt", "kms:DescribeKey")):
    statement = {"Sid": "Wide", "Effect": effect, element: principal, "Action": list(actions), "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


def key(window=7, **inputs):
    if window is not None:
        inputs["deletionWindowInDays"] = window
    return resource("key", KEY, description="KMS-03 case", enableKeyRotation=True,
                    tags={"Environment": "{suffix}", "Name": "kms-kms03-{id}-{suffix}"}, **inputs)


def policy_case(name, expect, *statements, **details):
    return case(name, "KMS-03", expect, "key", key(policy=document(*statements)), **details)


def window_case(name, expect, window, **details):
    return case(name, "KMS-03", expect, "key", key(window), **details)


CASES = [
    case("kms-03-default-key-policy", "KMS-03", "pass", "key", key(),
         why="AWS's default key policy grants the account root only"),
    policy_case("kms-03-account-root-only", "pass"),
    policy_case("kms-03-wildcard-principal-without-condition", "fail", grant("*")),
    policy_case("kms-03-aws-wildcard-principal-without-condition", "fail", grant({"AWS": "*"})),
    policy_case("kms-03-wildcard-principal-with-caller-account", "pass",
                grant({"AWS": "*"}, {"StringEquals": {"kms:CallerAccount": "123456789012"}}),
                why="the AWS-managed keys' pattern: anyone, but only through the account"),
    policy_case("kms-03-wildcard-deny-without-condition", "pass", grant("*", effect="Deny", actions=["kms:Decrypt"]),
                why="a Deny grants nothing (it denies Decrypt only: a key that denies DescribeKey to everyone "
                    "cannot be audited)"),
    policy_case("kms-03-service-principal-without-condition", "pass",
                grant({"Service": "logs.sa-east-1.amazonaws.com"})),
    policy_case("kms-03-not-principal-allow", "fail",
                grant({"AWS": "arn:aws:iam::123456789012:role/role-other-cases"}, element="NotPrincipal"),
                why="NotPrincipal grants everyone it does not name",
                not_live="KMS requires every key policy statement to name its principals (Principal)"),
    case("kms-03-key-policy-resource-wildcard", "KMS-03", "fail", "key", key(),
         resource("policy", KEY_POLICY, keyId=ref("key", "id"), policy=document(grant({"AWS": "*"}))),
         why="a KeyPolicy resource replaces the key's policy: the key is open to anyone"),
    case("kms-03-key-policy-resource-account-only", "KMS-03", "pass", "key", key(),
         resource("policy", KEY_POLICY, keyId=ref("key", "id"), policy=document())),
    window_case("kms-03-window-7-days", "pass", 7, gaps={"live": WINDOW_NOT_LIVE}),
    window_case("kms-03-window-30-days", "pass", 30, gaps={"live": WINDOW_NOT_LIVE}),
    window_case("kms-03-window-absent", "pass", None, why="AWS waits 30 days", gaps={"live": WINDOW_NOT_LIVE}),
    window_case("kms-03-window-6-days", "fail", 6, not_live=WINDOW_REFUSED),
    window_case("kms-03-window-31-days", "fail", 31, not_live=WINDOW_REFUSED),
]
