"""Deploy the program into a sandbox: run it under ``SandboxMocks`` and write its stack outputs.

``deploy`` is what ``sandbox up`` does after the server answers, and what tests
and the main job call directly.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from compliance.engine import project_name, run_program, stack_config
from compliance.errors import EvaluationError, HarnessError
from compliance.findings import write_json_atomic
from compliance.sandbox.clients import SandboxClients
from compliance.sandbox.mocks import SandboxMocks
from compliance.sandbox.registry import Deployment, Gap

# The engine's mocks are process-wide: one deploy at a time per process.
_DEPLOY_LOCK = threading.Lock()
GAPS_FILE = "gaps.json"
GAPS_VERSION = 2
GAPS_ABOUT = ("API calls whose answer this sandbox (moto) cannot make faithful, per resource: pass this file to "
              "`compliance audit --known-gaps` against the sandbox only; a finding decided with one of the listed "
              "fields is not_applicable with the reason, never a pass")
LEFTOVER_TIMEOUT_SECONDS = 30.0


@dataclass
class SandboxStack:
    """One stack deployed into a sandbox.

    ``outputs`` is what ``pulumi stack output --json`` would print (secrets as
    ``"[secret]"``); ``gaps`` what moto could not emulate (see ``Gap``);
    ``resources`` every custom resource created, as ``{urn, type, name, id}``.
    """

    stack: str
    suffix: str
    region: str
    endpoint: str
    account_id: str
    outputs: dict[str, Any]
    gaps: list[Gap]
    resources: list[dict[str, str]]
    seconds: float
    outputs_path: Path | None = None
    gaps_path: Path | None = None
    _clients: SandboxClients | None = field(default=None, repr=False, compare=False)
    credentials: dict[str, str] | None = field(default=None, repr=False, compare=False)  # a member account's

    def client(self, service: str) -> Any:
        """A boto3 client for this stack's sandbox, account and region (dummy credentials, few retries)."""
        if self._clients is None:
            self._clients = SandboxClients(self.endpoint, self.region, self.credentials)
        return self._clients.client(service)


def gaps_document(gaps: list[Gap]) -> dict[str, Any]:
    """gaps.json: what ``audit --known-gaps`` reads (version 2: calls and fields, never controls)."""
    return {"version": GAPS_VERSION, "about": GAPS_ABOUT, "gaps": [gap.to_json() for gap in gaps]}


def account_of(endpoint: str, region: str, credentials: dict[str, str] | None = None) -> str:
    """The sandbox's account ID; an error naming the fix when nothing answers at ``endpoint``."""
    try:
        return SandboxClients(endpoint, region, credentials).client("sts").get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as exc:
        raise EvaluationError(
            f"no sandbox answers at {endpoint} ({type(exc).__name__}); start one with "
            "`python -m compliance sandbox up --detach`") from None


def deploy(stack: str = "dev", suffix: str | None = None, *, endpoint: str, region: str | None = None,
           outputs_path: Path | None = None, credentials: dict[str, str] | None = None) -> SandboxStack:
    """Deploy ``program/`` for ``stack`` into the sandbox at ``endpoint``.

    ``suffix`` overrides the stack's ``environmentSuffix`` (several suffixes can
    live in one sandbox), ``region`` its ``aws:region``. With ``outputs_path``,
    writes the outputs there and the gaps to ``gaps.json`` beside it (both
    atomically). Raises ``EvaluationError`` (unhandled type, API failure,
    unreachable sandbox) or ``UsageError`` (bad stack config). ``credentials``
    deploy into another account of the sandbox (a member account's AssumeRole keys).
    """
    # The sandbox deploys the processor but never runs its code: no bundled dependencies needed.
    overrides: dict[str, Any] = {"requireProcessorBundle": "false"}
    if suffix:
        overrides["environmentSuffix"] = suffix
    if region:
        overrides["aws:region"] = region
    config = stack_config(stack, overrides)
    region = config.get("aws:region") or "us-east-1"
    result = deploy_program(stack, config, endpoint=endpoint, region=region, credentials=credentials)
    if outputs_path is not None:
        result.outputs_path = Path(outputs_path)
        result.gaps_path = result.outputs_path.with_name(GAPS_FILE)
        write_json_atomic(result.gaps_path, gaps_document(result.gaps))
        write_json_atomic(result.outputs_path, result.outputs)
    return result


def deploy_program(stack: str, config: dict[str, str], *, endpoint: str, region: str,
                   main: Callable[[], None] | None = None, credentials: dict[str, str] | None = None) -> SandboxStack:
    """Deploy a program (``program/``, or ``main``) with ``config`` into the sandbox at ``endpoint``."""
    started = time.perf_counter()
    deployment = Deployment(SandboxClients(endpoint, region, credentials), account_of(endpoint, region, credentials))
    mocks = SandboxMocks(deployment, region)
    with _DEPLOY_LOCK:
        try:
            run = run_program(stack, mocks, config=config, main=main, preview=False)
        except HarnessError as exc:
            # The engine drops the failed run's pending tasks; wait for its in-flight creations.
            mocks.wait_idle(LEFTOVER_TIMEOUT_SECONDS)
            raise type(exc)(deployment.redact(str(exc))) from exc.__cause__
    _refuse_secrets_in(run.outputs, deployment)
    return SandboxStack(
        stack=stack, suffix=config.get(f"{project_name()}:environmentSuffix", ""), region=region,
        endpoint=endpoint, account_id=deployment.account_id, outputs=run.outputs,
        gaps=sorted(deployment.gaps, key=lambda g: (g.resource_type, g.name, g.api, g.resource)),
        resources=[{"urn": r.urn, "type": r.type, "name": r.name, "id": r.id,
                    "arn": str(r.outputs.get("arn", "")), "physicalName": _physical_name(r.outputs)}
                   for r in run.registrations if r.custom],
        seconds=time.perf_counter() - started, credentials=credentials,
    )


def _physical_name(outputs: dict[str, Any]) -> str:
    return next((str(outputs[k]) for k in ("name", "bucket", "functionName", "clusterIdentifier",
                                           "replicationGroupId", "identifier") if outputs.get(k)), "")


def _refuse_secrets_in(outputs: dict[str, Any], deployment: Deployment) -> None:
    """No secret value leaves the sandbox in outputs: the program must export secrets as secrets."""
    text = json.dumps(outputs)
    if deployment.redact(text) != text:
        leaking = sorted(k for k, v in outputs.items() if deployment.redact(json.dumps(v)) != json.dumps(v))
        raise EvaluationError(f"stack outputs {', '.join(leaking)} carry a secret value in plain text; "
                              "export them with pulumi.Output.secret")
