"""Overhead of our `local` backend over the raw runtime it wraps, on one full persona turn.

Both sides get the same request: the sales rep's system prompt and first observation in
acme_quarter_end, the bounded turn schema as a JSON-schema response format, temperature 0,
a fixed seed and the same token cap. "raw" calls xllamacpp's chat handler directly; "ours"
goes through LLMMind -> ModelClient (limits, retries, usage) -> ChatLocal, with the
response cache off. Reported: generated tokens per second (median over repeats, alternating
sides) and our overhead in percent of the raw time.

Run: .venv/bin/python benchmarks/local_model.py [--repeats 5] [--max-tokens 256]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

from skins.simulation.engine import deliver
from skins.simulation.minds import LLMMind
from skins.simulation.models import (
    CallRecord,
    ChatLocal,
    LocalServerSettings,
    ModelClient,
    ModelSpec,
    RunCalls,
    get_local_server,
    request_kwargs,
    turn_schema,
)
from skins.worlds import Message, WorldState, initial_knowledge, render_observation, render_system_prompt
from skins.worlds.library import load_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=256)
    args = parser.parse_args()
    world = load_world("acme_quarter_end")
    spec, role = world.spec, "dana"
    event = spec.events[0]
    msg = Message(
        index=0,
        turn=1,
        sender=event.from_,
        to=list(event.to),
        text=event.text,
        asks_about=event.asks_about,
        scripted=True,
    )
    state = WorldState.replay(spec, [*initial_knowledge(spec), msg, *deliver(spec, msg)])
    view = state.view_for(role, 1)
    persona = world.personas[role]
    system = render_system_prompt(persona, spec, role, world.personas)
    user = render_observation(view, spec, world.personas)
    schema = turn_schema(spec, role, persona)
    server = get_local_server(LocalServerSettings())
    raw_request = {
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        "temperature": 0.0,
        "max_tokens": args.max_tokens,
        "seed": 0,
        "repeat_penalty": 1.1,
        **request_kwargs("json_schema", schema),
    }
    settings = ModelSpec(backend="local", temperature=0.0, max_tokens=args.max_tokens, seed=0, repairs=0)
    records: list[CallRecord] = []
    model = ChatLocal(settings=LocalServerSettings(), temperature=0.0, max_tokens=args.max_tokens, seed=0)

    def raw() -> tuple[float, int]:
        start = time.perf_counter()
        response = server.chat(raw_request)
        return time.perf_counter() - start, int(response["usage"]["completion_tokens"])

    def ours() -> tuple[float, int]:
        calls = RunCalls(seed=0, cache=None, sink=records.append)
        mind = LLMMind(role, persona, spec, world.personas, ModelClient(settings, model, calls))
        start = time.perf_counter()
        asyncio.run(mind.decide(view, random.Random(0)))
        return time.perf_counter() - start, records[-1].output_tokens

    raw()  # warm up the server (model load, first graph build)
    results: dict[str, list[tuple[float, int]]] = {"raw": [], "ours": []}
    for _ in range(args.repeats):
        results["raw"].append(raw())
        results["ours"].append(ours())
    for side, runs in results.items():
        tps = statistics.median(tokens / seconds for seconds, tokens in runs)
        secs = statistics.median(seconds for seconds, _ in runs)
        print(f"{side:4s}: median {secs:.3f} s per turn, {runs[0][1]} tokens generated, {tps:.1f} tokens/s")
    raw_s = statistics.median(s for s, _ in results["raw"])
    ours_s = statistics.median(s for s, _ in results["ours"])
    print(
        f"overhead: {100 * (ours_s - raw_s) / raw_s:+.2f}% of the raw time ({1000 * (ours_s - raw_s):+.1f} ms per turn)"
    )


if __name__ == "__main__":
    main()
