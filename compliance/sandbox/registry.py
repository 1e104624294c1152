"""The sandbox's resource handlers: one per Pulumi type token, and what they share.

A handler creates one resource in the sandbox with boto3 and returns its
physical ID and the outputs the provider would report (ARNs, IDs, endpoints)
under Pulumi's property names, so that later resources and the stack outputs
get the real values. Handlers see resolved inputs (camelCase, as the engine
passes them) through ``Inputs``, which notes every key read: an input that no
handler applied is an error rather than a silently dropped setting, unless the
handler declares it ``not_api`` (it only steers the provider, e.g. on delete).

Where moto cannot apply something, the handler creates what it can and records
a ``Gap``: the API call (and the fields of its answer) moto gets wrong for that
resource. The audit reports a finding decided with such a field as
``not_applicable`` with the reason, never as a pass.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from compliance.sandbox.clients import SandboxClients


@dataclass(frozen=True)
class Gap:
    """An API call whose answer the sandbox cannot make faithful for one resource: an entry of gaps.json.

    ``resource_type`` is the Pulumi type token, ``name`` the logical name,
    ``resource`` the ARN (or physical ID) the call is about, ``api`` the call
    (``service:Operation``), ``reason`` what that means. ``fields`` are the
    fields of the call's answer moto gets wrong (drops or misreports): the
    audit reports a finding decided with one of them, on that resource, as
    not_applicable with the reason (``audit --known-gaps``). Without ``fields``
    the call fails in moto or is one the audit never makes (an invocation).
    A gap names calls, never a control: silencing a control is a waiver's job.
    """

    resource_type: str
    name: str
    resource: str
    api: str
    reason: str
    fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"resourceType": self.resource_type, "name": self.name, "resource": self.resource,
                                 "api": self.api, "reason": self.reason}
        if self.fields:
            entry["fields"] = list(self.fields)
        return entry


class Inputs:
    """A resource's resolved inputs that remembers which keys the handler read."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self._read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self._read.add(key)
        value = self._data.get(key)
        return default if value is None else value

    def __getitem__(self, key: str) -> Any:
        self._read.add(key)
        if self._data.get(key) is None:
            raise KeyError(key)
        return self._data[key]

    def unapplied(self, ignored: Iterable[str]) -> list[str]:
        """Keys with a value that the handler neither read nor declared as ``not_api``."""
        skip = self._read | set(ignored)
        return sorted(k for k, v in self._data.items() if k not in skip and v not in (None, {}, []))


@dataclass
class Created:
    """What a handler returns: the physical ID and the provider-computed outputs."""

    id: str
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Deployment:
    """State shared by every handler of one deploy: clients, account, gaps and secret values."""

    clients: SandboxClients
    account_id: str
    gaps: list[Gap] = field(default_factory=list)
    secret_values: set[str] = field(default_factory=set)
    probed: dict[str, bool] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record_gap(self, gap: Gap) -> None:
        with self._lock:
            self.gaps.append(gap)

    def remember_secret(self, value: Any) -> None:
        """Note a secret value so that no error message or output file ever carries it."""
        if isinstance(value, str) and value:
            with self._lock:
                self.secret_values.add(value)

    def redact(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self.secret_values, key=len, reverse=True)
        for value in secrets:
            text = text.replace(value, "[secret]")
        return text


@dataclass
class Context:
    """What one handler call gets: the deployment, and the resource's type, logical name and region."""

    deployment: Deployment
    type: str
    name: str
    region: str

    @property
    def account_id(self) -> str:
        return self.deployment.account_id

    def client(self, service: str) -> Any:
        return self.deployment.clients.client(service, self.region)

    def gap(self, resource: str, api: str, reason: str, *, fields: Iterable[str] = ()) -> None:
        """Record that ``api``'s answer on ``resource`` is not faithful here (in ``fields``, when given)."""
        self.deployment.record_gap(Gap(self.type, self.name, resource, api, reason, tuple(fields)))

    def api_answers(self, api: str, call: Callable[[], Any]) -> bool:
        """Whether the sandbox implements ``api`` (``service:Operation``), probed once per deployment.

        moto answers an API it lacks with HTTP 500; any other answer, errors
        included, means the API exists.
        """
        with self.deployment._lock:
            known = self.deployment.probed.get(api)
        if known is None:
            try:
                call()
                known = True
            except ClientError as exc:
                known = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 500
            with self.deployment._lock:
                self.deployment.probed[api] = known
        return known

    def sensitive(self, value: Any) -> Any:
        self.deployment.remember_secret(value)
        return value

    def autoname(self, prefix: str | None = None) -> str:
        """A physical name as the engine would make one: ``namePrefix`` + unique digits, else name-<7 hex>."""
        if prefix:
            return f"{prefix}{uuid.uuid4().int % 10**26:026d}"
        return f"{self.name}-{uuid.uuid4().hex[:7]}"

    def arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        return f"arn:aws:{service}:{self.region if region is None else region}:{self.account_id}:{resource}"


HandlerFn = Callable[[Context, Inputs], Created]


@dataclass(frozen=True)
class Handler:
    token: str
    create: HandlerFn
    not_api: frozenset[str]
    secret_outputs: frozenset[str]


HANDLERS: dict[str, Handler] = {}


def handles(token: str, *, not_api: Iterable[str] = (), secret_outputs: Iterable[str] = ()):
    """Register ``fn`` as the handler of ``token``.

    ``not_api``: inputs with no create-time API (they steer the provider on
    update or delete, e.g. ``forceDestroy``), accepted without being applied.
    ``secret_outputs``: output properties that are secret (passwords, private
    keys); they go back to the program marked secret and are redacted everywhere.
    """

    def register(fn: HandlerFn) -> HandlerFn:
        if token in HANDLERS:
            raise RuntimeError(f"two sandbox handlers for {token}")
        HANDLERS[token] = Handler(token, fn, frozenset(not_api), frozenset(secret_outputs))
        return fn

    return register


def num(value: Any) -> Any:
    """Numbers reach mocks as floats (``30.0``); boto3 wants ints where the API does."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def tag_list(tags: dict[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in sorted((tags or {}).items())]


def pascal(value: Any, renames: dict[str, str] | None = None) -> Any:
    """camelCase input structures -> the PascalCase shapes most AWS APIs take, ints made ints."""
    renames = renames or {}
    if isinstance(value, dict):
        return {renames.get(k, k[:1].upper() + k[1:]): pascal(v, renames) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [pascal(v, renames) for v in value]
    return num(value)


def compact(**params: Any) -> dict[str, Any]:
    """Keyword arguments for a boto3 call, without the ones left unset."""
    return {k: v for k, v in params.items() if v is not None and v != [] and v != {}}
