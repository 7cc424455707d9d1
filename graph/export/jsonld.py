"""JSON-LD of the graph, compacted with the published context (ontology/context.jsonld).

The context is embedded in the output, so that rdflib, pyld and any other
JSON-LD processor read it without fetching anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import OntologyError
from ..io import dump_json
from ..merge import merge_documents
from ..model import DocResult
from ..rdf.build import build_graph
from ..settings import Settings

__all__ = ["CONTEXT_FILE", "read_context", "jsonld_text"]

CONTEXT_FILE = "context.jsonld"


def read_context(path: Path | None = None) -> dict[str, Any]:
    """Read the JSON-LD context object (the value of its "@context").

    Raises:
        OntologyError: the file is missing or not a JSON-LD context.
    """
    path = path or Settings().ontology.with_name(CONTEXT_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["@context"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OntologyError(f"{path}: not a JSON-LD context ({exc})") from exc


def jsonld_text(
    results: Iterable[DocResult], *, context: dict[str, Any] | None = None
) -> str:
    """Build the graph of `results` and write it as compacted JSON-LD.

    Nodes, values and keys are sorted: the same input gives the same bytes.
    """
    context = context or read_context()
    graph = build_graph(merge_documents(list(results)))
    data = json.loads(
        graph.serialize(format="json-ld", context=context, auto_compact=True)
    )
    nodes = data.get("@graph", [data] if "id" in data else [])
    return dump_json({"@context": context, "@graph": _sorted(nodes)})


def _sorted(value: Any) -> Any:
    """Sort every array: the context has no @list, so arrays are unordered sets."""
    if isinstance(value, dict):
        return {key: _sorted(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value
