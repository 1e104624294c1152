"""The compliance harness: render, gate, scan, sandbox, audit and report the IoT platform.

Every stage is a subcommand of ``python -m compliance`` that reads and writes files
(see ``compliance.cli``); the shared formats live in ``graph``, ``findings`` and
``catalog``; exit codes in ``errors``.

The controls' decision modules and the catalog reader live in the policy pack's
folder (``policies/controls/``), which must stay self-contained for ``pulumi policy
publish``; the harness imports them from there as the top-level package ``controls``.
"""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
POLICIES_DIR = REPO_ROOT / "policies"

if str(POLICIES_DIR) not in sys.path:
    sys.path.insert(0, str(POLICIES_DIR))
