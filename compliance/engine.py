"""Run the Pulumi program with no CLI: Pulumi's mocks, a recording monitor, a stack's config.

This is the offline stand-in for the engine that ``pulumi preview`` would be. It
runs ``program/__main__.py`` in-process under ``pulumi.runtime.set_mocks`` with a
``RecordingMonitor`` that keeps every ``RegisterResourceRequest`` (inputs,
options, parent, dependencies, property dependencies), so that ``render`` can
write the resource graph and ``sandbox`` can deploy the same program by plugging
in mocks that create resources for real.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import runpy
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.stack import run_in_stack

from compliance import REPO_ROOT
from compliance.errors import EvaluationError, UsageError

PROGRAM_DIR = REPO_ROOT / "program"
UNKNOWN = rpc.UNKNOWN  # the engine's sentinel for a value not known during preview
SECRET_PLACEHOLDER = "[secret]"


def project_name() -> str:
    return yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())["name"]


def stack_config(stack: str, overrides: dict[str, Any] | None = None) -> dict[str, str]:
    """The stack file's config as the engine passes it in ``PULUMI_CONFIG``.

    Keys without a namespace get the project's; structured values become JSON
    strings, as the CLI does. ``secure:`` values cannot be decrypted offline: that
    is a usage error naming the key.
    """
    path = REPO_ROOT / f"Pulumi.{stack}.yaml"
    if not path.exists():
        stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in REPO_ROOT.glob("Pulumi.*.yaml"))
        raise UsageError(f"no stack file {path.name}; known stacks: {', '.join(stacks)}")
    try:
        raw = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path.name} is not valid YAML: {exc}") from exc
    project = project_name()
    merged = {**raw, **(overrides or {})}
    config: dict[str, str] = {}
    for key, value in merged.items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and "secure" in value:
            raise UsageError(f"{path.name}: {full_key} is an encrypted secret; offline runs cannot decrypt it")
        config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return config


@dataclass
class Registration:
    """One RegisterResourceRequest, in the shape graph.json keeps."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    inputs: dict[str, Any]
    options: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    source: dict[str, Any] | None = None
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """Protobuf Struct JSON -> plain JSON: secrets redacted, references as URNs."""
    if isinstance(value, dict):
        sig = value.get(rpc._special_sig_key)
        if sig == rpc._special_secret_sig:
            return SECRET_PLACEHOLDER
        if sig == rpc._special_resource_sig:
            return value.get("urn", "")
        if sig == rpc._special_asset_sig or sig == rpc._special_archive_sig:
            path = value.get("path")
            return {"archive" if sig == rpc._special_archive_sig else "asset":
                    _relative(path) if path else "<inline>"}
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that keeps every registration and the stack's outputs."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.stack_outputs: dict[str, Any] = {}
        self.sources: dict[tuple[str, str], dict[str, Any]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root Stack out of a child's qualified type; so do we,
        # so that URNs in graph.json are the ones `pulumi preview` shows.
        if parent.split("::")[2:3] == ["pulumi:pulumi:Stack"]:
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = _plain(json_format.MessageToDict(request.object))
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent="" if request.parent.split("::")[2:3] == ["pulumi:pulumi:Stack"] else request.parent,
                inputs=inputs,
                options={
                    "protect": bool(request.protect),
                    "retainOnDelete": bool(request.retainOnDelete),
                    "deleteBeforeReplace": bool(request.deleteBeforeReplace),
                    "ignoreChanges": list(request.ignoreChanges),
                    "additionalSecretOutputs": list(request.additionalSecretOutputs),
                    "replaceOnChanges": list(request.replaceOnChanges),
                    "provider": request.provider,
                },
                dependencies=sorted(set(request.dependencies)),
                property_dependencies={
                    prop: sorted(set(deps.urns)) for prop, deps in sorted(request.propertyDependencies.items())
                },
                source=self.sources.get((request.type, request.name)),
                id=response.id,
                outputs=_plain(json_format.MessageToDict(response.object)),
            )
        )
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802
        if request.urn.split("::")[2] == "pulumi:pulumi:Stack":
            self.stack_outputs = _plain(json_format.MessageToDict(request.outputs))
        return super().RegisterResourceOutputs(request)


