"""The compliance harness: render, gate, scan, sandbox, audit and report the IoT platform.

Every stage is a subcommand of ``python -m compliance`` that reads and writes files
(see ``compliance.cli``); the shared formats live in ``graph``, ``findings`` and
``catalog``; exit codes in ``errors``.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
