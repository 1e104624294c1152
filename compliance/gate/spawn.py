"""Starting the policy pack's process, the way the Pulumi CLI does, with the standard library only.

The CLI runs a Python pack as ``python -u -m pulumi.policy <engine address> <pack
dir>`` from the pack's folder, with the stack's identity and config in
``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN`` and ``PULUMI_CONFIG``. Kept
apart from ``pack`` (gRPC) so that ``compliance gate`` can start the pack first and
import its own gRPC and protocol modules while the pack starts up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from compliance import REPO_ROOT
from compliance.errors import EvaluationError

PACK_DIR = REPO_ROOT / "policies"
# No engine runs offline; the pack never calls back, but the launcher requires the argument.
NO_ENGINE_ADDRESS = "127.0.0.1:0"


def stack_identity(project: str, stack: str, config: dict[str, str]) -> tuple[str, str, str]:
    """What the pack process was started with; a pack serves only graphs of the same identity."""
    return project, stack, json.dumps(config, sort_keys=True)


def spawn_pack(project: str, stack: str, config: dict[str, str], pack_dir: Path = PACK_DIR) -> subprocess.Popen:
    """Start the pack; it prints its port on stdout (``pack.PackProcess`` reads it and connects)."""
    pack_dir = Path(pack_dir)
    if not (pack_dir / "__main__.py").is_file():
        raise EvaluationError(f"{pack_dir} has no __main__.py; point the gate at the policy pack folder")
    env = {**os.environ, "PULUMI_PROJECT": project, "PULUMI_STACK": stack, "PULUMI_DRY_RUN": "true",
           "PULUMI_CONFIG": json.dumps(config), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(  # noqa: S603 (fixed argv, our own interpreter)
        [sys.executable, "-u", "-m", "pulumi.policy", NO_ENGINE_ADDRESS, str(pack_dir)],
        cwd=pack_dir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,  # Ctrl-C reaches the gate, which then stops the pack itself
    )
