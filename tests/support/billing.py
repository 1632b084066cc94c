"""A billing OpenAI-compatible server on 127.0.0.1: what a paid endpoint charged, counted on its side.

``BillingServer`` answers ``POST /v1/chat/completions`` with a deterministic turn (a JSON decision
derived from the prompt), reports usage the way OpenAI does, and bills every request it answers with
200 (even when the client is gone by then, as a real API does: the generation ran). Prompt tokens are
the UTF-8 bytes of the message contents / 4, rounded up, plus 4 per message; completion tokens the
reply's bytes / 4. A request whose body never fully arrived (its client was killed while sending it) is not
run and not billed, as with a real API. It can inject HTTP errors for the next requests (an outage) and hold
each request a while (``delay``), so a test can kill a client while calls are in flight. Counters: requests seen,
requests in progress, requests billed and tokens billed. Standard library only.
"""

from __future__ import annotations

__all__ = ["BillingServer", "reply_for"]

import hashlib
import json
import math
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


def reply_for(messages: list[dict[str, Any]]) -> str:
    """The turn the server answers a prompt with: a thought and one message to everyone, from its hash."""
    digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
    return json.dumps(
        {"thinking": f"noted {digest[:8]}", "messages": [{"to": ["all"], "text": f"Status {digest[:6]}."}]}
    )


def _tokens(text: str) -> int:
    return math.ceil(len(text.encode()) / 4)


class BillingServer:
    """An OpenAI-compatible chat endpoint that bills per token; a context manager (``base_url``)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        """Seconds each chat request is held before it is answered (and billed)."""
        self.requests = 0
        """Chat requests received (injected errors included)."""
        self.in_progress = 0
        self.billed_requests = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._errors: deque[int] = deque()
        self._failing: dict[int, int] = {}
        """Request number (1-based) -> the status it is answered with."""
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._httpd = _Quiet(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="billing-server", daemon=True
        )
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def fail_next(self, n: int, status: int = 503) -> None:
        """Answer the next ``n`` chat requests with ``status`` (not billed)."""
        with self._lock:
            self._errors.extend([status] * n)

    def fail_requests(self, first: int, count: int, status: int = 503) -> None:
        """Answer chat requests number ``first`` .. ``first + count - 1`` (counted from 1) with ``status``."""
        with self._lock:
            self._failing.update({n: status for n in range(first, first + count)})

    def billed_usd(self, input_per_mtok: float, output_per_mtok: float) -> float:
        """What the billed tokens cost at these prices (USD per million tokens)."""
        with self._lock:
            return (self.prompt_tokens * input_per_mtok + self.completion_tokens * output_per_mtok) / 1e6

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait until no request is being answered (calls in flight at a client's kill are billed by then)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self.in_progress and time.monotonic() < deadline:
                self._idle.wait(0.05)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> BillingServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
            status = self._errors.popleft() if self._errors else self._failing.pop(self.requests, 200)
            self.in_progress += status == 200
        if status != 200:
            return status, {"error": {"message": f"injected HTTP {status}", "type": "injected", "code": status}}
        try:
            time.sleep(self.delay)
            messages = body.get("messages", [])
            content = reply_for(messages)
            prompt = sum(_tokens(str(m.get("content") or "")) + 4 for m in messages)
            completion = _tokens(content)
            with self._lock:
                self.billed_requests += 1
                self.prompt_tokens += prompt
                self.completion_tokens += completion
        finally:
            with self._idle:
                self.in_progress -= 1
                self._idle.notify_all()
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        created = int(time.time())
        model = body.get("model", "stub")
        return 200, {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [choice],
            "usage": usage,
        }


class _Quiet(ThreadingHTTPServer):
    """Connections a killed client reset are no error of the server's."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _handler(server: BillingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length)
            if len(data) < length:  # the client died while sending: a real API never runs a request it did not get
                self.close_connection = True
                return
            body = json.loads(data or b"{}")
            if self.path.split("?", 1)[0] != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            self._send(*server._answer(body))

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet test output

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:  # the client may be gone (killed while the request was in flight): it is billed all the same
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                self.close_connection = True

    return Handler
