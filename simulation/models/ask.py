"""Ask a base model for a reply of a pydantic type: the model layer's narrow interface for analysis.

The calls go through the same layer as the personas' (structured output as the backend supports
it, the response cache, retries, usage records), so asking the same questions again pays nothing.
"""

from __future__ import annotations

__all__ = ["Answer", "StructuredModel", "StructuredSession"]

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from skins.core import parse_json_model
from skins.simulation.models.cache import ResponseCache
from skins.simulation.models.chat import build_chat_model
from skins.simulation.models.client import CallRecord, ModelClient, RunCalls, TransientModelError
from skins.simulation.models.spec import ModelSpec
from skins.simulation.models.structured import choose_strategy, reply_schema

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Answer(Generic[M]):
    """A parsed reply, or why there is none, with the usage of the calls it took."""

    reply: M | None
    error: str | None = None
    """Why there is no reply: the retries ran out, or no reply fit the type after the repairs."""
    calls: tuple[CallRecord, ...] = ()
    """One record per call made for this answer (a cached one cost nothing)."""


class StructuredModel:
    """One base model answering with replies of pydantic types.

    ``chat`` replaces the chat model built from ``spec`` (tests inject faults this way); every call's
    record also goes to ``on_call``. A permanent failure (bad key, unknown model) raises
    :class:`FatalModelError`; anything else comes back as an :class:`Answer` without a reply.
    """

    def __init__(
        self,
        spec: ModelSpec,
        cache: ResponseCache | None = None,
        on_call: Callable[[CallRecord], None] | None = None,
        chat: BaseChatModel | None = None,
    ) -> None:
        self.spec = spec
        self.cache = cache
        self.on_call = on_call
        self.strategy = choose_strategy(spec)
        self.chat = chat or build_chat_model(spec, seed=0)
        self._given = chat is not None
        self._loop: asyncio.AbstractEventLoop | None = _running_loop()

    def session(self) -> StructuredSession:
        """A sequence of questions whose calls are numbered from 0. The number is part of each call's
        cache key: one session per unit of work (a transcript), so asking its questions again in a
        new session is served from the cache."""
        loop = _running_loop()
        if loop is not self._loop and not self._given:
            # each event loop (a sync caller's run_sync per transcript) gets its own chat model: an HTTP
            # client's connections stay bound to the loop that opened them
            self.chat, self._loop = build_chat_model(self.spec, seed=0), loop
        return StructuredSession(self)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class StructuredSession:
    """The calls of one unit of work; see :meth:`StructuredModel.session`."""

    def __init__(self, model: StructuredModel) -> None:
        self._model = model
        self._records: list[CallRecord] = []
        self._client = ModelClient(model.spec, model.chat, RunCalls(seed=0, cache=model.cache, sink=self._record))

    def _record(self, record: CallRecord) -> None:
        self._records.append(record)
        if self._model.on_call is not None:
            self._model.on_call(record)

    async def ask(
        self,
        system: str,
        user: str,
        reply: type[M],
        schema: dict[str, Any] | None = None,
        *,
        role: str = "judge",
        turn: int = 0,
        repairs: int = 0,
    ) -> Answer[M]:
        """Ask for a ``reply``; a reply that does not fit is sent back with the error ``repairs`` times.

        ``schema`` (default: ``reply``'s, :func:`reply_schema`) may narrow it, e.g. to known ids;
        ``role`` and ``turn`` label the call records.
        """
        messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(user)]
        schema = reply_schema(reply) if schema is None else schema
        first, error = len(self._records), ""
        for _ in range(repairs + 1):
            try:
                answered = await self._client.complete(messages, self._model.strategy, schema, role, turn)
            except TransientModelError as exc:
                return Answer(None, str(exc), tuple(self._records[first:]))
            text = answered.text  # a judge's own reasoning is not kept
            try:
                return Answer(parse_json_model(text, reply), None, tuple(self._records[first:]))
            except ValueError as exc:
                error = str(exc)
                repair = HumanMessage(f"That reply was not usable: {exc}. Reply with the JSON only.")
                messages = [*messages, AIMessage(text), repair]
        return Answer(None, error, tuple(self._records[first:]))
