"""Write the graph files of a build from its identified results, one document at a time.

For each document (in input order) its entities take
their names across the corpus (graph/merge.py), and its triples are built
(graph/rdf/build.py). They go into the document's named graph (an N-Quads
shard) and into the default graph, which holds the merged graph: every fact
of every document, so the ready queries, which read the default graph, need
no `GRAPH` clause. From there:

- `graph.nt`: the default graph, sorted N-Triples (as before);
- `graph.nq`: the default graph, then each document's named graph;
- `store/`: `graph.nq` bulk-loaded by pyoxigraph (named graphs kept);
- `graph.ttl` and `graph.trig`: written by pyoxigraph from the store;
- `graph.html`: the view, from the default graph.

Beside the results, only the default graph's lines are held in memory (to
sort them), never an rdflib graph of the corpus before the view.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import Graph

from .errors import OntologyError
from .io import write_atomic
from .model import DocResult, EntityType
from .outputs import OUTPUT_NAMES
from .progress import Progress
from .rdf.namespaces import PREFIXES, new_graph
from .shards import document_triples, quad_lines, shard_name

__all__ = ["write_dataset", "prefix_map"]


def prefix_map() -> dict[str, str]:
    """Return the prefixes of new_graph() as plain strings, for pyoxigraph."""
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def write_dataset(
    results: list[DocResult],
    folder: Path,
    *,
    names: dict[tuple[EntityType, str], str],
    with_store: bool,
    with_quads: bool,
    progress: Progress,
    shapes: Path | None = None,
) -> tuple[int, int]:
    """Write every graph file of `results` (identified, in input order) into `folder`.

    With `shapes`, the default graph is also validated with pyshacl (rdflib).
    Returns the number of triples of the default graph and of named quads.

    Raises:
        OntologyError: the graph does not conform to `shapes`.
    """
    from .sparql.store import dump_store, load_store

    nq_path = folder / OUTPUT_NAMES["nquads"]
    named = folder / ".named.nq"
    default: set[str] = set()
    quads = 0
    progress.stage("building the graph", total=len(results))
    with open(named, "w", encoding="utf-8", newline="\n") as sink:
        for result in results:
            doc = result.doc
            lines = document_triples(result, names)
            default.update(lines)
            text = quad_lines(lines, doc)
            sink.write(text)
            quads += len(lines)
            if with_quads:
                shard = folder / OUTPUT_NAMES["shards"] / shard_name(doc)
                write_atomic(shard, text)
            progress.advance()
    progress.close()
    ordered = sorted(default)
    del default
    nt_path = folder / OUTPUT_NAMES["ntriples"]
    with open(nt_path, "w", encoding="utf-8", newline="\n") as sink:
        for line in ordered:
            sink.write(line + "\n")
    triples = len(ordered)
    del ordered  # the view reads graph.nt again: one copy at a time
    progress.stage("writing N-Quads and the store")
    _concatenate(nq_path, [nt_path, named])
    named.unlink()
    store = folder / OUTPUT_NAMES["store"]
    load_store(nq_path, store)
    progress.close()
    progress.stage("writing Turtle and TriG")
    prefixes = prefix_map()
    dump_store(
        store, folder / OUTPUT_NAMES["turtle"], prefixes=prefixes, default_only=True
    )
    if with_quads:
        dump_store(
            store, folder / OUTPUT_NAMES["trig"], prefixes=prefixes, default_only=False
        )
    else:
        nq_path.unlink()
    if not with_store:
        shutil.rmtree(store)
    progress.close()
    graph = _write_view(folder, progress, whole=shapes is not None)
    if shapes is not None:
        _validate(graph, shapes, progress)
    return triples, quads


def _concatenate(target: Path, parts: list[Path]) -> None:
    """Write the files `parts`, one after the other, into `target`."""
    with open(target, "wb") as out:
        for part in parts:
            with open(part, "rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)


def _write_view(folder: Path, progress: Progress, *, whole: bool) -> Graph:
    """Write graph.html from graph.nt; return the graph it read.

    Unless the `whole` graph is wanted (for SHACL), only the triples whose
    predicate the view reads are parsed (a third fewer, in a third less time).
    """
    from .view.html import render_html
    from .view.select import VIEW_TERMS

    progress.stage("writing the HTML view")
    graph = new_graph()
    source = folder / OUTPUT_NAMES["ntriples"]
    if whole:
        graph.parse(source, format="nt")
    else:
        wanted = {f"<{term}>" for term in VIEW_TERMS}
        part = folder / ".view.nt"
        with (
            open(source, encoding="utf-8", newline="\n") as lines,
            open(part, "w", encoding="utf-8", newline="\n") as sink,
        ):
            sink.writelines(line for line in lines if _predicate(line) in wanted)
        graph.parse(part, format="nt")
        part.unlink()
    write_atomic(folder / OUTPUT_NAMES["html"], render_html(graph))
    progress.close()
    return graph


def _predicate(line: str) -> str:
    """The predicate of an N-Triples line (no term but a literal holds a space).

    Examples:
        >>> _predicate('<s> <p> "a b" .')
        '<p>'
    """
    return line.split(" ", 2)[1]


def _validate(graph: Graph, shapes: Path, progress: Progress) -> None:
    from .rdf.shapes import validate_graph

    progress.stage("validating with SHACL")
    conforms, report = validate_graph(graph, shapes)
    progress.close()
    if not conforms:
        lines = [line.strip() for line in report.splitlines() if line.strip()]
        detail = next((line for line in lines if line.startswith("Message:")), "")
        raise OntologyError(f"the graph does not conform to {shapes.name}: {detail}")
