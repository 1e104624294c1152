"""The auditor role alone: ``pulumi up`` it in every member account (docs/organization.md).

Config (``pulumi config set``): ``trustedAccountId`` (the security account, 12
digits), ``externalId`` (2-1224 characters), and optionally
``environmentSuffix`` (default ``audit``: the role is ``role-auditor-audit``,
the audit's default ``--role-name``), ``owner`` and ``dataClassification``.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # program/: naming, components (as program/ runs)

import pulumi  # noqa: E402
from components.auditor_role import AuditorRole  # noqa: E402
from naming import Naming  # noqa: E402

config = pulumi.Config()
trusted = config.require("trustedAccountId")
external_id = config.require("externalId")
if not re.fullmatch(r"[0-9]{12}", trusted):
    raise ValueError(f"trustedAccountId {trusted!r}: the security account's 12-digit id")
if not re.fullmatch(r"[\w+=,.@:/-]{2,1224}", external_id):
    raise ValueError("externalId: 2-1224 characters of letters, digits and +=,.@:/-_")
naming = Naming(config.get("environmentSuffix") or "audit", config.get("owner") or "security",
                config.get("dataClassification") or "confidential")
auditor = AuditorRole("auditor", naming=naming, trusted_account_id=trusted, external_id=external_id)
pulumi.export("auditorRoleArn", auditor.role.arn)
pulumi.export("auditorRoleName", auditor.role.name)
