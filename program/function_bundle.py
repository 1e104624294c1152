"""A function's deployment package: refused on a real update until its dependencies are bundled.

Each function imports its own dependencies from ``vendor/`` (the processor:
jsonschema-rs, orjson and redis; the Redis AUTH rotation function: redis),
which its ``build.sh`` fills from the pins in its ``requirements.txt``.
Deploying a code directory without them (or with other versions) would ship a
function that fails on its first import: the processor would leave every
Kinesis record to be retried until it expires, the rotation would fail at its
first step. So an update (``pulumi up``) is refused with the command that fixes
it. Previews, and the harness's offline runs, archive the directory as it is:
they never run the code. The sandbox, which deploys but never invokes the
functions, sets ``requireProcessorBundle: false`` (the key covers both bundles).
"""

from __future__ import annotations

import re
from pathlib import Path

import pulumi

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s#]+)")


class BundleError(ValueError):
    """The code directory is not deployable as it is; the message names the fix."""


def pinned_requirements(function_dir: Path) -> dict[str, str]:
    """The function's bundled dependencies, ``{distribution name: version}``, from requirements.txt."""
    pins = {}
    for line in (function_dir / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def missing_from_bundle(function_dir: Path) -> list[str]:
    """The pinned ``name==version`` that vendor/ does not hold (pip writes ``<name>-<version>.dist-info``)."""
    vendor = function_dir / "vendor"
    return [
        f"{name}=={version}"
        for name, version in pinned_requirements(function_dir).items()
        if not (vendor / f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}.dist-info").is_dir()
    ]


def function_code(function_dir: Path, *, require_bundle: bool) -> pulumi.FileArchive:
    """The code archive; on an update with ``require_bundle``, only once build.sh has run."""
    if require_bundle and not pulumi.runtime.is_dry_run():
        missing = missing_from_bundle(function_dir)
        if missing:
            build = function_dir.relative_to(function_dir.parents[2]) / "build.sh"
            raise BundleError(
                f"the {function_dir.name} function's dependencies are not bundled ({', '.join(missing)} missing "
                f"from vendor/): run {build} before pulumi up"
            )
    return pulumi.FileArchive(str(function_dir))
