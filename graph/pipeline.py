"""Run the stages over documents: read -> nlp -> extract -> graph -> files."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from .errors import InputError
from .extract import extract
from .io import dump_json, find_documents, read_text, write_atomic, write_results
from .merge import merge_documents
from .model import DocResult
from .nlp import make_nlp
from .rdf import build_graph, serialize
from .settings import Settings

__all__ = ["extract_paths", "build_outputs"]

logger = logging.getLogger(__name__)


def extract_paths(
    inputs: Iterable[Path], settings: Settings
) -> tuple[list[DocResult], list[str]]:
    """Extract every document under `inputs`; unreadable ones become problems."""
    docs, problems = find_documents(inputs)
    results: list[DocResult] = []
    if not docs:
        return results, problems
    nlp = make_nlp(settings)
    bar = tqdm(docs, desc="extracting", unit="doc", disable=not sys.stderr.isatty())
    for path in bar:
        try:
            text = read_text(path)
        except InputError as exc:
            problems.append(str(exc))
            continue
        results.append(extract(nlp(text), path.name))
    return results, problems


def build_outputs(
    inputs: Iterable[Path], settings: Settings, *, with_store: bool = True
) -> tuple[list[DocResult], list[str], dict[str, Path]]:
    """Extract, then write RDF, per-document JSON, the HTML view and the store."""
    from .view import render_html

    results, problems = extract_paths(inputs, settings)
    out = settings.out
    graph = build_graph(merge_documents(results))
    written = {
        "json": out / "json",
        "turtle": out / "graph.ttl",
        "ntriples": out / "graph.nt",
        "html": out / "graph.html",
    }
    write_results(results, written["json"])
    write_atomic(written["turtle"], serialize(graph, "turtle"))
    write_atomic(written["ntriples"], serialize(graph, "nt"))
    write_atomic(written["html"], render_html(graph))
    write_atomic(out / "summary.json", dump_json(_summary(results, len(graph))))
    if with_store:
        from .store import write_store

        written["store"] = write_store(graph, out / "store")
    return results, problems, written


def _summary(results: list[DocResult], triples: int) -> dict[str, object]:
    return {
        "documents": [r.doc for r in results],
        "entities": sum(len(r.entities) for r in results),
        "relations": sum(len(r.relations) for r in results),
        "triples": triples,
    }
