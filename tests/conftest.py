"""Fixtures shared across test packages: real local servers (start-up lives in tests/support/servers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers import FaultProxy, start_local_openai_server


@pytest.fixture(scope="session")
def local_server_url() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT/v1``) of one SmolLM2 server subprocess per test session (per xdist worker)."""
    with start_local_openai_server() as url:
        yield url


@pytest.fixture
def fault_proxy(local_server_url: str) -> Iterator[FaultProxy]:
    """A fresh FaultProxy (empty fault queue, zero counters) in front of the session's local server."""
    with FaultProxy(local_server_url) as proxy:
        yield proxy


@pytest.fixture(autouse=True)
def _no_event_loop_left_running() -> Iterator[None]:
    """A test (or fixture) that leaves an event loop running in this thread breaks every later
    ``asyncio.run`` on the same worker, far from the cause; fail the culprit instead."""
    yield
    import asyncio

    leaked = asyncio.events._get_running_loop()
    assert leaked is None, "this test left an event loop running in the main thread (e.g. playwright's sync API)"