def _record_source(monitor: RecordingMonitor):
    """A (legacy, synchronous) stack transformation that notes where each resource is declared.

    It runs inside the resource's constructor, so the innermost frame in
    ``program/`` is the line that declared it; SARIF results point there.
    """

    program_prefix = f"{PROGRAM_DIR}{os.sep}"

    def transformation(args: pulumi.ResourceTransformationArgs):
        # sys._getframe, not inspect.stack: building FrameInfo for every frame doubled render time.
        frame = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(program_prefix) and not filename.endswith("naming.py"):
                monitor.sources[(args.type_, args.name)] = {
                    "file": str(Path(filename).relative_to(REPO_ROOT)),
                    "line": frame.f_lineno,
                }
                break
            frame = frame.f_back
        return None

    return transformation


@contextmanager
def _program_environment(config: dict[str, str]) -> Iterator[None]:
    saved_env = os.environ.get("PULUMI_CONFIG")
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    os.environ["PULUMI_CONFIG"] = json.dumps(config)
    sys.path.insert(0, str(PROGRAM_DIR))
    try:
        yield
    finally:
        if saved_env is None:
            os.environ.pop("PULUMI_CONFIG", None)
        else:
            os.environ["PULUMI_CONFIG"] = saved_env
        sys.path[:] = saved_path
        # The program's top-level modules (config, naming, components...) must not outlive the run:
        # they would shadow same-named modules elsewhere and hide edits from the next render.
        for name in set(sys.modules) - saved_modules:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(str(PROGRAM_DIR)):
                del sys.modules[name]


def _run_main(monitor: RecordingMonitor, main: Callable[[], None] | None) -> None:
    pulumi.runtime.register_stack_transformation(_record_source(monitor))
    if main is None:
        runpy.run_path(str(PROGRAM_DIR / "__main__.py"), run_name="__main__")
    else:
        main()


@dataclass
class ProgramRun:
    stack: str
    project: str
    config: dict[str, str]
    registrations: list[Registration]
    outputs: dict[str, Any]


def run_program(
    stack: str,
    mocks: pulumi_mocks.Mocks,
    *,
    config_overrides: dict[str, Any] | None = None,
    preview: bool = True,
    config: dict[str, str] | None = None,
    main: Callable[[], None] | None = None,
) -> ProgramRun:
    """Run ``program/`` for ``stack`` under ``mocks``; return what it registered.

    ``main`` runs another program in its place (the control case tables declare
    their resources that way), with ``config`` (``PULUMI_CONFIG``'s shape) instead
    of the stack file's. A program error (including the program's own config validation) is raised as
    ``UsageError`` when it is a ``pulumi.RunError``/``ValueError``, else as
    ``EvaluationError``; either way with one line naming the cause.
    """
    config = dict(config) if config is not None else stack_config(stack, config_overrides)
    project = project_name()
    monitor = RecordingMonitor(mocks)

    def run_in_fresh_loop() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        settings.SETTINGS.outputs.clear()  # MockSettings keep a previous run's pending tasks
        try:
            pulumi.runtime.set_all_config(config)
            pulumi_mocks.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
            # set_mocks installs a finished root Stack for unit tests; the program runs in a fresh one,
            # as under the CLI, so that its exports become the stack's outputs.
            settings.set_root_resource(None)
            loop.run_until_complete(run_in_stack(lambda: _run_main(monitor, main)))
        except BaseException:
            _drop_pending_tasks()
            raise
        finally:
            loop.close()
            asyncio.set_event_loop(None)

    with _program_environment(config):
        try:
            _in_own_thread(run_in_fresh_loop)
        except (pulumi.RunError, ValueError) as exc:
            raise UsageError(_first_line(exc)) from exc
        except Exception as exc:
            raise EvaluationError(f"the program failed under the offline engine: {_first_line(exc)}") from exc
    return ProgramRun(stack=stack, project=project, config=config,
                      registrations=monitor.registrations, outputs=monitor.stack_outputs)


def _drop_pending_tasks() -> None:
    """Drop the tasks a failed run leaves pending, now.

    Otherwise the next run in this process awaits them on a closed loop ("Event
    loop is closed"), and their finalizers run at some later garbage collection,
    possibly inside an unrelated ``compile()``, where CPython 3.11.7 fails with
    "SystemError: AST constructor recursion depth mismatch".
    """
    settings.SETTINGS.outputs.clear()
    settings.SETTINGS.rpc_manager.clear()
    gc.collect()


def _in_own_thread(work: Callable[[], None]) -> None:
    """Run ``work`` on a new thread and re-raise what it raised.

    Pulumi's runtime keeps its root resource in a context variable and needs an
    event loop of its own; a fresh thread gives it both, whatever the caller's
    thread is doing (an event loop already running there, as under Playwright's
    sync API or in a notebook, would otherwise make the run fail).
    """
    failure: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised on the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="pulumi-offline-engine", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
