"""A reasoning model's OpenAI-compatible server on 127.0.0.1: every shape a reasoning trace comes in.

``ReasoningServer`` answers ``POST /v1/chat/completions`` and ``POST /v1/responses`` with each role's
scripted turn (a JSON decision) and its reasoning; the request's ``model`` picks how the reasoning is sent:

- ``reasoning-content``: beside the content as ``reasoning_content`` (vLLM/SGLang with a reasoning parser,
  DeepSeek); ``reasoning-field``: as ``reasoning`` (vLLM's newer key);
- ``think``: a leading ``<think>…</think>`` block in the content (R1 distills, Qwen3);
- ``think-cut``: an unclosed ``<think>`` block, cut off with ``finish_reason: "length"``;
  ``reasoning-cut``: ``reasoning_content`` and no content, cut off the same way (the trace ate max_tokens);
- any model on ``/v1/responses``: a Responses-API reply whose ``reasoning`` item carries a summary.

The role comes from the system prompt (``role id "dana"``). Every request's prompt is kept
(:attr:`ReasoningServer.prompts`), so a test can show what each persona was shown. Standard library only.
"""

from __future__ import annotations

__all__ = ["ReasoningServer", "StubTurn"]

import json
import math
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_ROLE = re.compile(r'role id \\?"([A-Za-z0-9_]+)\\?"')


@dataclass(frozen=True)
class StubTurn:
    """What one role answers every time: its reasoning trace and its JSON decision."""

    reasoning: str
    decision: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Prompt:
    """One request as the server received it: endpoint, model, role, the text it sent, and its body."""

    endpoint: str
    model: str
    role: str
    text: str
    body: dict[str, Any]


class ReasoningServer:
    """The stub server; a context manager with ``base_url`` (``http://127.0.0.1:PORT/v1``)."""

    def __init__(self, turns: dict[str, StubTurn]) -> None:
        self.turns = turns
        """Role -> its turn; a role not listed answers with a short note and a reasoning naming itself."""
        self.prompts: list[Prompt] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="reasoning-server", daemon=True
        )
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def prompts_of(self, role: str) -> list[str]:
        """The text of every request made for ``role``, in order."""
        with self._lock:
            return [p.text for p in self.prompts if p.role == role]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> ReasoningServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _turn(self, endpoint: str, body: dict[str, Any]) -> tuple[StubTurn, str]:
        text = json.dumps(body.get("messages", body.get("input", [])))
        found = _ROLE.search(text)
        role = found.group(1) if found else ""
        with self._lock:
            self.prompts.append(Prompt(endpoint, str(body.get("model", "")), role, text, body))
        turn = self.turns.get(role) or StubTurn(
            reasoning=f"Reasoning of {role}: nothing here concerns me.",
            decision={"thinking": f"{role} has nothing to add.", "messages": [{"to": ["all"], "text": "Noted."}]},
        )
        return turn, text

    def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        turn, prompt = self._turn("chat", body)
        model = str(body.get("model", ""))
        decision = json.dumps(turn.decision)
        message: dict[str, Any] = {"role": "assistant", "content": decision}
        finish = "stop"
        if model == "reasoning-content":
            message["reasoning_content"] = turn.reasoning
        elif model == "reasoning-field":
            message["reasoning"] = turn.reasoning
        elif model == "think":
            message["content"] = f"\n<think>\n{turn.reasoning}\n</think>\n\n{decision}"
        elif model == "think-cut":
            message["content"], finish = f"<think>\n{turn.reasoning} Then again, perhaps", "length"
        elif model == "reasoning-cut":
            message["content"], message["reasoning_content"], finish = "", turn.reasoning, "length"
        completion = _tokens(str(message["content"])) + _tokens(str(message.get("reasoning_content", "")))
        return {
            "id": "chatcmpl-reasoning-stub",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": _tokens(prompt),
                "completion_tokens": completion,
                "total_tokens": _tokens(prompt) + completion,
            },
        }

    def responses(self, body: dict[str, Any]) -> dict[str, Any]:
        """A Responses-API reply: a reasoning item with its summary, then the assistant's message."""
        turn, prompt = self._turn("responses", body)
        decision = json.dumps(turn.decision)
        summary = [{"type": "summary_text", "text": turn.reasoning}]
        reasoning = {"id": "rs_stub", "type": "reasoning", "summary": summary}
        message = {
            "id": "msg_stub",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": decision, "annotations": []}],
        }
        used_in, used_out = _tokens(prompt), _tokens(decision) + _tokens(turn.reasoning)
        return {
            "id": "resp_stub",
            "object": "response",
            "created_at": 0,
            "status": "completed",
            "error": None,
            "incomplete_details": None,
            "instructions": None,
            "metadata": {},
            "model": body.get("model", ""),
            "output": [reasoning, message],
            "parallel_tool_calls": True,
            "temperature": None,
            "tool_choice": "auto",
            "tools": [],
            "top_p": None,
            "reasoning": body.get("reasoning"),
            "usage": {
                "input_tokens": used_in,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": used_out,
                "output_tokens_details": {"reasoning_tokens": _tokens(turn.reasoning)},
                "total_tokens": used_in + used_out,
            },
        }


def _tokens(text: str) -> int:
    return math.ceil(len(text.encode()) / 4)


def _handler(server: ReasoningServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            path = self.path.split("?", 1)[0]
            if path == "/v1/chat/completions":
                self._send(200, server.chat(body))
            elif path == "/v1/responses":
                self._send(200, server.responses(body))
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet test output

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
