"""The standalone local server and the FaultProxy, seen through the real openai and langchain-openai clients."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from servers import FaultProxy, start_local_openai_server

from skins.simulation.models import MODEL_NAME

pytestmark = pytest.mark.slow
HI: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]


def _client(proxy: FaultProxy, timeout: float = 60.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.base_url, api_key="x", max_retries=0, timeout=timeout)


def _ask(client: openai.OpenAI) -> str | None:
    reply = client.chat.completions.create(model="smollm2", messages=HI, max_tokens=4)
    return reply.choices[0].message.content


def test_standalone_server_answers_langchain_openai(local_server_url: str) -> None:
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(base_url=local_server_url, api_key="sk-dummy", model="smollm2", max_tokens=6, temperature=0)
    reply = model.invoke("Name a colour.")
    assert isinstance(reply.content, str) and reply.content.strip()
    assert reply.usage_metadata is not None and reply.usage_metadata["input_tokens"] > 0
    assert reply.response_metadata["model_name"] == MODEL_NAME


def test_server_process_is_gone_after_the_context() -> None:
    with start_local_openai_server() as url, urllib.request.urlopen(url + "/models", timeout=10) as reply:
        assert json.load(reply)["data"][0]["id"] == MODEL_NAME
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/models", timeout=10)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (503, openai.InternalServerError),
        (401, openai.AuthenticationError),
    ],
    ids=["429", "500", "503", "401"],
)
def test_injected_status_reaches_the_client(fault_proxy: FaultProxy, code: int, error: type[Exception]) -> None:
    fault_proxy.status(code)
    with pytest.raises(error) as caught:
        _ask(_client(fault_proxy))
    assert isinstance(caught.value, openai.APIStatusError) and caught.value.status_code == code
    assert (fault_proxy.requests, fault_proxy.upstream_calls) == (1, 0)


def test_429_carries_a_readable_retry_after(fault_proxy: FaultProxy) -> None:
    fault_proxy.status(429, headers={"Retry-After": "7"})
    with pytest.raises(openai.RateLimitError) as caught:
        _ask(_client(fault_proxy))
    assert caught.value.response.headers["retry-after"] == "7"


def test_401_with_an_openai_error_body(fault_proxy: FaultProxy) -> None:
    body = {
        "error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}
    }
    fault_proxy.status(401, body=json.dumps(body))
    with pytest.raises(openai.AuthenticationError, match="Incorrect API key provided") as caught:
        _ask(_client(fault_proxy))
    assert caught.value.code == "invalid_api_key"


def test_delay_past_the_client_timeout_is_a_timeout(fault_proxy: FaultProxy) -> None:
    fault_proxy.delay(600)  # released (as a reset) when the fixture closes the proxy
    with pytest.raises(openai.APITimeoutError):
        _ask(_client(fault_proxy, timeout=0.5))
    assert fault_proxy.upstream_calls == 0


def test_reset_is_a_connection_error(fault_proxy: FaultProxy) -> None:
    fault_proxy.reset()
    with pytest.raises(openai.APIConnectionError) as caught:
        _ask(_client(fault_proxy))
    assert not isinstance(caught.value, openai.APITimeoutError)
    assert fault_proxy.upstream_calls == 0


def test_truncated_body_fails_json_parsing(fault_proxy: FaultProxy) -> None:
    """The openai client does not wrap this one: the raw json.JSONDecodeError escapes."""
    fault_proxy.truncate()
    with pytest.raises(json.JSONDecodeError):
        _ask(_client(fault_proxy))
    assert fault_proxy.upstream_calls == 1


@pytest.mark.parametrize("text", ["", '{"thinking": "x"}'], ids=["empty", "json"])
def test_content_replaces_the_reply_text(fault_proxy: FaultProxy, text: str) -> None:
    fault_proxy.content(text)
    assert _ask(_client(fault_proxy)) == text
    assert fault_proxy.upstream_calls == 1


def test_faults_apply_in_order_then_requests_pass_untouched(fault_proxy: FaultProxy) -> None:
    fault_proxy.status(503)
    fault_proxy.reset()
    client = _client(fault_proxy)
    assert client.models.list().data[0].id == MODEL_NAME  # not a chat completion: forwarded, no fault used
    assert fault_proxy.pending == 2
    with pytest.raises(openai.InternalServerError):
        _ask(client)
    with pytest.raises(openai.APIConnectionError):
        _ask(client)
    reply = _ask(client)
    assert isinstance(reply, str) and reply
    assert (fault_proxy.requests, fault_proxy.upstream_calls, fault_proxy.pending) == (4, 2, 0)
