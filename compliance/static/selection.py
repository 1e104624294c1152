"""``scan --checkov-args``: which of our deciding checks the user's arguments deselect, by checkov's own rules.

A control's static verdict is decided by its deciding checks (``CKV_IOT_*``,
``Control.deciding_checks``). Arguments that keep one from running silence the
control, so the scan must know which ones do. Only arguments whose effect is
known are accepted; everything else that could change what checkov loads, scans
or reports (another framework, target or config file, baselines, metadata
filters, hiding passed checks or crashes) is refused with the fix.

Selection follows checkov 3.3's ``RunnerFilter.should_run_check`` for checks
without a severity (offline, none has one): ``--check``/``-c`` items are ``fnmatch``
patterns or severities (a severity selects no check of ours), ``--skip-check``
items likewise (``ID:path-regex`` skips ID for matching files: counted as
deselected), ``--run-all-external-checks`` runs our (external) checks whatever
``--check`` says, and a skip always wins.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from compliance.catalog import Catalog
from compliance.errors import UsageError
from controls.catalog import OUR_CHECKOV_PREFIX

SEVERITIES = {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
CHECK = {"-c", "--check"}
SKIP_CHECK = {"--skip-check"}
ALL_EXTERNAL = "--run-all-external-checks"
# Options that do not change which checks run on which resources, nor what checkov reports about them.
HARMLESS_WITH_VALUE = {"--soft-fail-on", "--hard-fail-on", "--evaluate-variables", "--download-external-modules",
                       "--var-file", "--external-modules-download-path", "--summary-position", "--mask",
                       "--ca-certificate", "-ca"}
HARMLESS_FLAGS = {"-s", "--soft-fail", "--include-all-checkov-policies", "--skip-download", "--compact",
                  "--no-cert-verify", ALL_EXTERNAL}
# Environment variables checkov reads as selection options: never passed to it (only the command line selects).
SELECTION_ENVIRONMENT = ("CKV_CHECK", "CKV_SKIP_CHECK", "CKV_FRAMEWORK", "CKV_POLICY_METADATA_FILTER",
                         "CKV_POLICY_METADATA_FILTER_EXCEPTION", "CKV_SKIP_RESOURCES_WITHOUT_VIOLATIONS",
                         "CKV_NO_FAIL_ON_CRASH", "BC_API_KEY", "PRISMA_API_URL")


def _options(args: list[str]) -> Iterable[tuple[str, str | None]]:
    """(option, value) pairs of a checkov command line, refusing what the scan cannot account for."""
    index = 0
    while index < len(args):
        word = args[index]
        option, _, attached = word.partition("=") if word.startswith("--") else (word, "", "")
        if option in CHECK | SKIP_CHECK | HARMLESS_WITH_VALUE:
            if attached:
                value = attached
            elif index + 1 < len(args) and not args[index + 1].startswith("-"):
                index += 1
                value = args[index]
            else:
                raise UsageError(f"--checkov-args: {option} needs a value (e.g. {option} CKV_AWS_7)")
            yield option, value
        elif option in HARMLESS_FLAGS and not attached:
            yield option, None
        else:
            raise UsageError(f"--checkov-args: {option} is not supported by `compliance scan`: it changes what "
                             "checkov loads, scans or reports, which the scan could not account for; supported: "
                             f"{', '.join(sorted(CHECK | SKIP_CHECK | HARMLESS_WITH_VALUE | HARMLESS_FLAGS))}")
        index += 1


def _items(values: list[str]) -> tuple[list[str], bool]:
    """(check patterns, whether a severity was given) of --check or --skip-check values (comma-separated)."""
    patterns, severity = [], False
    for value in values:
        for item in (part.strip() for part in value.split(",")):
            if item.upper() in SEVERITIES:
                severity = True
            elif item:
                patterns.append(item.split(":", 1)[0])  # ID:path-regex skips ID for some files: count it as skipped
    return patterns, severity


def deselected_checks(args: list[str], catalog: Catalog) -> dict[str, str]:
    """Our deciding check -> its control, for every deciding check ``args`` keeps from running."""
    options = list(_options(args))
    checks, check_severity = _items([v for o, v in options if o in CHECK and v is not None])
    skips, _ = _items([v for o, v in options if o in SKIP_CHECK and v is not None])
    all_external = any(o == ALL_EXTERNAL for o, _ in options)
    restricted = bool(checks) or check_severity
    deselected = {}
    for control in catalog.with_layer("static"):
        for check in control.deciding_checks or control.checkov:  # as compliance.static.results decides
            ours = check.startswith(OUR_CHECKOV_PREFIX)
            runs = (all_external and ours) or not restricted or any(fnmatch.fnmatch(check, p) for p in checks)
            if not runs or any(fnmatch.fnmatch(check, p) for p in skips):
                deselected[check] = control.id
    return deselected
