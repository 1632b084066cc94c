"""Real servers for tests: the local model as a subprocess, and a fault-injecting proxy in front of it.

``start_local_openai_server()`` runs ``python -m skins.simulation.models.local serve``
(SmolLM2 over OpenAI-compatible HTTP) and yields its base URL.
``FaultProxy`` forwards to an upstream base URL and applies queued faults to
the next chat-completion requests, so retry and error handling can be tested
against a real model without mocks.

The proxy is stdlib (``http.server`` + ``http.client``; aiohttp is not a
dependency). It buffers whole bodies, so streamed (SSE) replies arrive in one
piece, and it needs a ``Content-Length`` on request bodies (httpx, hence the
openai client, always sends one).
"""

from __future__ import annotations

__all__ = ["FaultProxy", "start_local_openai_server"]

import contextlib
import http.client
import json
import queue
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

_ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def start_local_openai_server(threads: int = 1, timeout: float = 60.0) -> Iterator[str]:
    """Run the local model's standalone server in a subprocess; yield ``http://127.0.0.1:PORT/v1``.

    ``threads`` defaults to 1: on a 2-CPU machine running tests in 2 workers, 2 llama.cpp threads per
    server collapse to a third of the speed. The process is terminated afterwards (killed if it lingers).
    """
    command = [sys.executable, "-m", "skins.simulation.models.local", "serve", "--port", "0", "--threads", str(threads)]
    with tempfile.TemporaryFile(mode="w+") as stderr:
        process = subprocess.Popen(command, cwd=_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            yield _await_ready(process, stderr, timeout)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            assert process.stdout is not None
            process.stdout.close()


def _await_ready(process: subprocess.Popen[str], stderr: IO[str], timeout: float) -> str:
    """The base URL from the server's ``READY <url>`` line; fails with its stderr if it dies or stalls."""
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        line = ""
    if not line.startswith("READY "):
        process.kill()
        process.wait()
        stderr.seek(0)
        raise RuntimeError(
            f"the local model server did not print READY within {timeout} s "
            f"(exit code {process.returncode}; stdout {line!r}); stderr:\n{stderr.read()[-4000:]}"
        )
    return line.split(maxsplit=1)[1].strip()


@dataclass(frozen=True)
class _Status:
    code: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class _Delay:
    seconds: float


@dataclass(frozen=True)
class _Reset:
    pass


@dataclass(frozen=True)
class _Truncate:
    pass


@dataclass(frozen=True)
class _Content:
    text: str


_Fault = _Status | _Delay | _Reset | _Truncate | _Content
_FAULTED_PATH = "/v1/chat/completions"
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "proxy-connection", "upgrade"}


@dataclass
class _Counters:
    requests: int = 0
    upstream_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class FaultProxy:
    """HTTP reverse proxy on 127.0.0.1 with a FIFO of faults for the next ``POST /v1/chat/completions``.

    Each queued fault is used by exactly one chat-completion request, in order; other requests, and
    chat completions with nothing queued, are forwarded untouched. Use as a context manager::

        with FaultProxy(upstream_base_url) as proxy:
            proxy.status(429, headers={"Retry-After": "3"})
            client = openai.OpenAI(base_url=proxy.base_url, api_key="x", max_retries=0)
    """

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"upstream must be an http:// base URL such as http://127.0.0.1:8000/v1, got {upstream!r}")
        self._upstream_host = parts.hostname
        self._upstream_port = parts.port or 80
        self._upstream_prefix = parts.path.rstrip("/")
        self._faults: queue.SimpleQueue[_Fault] = queue.SimpleQueue()
        self._counters = _Counters()
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, and each test closes its own proxy.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fault-proxy", daemon=True
        )
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
        """Point the client here instead of at the upstream."""

    @property
    def requests(self) -> int:
        """Every request the proxy received."""
        return self._counters.requests

    @property
    def upstream_calls(self) -> int:
        """Requests actually forwarded upstream (faults that answer themselves do not count)."""
        return self._counters.upstream_calls

    @property
    def pending(self) -> int:
        """Faults queued and not yet used."""
        return self._faults.qsize()

    def status(self, code: int, headers: dict[str, str] | None = None, body: str | bytes | None = None) -> None:
        """Answer with ``code`` without calling upstream; the default body is an OpenAI-style error JSON."""
        if body is None:
            body = json.dumps({"error": {"message": f"injected HTTP {code}", "type": "injected", "code": code}})
        raw = body.encode() if isinstance(body, str) else body
        self._faults.put(_Status(code, {"Content-Type": "application/json", **(headers or {})}, raw))

    def delay(self, seconds: float) -> None:
        """Hold the request ``seconds`` (cut short when the proxy closes), then forward it."""
        self._faults.put(_Delay(seconds))

    def reset(self) -> None:
        """Drop the connection (TCP reset) without any response."""
        self._faults.put(_Reset())

    def truncate(self) -> None:
        """Forward, then send only the first half of the body (with a matching Content-Length)."""
        self._faults.put(_Truncate())

    def content(self, text: str) -> None:
        """Forward, then replace ``choices[0].message.content`` with ``text``."""
        self._faults.put(_Content(text))

    def close(self) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _next_fault(self, method: str, path: str) -> _Fault | None:
        with self._counters.lock:
            self._counters.requests += 1
        if method != "POST" or path.split("?", 1)[0] != _FAULTED_PATH:
            return None
        try:
            return self._faults.get_nowait()
        except queue.Empty:
            return None

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, list[Any], bytes]:
        with self._counters.lock:
            self._counters.upstream_calls += 1
        target = self._upstream_prefix + path.removeprefix("/v1") if path.startswith("/v1") else path
        connection = http.client.HTTPConnection(self._upstream_host, self._upstream_port, timeout=300)
        try:
            connection.request(method, target, body=body or None, headers=headers)
            reply = connection.getresponse()
            return reply.status, reply.getheaders(), reply.read()
        finally:
            connection.close()


def _handler_class(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet test output

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fault = proxy._next_fault(self.command, self.path)
            if isinstance(fault, _Status):
                self._send(fault.code, list(fault.headers.items()), fault.body)
                return
            if isinstance(fault, _Reset):
                self._reset()
                return
            if isinstance(fault, _Delay) and proxy._closing.wait(fault.seconds):
                self._reset()
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP | {"accept-encoding"}}
            status, reply_headers, reply = proxy._forward(self.command, self.path, headers, body)
            if isinstance(fault, _Truncate):
                reply = reply[: len(reply) // 2]
            elif isinstance(fault, _Content):
                data = json.loads(reply)
                data["choices"][0]["message"]["content"] = fault.text
                reply = json.dumps(data).encode()
            self._send(status, reply_headers, reply)

        def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            with contextlib.suppress(OSError):  # the client may have given up (e.g. after a delay)
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def _reset(self) -> None:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

    return Handler
