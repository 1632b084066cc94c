"""``python -m skins.simulation.models.local serve``: the bundled model as a standalone OpenAI-compatible
server on loopback, for clients in other processes."""

from __future__ import annotations

__all__ = ["main"]

import argparse
import ipaddress
import signal
import sys
import threading
import urllib.request
from collections.abc import Sequence

from skins.core import BackendError
from skins.simulation.models.local.server import LocalModelError, LocalServer, LocalServerSettings


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _wait_healthy(base_url: str) -> None:
    """Return once the HTTP port answers ``/health`` (xllamacpp listens before Server() returns; this checks)."""
    try:
        with urllib.request.urlopen(base_url.removesuffix("/v1") + "/health", timeout=10):
            pass
    except OSError as exc:  # URLError and HTTPError (a non-2xx reply) included
        raise LocalModelError(f"the local server at {base_url} does not answer /health: {exc}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    """``serve``: a standalone OpenAI-compatible server on loopback; prints ``READY <base_url>``, stops on TERM/INT."""
    parser = argparse.ArgumentParser(
        prog="python -m skins.simulation.models.local", description="The offline SmolLM2 model."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the bundled model over OpenAI-compatible HTTP")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    serve.add_argument("--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)")
    serve.add_argument("--threads", type=int, default=2)
    serve.add_argument("--n-ctx", type=int, default=4096)
    args = parser.parse_args(argv)
    if not _is_loopback(args.host):
        parser.error(f"--host {args.host!r} is not a loopback address; use 127.0.0.1, ::1 or localhost")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = LocalServer(LocalServerSettings(threads=args.threads, n_ctx=args.n_ctx), args.host, args.port)
        _wait_healthy(server.base_url)
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"READY {server.base_url}", flush=True)
    stop.wait()
    del server  # xllamacpp stops its HTTP and decode loops when the Server is freed
    return 0
