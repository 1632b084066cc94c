"""The model layer: base-model settings and everything around one call to a model.

- settings: :class:`ModelSpec`, ``models.yaml`` (:func:`load_models`), aliases (:func:`resolve_model`);
- chat models: :func:`build_chat_model` builds the LangChain chat model of an LLM backend (openai,
  local). A new LLM backend adds its chat model there (``chat.py``); the mind that plays a backend is
  registered in :mod:`skins.simulation.minds` (``register_backend``);
- one call: :class:`ModelClient` (its :class:`Reply`: the text, and the reasoning trace read apart from it,
  :mod:`~skins.simulation.models.reasoning`) with the response cache (:class:`ResponseCache`, :class:`CallKeys`),
  shared limits and the one retry layer (:class:`RetryPolicy`), usage records (:class:`CallRecord`), and
  the spend ledger's interface with the budget (:class:`Ledger`, :class:`CallStart`, :class:`BudgetExceeded`);
- structured output: schemas derived from the pydantic models they feed (:func:`reply_schema`,
  :func:`turn_schema`) and how each server is asked (:func:`choose_strategy`);
- :class:`StructuredModel`: the narrow interface analysis uses (ask for a reply of a pydantic type);
- ``local``: the bundled offline model (SmolLM2 on xllamacpp); :func:`per_sweep`: set-up shared by a sweep's runs.
"""

from skins.simulation.models.ask import Answer, StructuredModel, StructuredSession
from skins.simulation.models.cache import CachedReply, CallKeys, ResponseCache, default_cache_path
from skins.simulation.models.chat import build_chat_model, check_chat_model
from skins.simulation.models.client import CallRecord, FatalModelError, ModelClient, RunCalls, TransientModelError
from skins.simulation.models.limits import (
    CpuGate,
    CpuHold,
    RetryPolicy,
    classify,
    cpu_gate,
    retry_after,
    set_process_share,
)
from skins.simulation.models.local import MODEL_NAME, ChatLocal, LocalServerSettings, get_local_server, locate_gguf
from skins.simulation.models.reachability import reachable
from skins.simulation.models.reasoning import UNCLOSED_THINK, Reply, read_message, read_reply
from skins.simulation.models.scope import per_sweep, sweep_scope
from skins.simulation.models.spec import (
    JUDGE_ALIAS,
    NO_LANGUAGE_MODEL,
    ModelsFile,
    ModelSpec,
    load_models,
    load_models_file,
    parse_model_arg,
    resolve_model,
)
from skins.simulation.models.spend import BudgetExceeded, CallStart, Ledger, SpendEstimate, reserved_input_tokens
from skins.simulation.models.structured import (
    choose_strategy,
    reply_schema,
    request_kwargs,
    tool_args_schema,
    turn_schema,
)

__all__ = [
    "JUDGE_ALIAS",
    "MODEL_NAME",
    "NO_LANGUAGE_MODEL",
    "UNCLOSED_THINK",
    "Answer",
    "BudgetExceeded",
    "CachedReply",
    "CallKeys",
    "CallRecord",
    "CallStart",
    "ChatLocal",
    "CpuGate",
    "CpuHold",
    "FatalModelError",
    "Ledger",
    "LocalServerSettings",
    "ModelClient",
    "ModelSpec",
    "ModelsFile",
    "Reply",
    "ResponseCache",
    "RetryPolicy",
    "RunCalls",
    "SpendEstimate",
    "StructuredModel",
    "StructuredSession",
    "TransientModelError",
    "build_chat_model",
    "check_chat_model",
    "choose_strategy",
    "classify",
    "cpu_gate",
    "default_cache_path",
    "get_local_server",
    "load_models",
    "load_models_file",
    "locate_gguf",
    "parse_model_arg",
    "per_sweep",
    "reachable",
    "read_message",
    "read_reply",
    "reply_schema",
    "request_kwargs",
    "reserved_input_tokens",
    "resolve_model",
    "retry_after",
    "set_process_share",
    "sweep_scope",
    "tool_args_schema",
    "turn_schema",
]
