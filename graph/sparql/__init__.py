"""SPARQL: ready queries, the guard, the store, result formats, the endpoint.

Names are imported lazily, so that the endpoint's worker processes, which
import only `graph.sparql.workers`, never load rdflib.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["run_query", "format_table", "open_store", "write_store", "make_server"]

_HOMES = {
    "run_query": "query",
    "format_table": "query",
    "open_store": "store",
    "write_store": "store",
    "make_server": "server",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_HOMES[name]}", __name__), name)
