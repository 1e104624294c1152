"""A tiny HTTP proxy on 127.0.0.1 in front of the sandbox that injects faults as real HTTP answers.

botocore parses what the proxy answers exactly as it parses AWS: an
``AccessDeniedException`` or ``ThrottlingException`` in the service's own wire
protocol (JSON, query XML, EC2 XML, REST-JSON, REST-XML), a success that lacks
what the API always answers, a connection that goes away, or a slow answer. Requests are matched by the service named in their
SigV4 credential scope (``Credential=AKID/<date>/<region>/<service>/aws4_request``)
and optionally by operation; everything else is forwarded to the sandbox.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import botocore.session

SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
SIGNING_NAMES = {"monitoring": "cloudwatch", "execute-api": "iot"}


@dataclass
class Fault:
    """Answer requests to ``service`` (and, if given, ``operation``) with an error ``code``.

    With ``body`` the answer is a success (``status``, usually 200) carrying that body instead:
    a well-formed answer that lacks what the API always returns (``{}`` for a JSON listing).
    """

    service: str
    code: str  # e.g. AccessDeniedException, ThrottlingException
    status: int
    operation: str = ""
    message: str = "injected by the test proxy"
    body: str | None = None


@dataclass
class ProxyState:
    faults: list[Fault] = field(default_factory=list)
    delay_seconds: float = 0.0
    down_after: int | None = None  # after this many forwarded requests the endpoint goes away
    forwarded: int = 0
    injected: list[str] = field(default_factory=list)  # service:Operation of every faulted request
    dropped: int = 0
    went_down: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _protocols() -> dict[str, str]:
    session = botocore.session.get_session()
    protocols = {}
    for name in ("kms", "dynamodb", "kinesis", "logs", "secretsmanager", "cloudtrail", "sqs", "rds", "elasticache",
                 "iam", "sts", "ec2", "lambda", "iot", "s3", "resourcegroupstaggingapi"):
        model = session.get_service_model(name)
        protocols[model.signing_name or name] = model.protocol
    return protocols


PROTOCOLS = _protocols()


def _operation(handler: BaseHTTPRequestHandler, body: bytes) -> str:
    target = handler.headers.get("X-Amz-Target", "")
    if target:
        return target.rsplit(".", 1)[-1]
    match = re.search(rb"(?:^|&)Action=([A-Za-z]+)", body)
    return match.group(1).decode() if match else ""


def error_answer(protocol: str, code: str, message: str, status: int) -> tuple[int, dict[str, str], bytes]:
    """An error in the service's wire protocol, as botocore's parsers expect it."""
    if protocol == "json":
        return status, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(
            {"__type": code, "message": message}).encode()
    if protocol == "rest-json":
        return status, {"Content-Type": "application/json", "x-amzn-ErrorType": code}, json.dumps(
            {"message": message}).encode()
    if protocol == "ec2":
        return status, {"Content-Type": "text/xml"}, (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            "<RequestID>proxy</RequestID></Response>").encode()
    if protocol == "rest-xml":
        return status, {"Content-Type": "application/xml"}, (
            f"<Error><Code>{code}</Code><Message>{message}</Message></Error>").encode()
    return status, {"Content-Type": "text/xml"}, (  # query
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>proxy</RequestId></ErrorResponse>").encode()


def _handler(upstream: str, state: ProxyState) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with state.lock:
                down = state.down_after is not None and state.forwarded >= state.down_after
                if down:
                    state.dropped += 1
            if down:  # the endpoint goes away: this request gets no answer, later ones no connection
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                state.went_down.set()
                return
            if state.delay_seconds:
                time.sleep(state.delay_seconds)
            match = SCOPE.search(self.headers.get("Authorization", ""))
            service = SIGNING_NAMES.get(match.group(1), match.group(1)) if match else ""
            operation = _operation(self, body)
            fault = next((f for f in state.faults if f.service == service and f.operation in ("", operation)), None)
            if fault is not None:
                with state.lock:
                    state.injected.append(f"{service}:{operation}")
                if fault.body is not None:
                    self._answer(fault.status, {"Content-Type": "application/x-amz-json-1.0"}, fault.body.encode())
                else:
                    self._answer(*error_answer(PROTOCOLS.get(service, "query"), fault.code, fault.message,
                                               fault.status))
                return
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
            with state.lock:
                state.forwarded += 1
            headers = {k: v for k, v in answer.getheaders()
                       if k.lower() not in ("connection", "transfer-encoding", "content-length")}
            connection.close()
            self._answer(answer.status, headers, payload)

        def _answer(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _any

    return Handler


class FaultProxy:
    """``with FaultProxy(upstream) as proxy: proxy.endpoint ...``; mutate ``proxy.state`` to inject faults."""

    def __init__(self, upstream: str, state: ProxyState | None = None) -> None:
        self.state = state or ProxyState()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream, self.state))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._closing = threading.Lock()
        self._closed = False

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        threading.Thread(target=self._close_when_down, daemon=True).start()
        return self

    def _close_when_down(self) -> None:
        """Once the endpoint has gone down, stop listening: new connections are refused."""
        self.state.went_down.wait()
        self.close()

    def close(self) -> None:
        with self._closing:
            if not self._closed:
                self._closed = True
                self._server.shutdown()
                self._server.server_close()

    def __exit__(self, *exc_info: object) -> None:
        self.state.went_down.set()
        self.close()
