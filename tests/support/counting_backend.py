"""A test backend for crash tests: a chat model that logs every answered call and replies deterministically.

Run as a script, it is the ``skins`` CLI with the ``counting`` backend registered. Each answered call appends one line
``<seed> <sha256 of the prompt>`` to the file named by ``$SKINS_COUNT_FILE`` (then flushes), so a
test can kill the process after the k-th call and later check that no call was answered twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from skins.simulation.minds import LLMMind, Mind, MindFactory, registered_backend
from skins.simulation.models import ModelClient, ModelSpec, RunCalls
from skins.worlds.library import World


class CountingChat(BaseChatModel):
    seed: int
    delay: float = 0.02

    @property
    def _llm_type(self) -> str:
        return "counting-fake"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        digest = hashlib.sha256("\n".join(str(m.content) for m in messages).encode()).hexdigest()
        time.sleep(self.delay)
        decision = {"thinking": f"noted {digest[:8]}", "messages": [{"to": ["all"], "text": f"Status {digest[:6]}."}]}
        reply = json.dumps(decision)
        with open(os.environ["SKINS_COUNT_FILE"], "a", encoding="utf-8") as fh:
            fh.write(f"{self.seed} {digest}\n")
            fh.flush()
        usage = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply, usage_metadata=usage))])  # type: ignore[arg-type]


def _counting(spec: ModelSpec) -> MindFactory:
    def make(role: str, world: World, calls: RunCalls) -> Mind:
        client = ModelClient(spec, CountingChat(seed=calls.seed), calls)
        return LLMMind(role, world.personas[role], world.spec, world.personas, client)

    return make


if __name__ == "__main__":
    from skins.cli.app import app

    with registered_backend("counting", _counting):
        app()
