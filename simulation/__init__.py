"""Simulation: base models, the minds that wear personas, the LangGraph engine, the run store, runs and sweeps.

Sub-packages, bottom to top, each with its public API in its ``__init__``:
``models`` (backends, the call client, retries, cache, the local model) ← ``minds`` (policy, scripted,
LLM) ← ``engine`` (the LangGraph graph) and ``store`` (the SQLite run store) ← ``runs`` (run specs,
executors, sweeps). Nothing is re-exported here, so importing one sub-package loads only what it needs.
"""
