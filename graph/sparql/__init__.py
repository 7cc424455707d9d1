"""SPARQL: ready queries, the guard, the store, result formats, the endpoint.

Names are imported lazily, so that the endpoint's worker processes, which
import only `graph.sparql.workers`, never load rdflib.
"""

from __future__ import annotations

from ..lazy import lazy_exports

__all__ = ["run_query", "format_table", "open_store", "write_store", "make_server"]

_HOMES = {
    "run_query": "query",
    "format_table": "query",
    "open_store": "store",
    "write_store": "store",
    "make_server": "server",
}

__getattr__ = lazy_exports(__name__, _HOMES)
