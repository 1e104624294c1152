"""The CrossGuard policy pack of the IoT sensor platform.

Run by ``pulumi preview --policy-pack policies`` (the CLI starts it through
``python -m pulumi.policy``) or by ``python -m compliance gate`` offline, which
does the same. Constructing ``PolicyPack`` starts the Analyzer gRPC server,
prints its port and blocks until the engine stops the process.

Every policy comes from ``rules/`` and is named after its control in
``controls.yaml``; enforcement levels, severities, remediation steps and config
defaults come from that catalog.
"""

import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rules import build_policies  # noqa: E402 (needs this folder on sys.path)

PolicyPack(
    name="iot-platform-controls",
    description="Controls of the industrial IoT sensor platform, one policy per control concern (controls.yaml).",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
)
