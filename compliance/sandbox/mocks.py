"""Pulumi mocks that deploy: each registration creates the resource in the sandbox with boto3.

``new_resource`` is called from the engine's registration threads in
dependency order with resolved inputs (the Kinesis stream's ``kmsKeyId`` is the
real ARN of the key created before it), dispatches to the handler registered
for the type token and returns the real ID and outputs. Component resources
pass through; a custom resource type with no handler is an error naming it.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

import compliance.sandbox.handlers  # noqa: F401 (registers the handlers)
from compliance.errors import EvaluationError, HarnessError
from compliance.sandbox import invokes
from compliance.sandbox.registry import HANDLERS, Context, Deployment, Inputs


def as_secret(value: Any) -> dict[str, Any]:
    """A value in the engine's wire form for a secret, so the program's Output stays secret."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def _contains_secret(value: Any) -> bool:
    if rpc.is_rpc_secret(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return False


class SandboxMocks(Mocks):
    def __init__(self, deployment: Deployment, region: str) -> None:
        self.deployment = deployment
        self.region = region
        self._in_flight = 0
        self._failed = False
        self._idle = threading.Condition()

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if not args.custom:
            return "", {}
        with self._idle:
            if self._failed:  # the run is failing: create nothing more
                raise EvaluationError(f"sandbox: {args.typ} '{args.name}' not created: the deploy already failed")
            self._in_flight += 1
        try:
            return self._create(args)
        except BaseException:
            with self._idle:
                self._failed = True
            raise
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> None:
        """After a failed run: wait until no handler still runs in the engine's leftover threads."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def _create(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        handler = HANDLERS.get(args.typ)
        if handler is None:
            raise EvaluationError(
                f"the sandbox has no handler for resource type {args.typ} ('{args.name}'); "
                "add one in compliance/sandbox/handlers/")
        raw, secret_inputs = self._unwrap_secrets(dict(args.inputs))
        region = raw.pop("region", None) or self.region  # the provider's per-resource region override
        inputs = Inputs(raw)
        ctx = Context(self.deployment, args.typ, args.name, region)
        try:
            created = handler.create(ctx, inputs)
        except HarnessError as exc:
            raise type(exc)(self.deployment.redact(str(exc))) from None
        except KeyError as exc:
            raise EvaluationError(f"sandbox: {args.typ} '{args.name}' needs input {exc}, which is not set") from None
        except (ClientError, BotoCoreError) as exc:
            message = self.deployment.redact(" ".join(str(exc).split()))
            raise EvaluationError(f"sandbox: could not create {args.typ} '{args.name}': {message}") from None
        except (OSError, TypeError, ValueError, AttributeError) as exc:  # a handler or an input of an unexpected shape
            message = self.deployment.redact(" ".join(str(exc).split()))
            raise EvaluationError(f"sandbox: the handler of {args.typ} '{args.name}' failed: "
                                  f"{type(exc).__name__}: {message}") from None
        unapplied = inputs.unapplied(handler.not_api)
        if unapplied:
            raise EvaluationError(
                f"sandbox: {args.typ} '{args.name}' sets {', '.join(unapplied)}, which its handler does not "
                "apply; extend it in compliance/sandbox/handlers/")
        state = {**raw, **created.outputs}
        for key in secret_inputs | handler.secret_outputs:
            if state.get(key) is not None:
                state[key] = as_secret(state[key])
        return created.id, state

    def _unwrap_secrets(self, inputs: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """Inputs the program marked secret arrive wrapped; handlers get plain values.

        Every secret value is remembered (so it is redacted from errors and refused
        in outputs) and the keys that held one are returned secret in the state.
        """
        secret_keys = {key for key, value in inputs.items() if _contains_secret(value)}
        return {key: self._unwrap(value) for key, value in inputs.items()}, secret_keys

    def _unwrap(self, value: Any, secret: bool = False) -> Any:
        if rpc.is_rpc_secret(value):
            return self._unwrap(rpc.unwrap_rpc_secret(value), True)
        if isinstance(value, dict):
            return {k: self._unwrap(v, secret) for k, v in value.items()}
        if isinstance(value, list):
            return [self._unwrap(v, secret) for v in value]
        if secret:
            self.deployment.remember_secret(value)
        return value

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        try:
            result = invokes.answer(self.deployment, self.region, args.token, dict(args.args))
        except (ClientError, BotoCoreError) as exc:
            raise EvaluationError(f"sandbox: invoke {args.token} failed: {self.deployment.redact(str(exc))}") from None
        for key in invokes.SECRET_RESULTS.get(args.token, ()):
            result[key] = as_secret(result[key])
        return result  # a bare dict: the mock monitor reads a tuple's second item as check failures
