"""The pyoxigraph store: write it, open it, run SPARQL on it.

A store is a folder that pyoxigraph (RocksDB) owns. `open_store` also accepts
a `.ttl`/`.nt` file (loaded into memory) or an output folder holding `store/`,
`graph.nt` or `graph.ttl`. Answers are materialized into a `QueryResult` (at
most `max_rows` rows or triples) and serialized by `graph.sparql.formats`, so that a
row cap holds for every format. This module imports pyoxigraph only (no rdflib
at import time), so that a query worker process starts fast.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Union

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
)

from ..errors import InputError, KGError, QueryError
from ..io import file_mode
from .guard import check_depth, one_line

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "STORE_DIR",
    "GRAPH_FILES",
    "Term",
    "QueryResult",
    "write_store",
    "load_store",
    "dump_store",
    "open_store",
    "find_source",
    "load_file",
    "execute",
]

logger = logging.getLogger(__name__)

Term = Union[NamedNode, BlankNode, Literal, Triple]  # noqa: UP007 (runtime alias)

STORE_DIR = "store"
GRAPH_FILES = ("graph.nt", "graph.ttl")


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A materialized answer: `kind` is "select", "ask" or "graph"."""

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool = False
    triples: tuple[Triple, ...] = ()
    truncated: bool = False


def write_store(graph: Graph, folder: Path) -> Path:
    """Write `graph` as a store at `folder`, built aside and then renamed into place."""
    data = graph.serialize(format="nt11", encoding="utf-8")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.new-"))
    try:
        os.chmod(tmp, file_mode(folder=True))  # mkdtemp's 0700 would hide the store
        _bulk_load(tmp, data=data, fmt=RdfFormat.N_TRIPLES)
        _replace_folder(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("wrote store %s (%d triples)", folder, len(graph))
    return folder


# pyoxigraph's bulk loader holds what it loads in memory (about 1.3 KB a quad);
# loading in slices of this many lines keeps that flat in the size of the file.
BULK_LINES = 100_000


def load_store(source: Path, folder: Path) -> Path:
    """Bulk-load an N-Quads or N-Triples file into a new store at `folder`.

    Named graphs stay named. The file is read in slices of `BULK_LINES`
    lines (one statement a line in both formats), so memory stays flat.
    """
    fmt = RdfFormat.from_extension(source.suffix.lstrip(".").lower())
    if fmt not in (RdfFormat.N_QUADS, RdfFormat.N_TRIPLES):
        raise InputError(f"{source}: not an N-Quads or N-Triples file")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.new-"))
    try:
        os.chmod(tmp, file_mode(folder=True))
        _load_slices(tmp, source, fmt)
        _replace_folder(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _load_slices(folder: Path, source: Path, fmt: RdfFormat) -> None:
    store = Store(str(folder))
    with open(source, "rb") as lines:
        while chunk := b"".join(islice(lines, BULK_LINES)):
            store.bulk_load(input=chunk, format=fmt)
    store.flush()
    del store  # closes RocksDB before the folder is renamed


def dump_store(
    folder: Path, target: Path, *, prefixes: dict[str, str], default_only: bool
) -> None:
    """Write a store as Turtle (its default graph) or TriG (every graph).

    pyoxigraph writes the quads in the order of its indexes, so a store
    loaded from the same file gives the same bytes.
    """
    store = Store.read_only(str(folder))
    fmt = RdfFormat.from_extension(target.suffix.lstrip(".").lower())
    graph = DefaultGraph() if default_only else None
    with open(target, "wb") as handle:
        store.dump(handle, fmt, from_graph=graph, prefixes=prefixes)
    del store


def _bulk_load(
    folder: Path, *, data: bytes | None = None, path: Path | None = None, fmt: RdfFormat
) -> None:
    store = Store(str(folder))
    if path is not None:
        store.bulk_load(path=str(path), format=fmt)
    else:
        store.bulk_load(input=data, format=fmt)
    store.flush()
    del store  # closes RocksDB before the folder is renamed


def _replace_folder(new: Path, folder: Path) -> None:
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.old-"))
        folder.rename(old / folder.name)
    new.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _is_store(folder: Path) -> bool:
    return (folder / "CURRENT").is_file()


def find_source(path: Path) -> Path:
    """Resolve a store folder, graph file or output folder to a store or graph file.

    Raises:
        InputError: when nothing usable is there.
    """
    if path.is_file():
        return path
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    if _is_store(path):
        return path
    if _is_store(path / STORE_DIR):
        return path / STORE_DIR
    for name in GRAPH_FILES:
        if (path / name).is_file():
            return path / name
    raise InputError(f"{path}: not a store, and no {STORE_DIR}/ or {GRAPH_FILES} in it")


def open_store(path: Path, *, writable: bool = False) -> Store:
    """Open a store folder (read-only unless `writable`) or load a graph file.

    `path` may be a store folder, a `.ttl`/`.nt` file (loaded into memory) or
    an output folder holding `store/`, `graph.nt` or `graph.ttl`.
    """
    source = find_source(path)
    if source.is_file():
        return load_file(source)
    try:
        return Store(str(source)) if writable else Store.read_only(str(source))
    except OSError as exc:
        raise InputError(f"{source}: cannot open store ({exc})") from exc


def load_file(path: Path, folder: Path | None = None) -> Store:
    """Load an RDF file into a new store, in memory or (bulk) in `folder`."""
    fmt = RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF format (use .ttl or .nt)")
    try:
        if folder is None:
            store = Store()
            store.load(path=str(path), format=fmt)
            return store
        _bulk_load(folder, path=path, fmt=fmt)
        return Store.read_only(str(folder))
    except SyntaxError as exc:
        raise InputError(f"{path}: not valid {fmt.name} ({exc})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot load ({exc})") from exc


def execute(
    store: Store,
    query: str,
    *,
    prefixes: dict[str, str] | None = None,
    max_rows: int | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
) -> QueryResult:
    """Run a SPARQL query; keep at most `max_rows` rows or triples.

    `default_graphs` and `named_graphs` (IRIs) set the dataset as the
    protocol's `default-graph-uri` and `named-graph-uri` do; they override the
    query's FROM and FROM NAMED. Naming only one of them leaves the other empty.

    A query nested deeper than `graph.sparql.guard.MAX_DEPTH` is refused before it
    reaches the engine, which would crash on it.

    Raises:
        QueryError: the query does not parse, or nests too deeply.
        KGError: the store failed while evaluating it.
    """
    check_depth(query)
    try:
        dataset = _dataset(default_graphs, named_graphs)
        answer = store.query(query, prefixes=prefixes or {}, **dataset)
        return _materialize(answer, max_rows)
    except SyntaxError as exc:
        raise QueryError(f"bad query: {one_line(str(exc))}") from exc
    except OSError as exc:
        raise KGError(f"query failed: {one_line(str(exc))}") from exc


def _dataset(default_graphs: Sequence[str], named_graphs: Sequence[str]) -> dict:
    if not default_graphs and not named_graphs:
        return {}
    try:
        return {
            "default_graph": [NamedNode(iri) for iri in default_graphs],
            "named_graphs": [NamedNode(iri) for iri in named_graphs],
        }
    except ValueError as exc:
        raise QueryError(f"bad graph IRI: {one_line(str(exc))}") from exc


def _materialize(answer: object, max_rows: int | None) -> QueryResult:
    if isinstance(answer, QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    stop = None if max_rows is None else max_rows + 1
    if isinstance(answer, QuerySolutions):
        names = tuple(v.value for v in answer.variables)
        width = range(len(names))
        rows = [tuple(sol[i] for i in width) for sol in islice(answer, stop)]
        cut = max_rows is not None and len(rows) > max_rows
        return QueryResult("select", names, tuple(rows[:max_rows]), truncated=cut)
    triples = list(islice(answer, stop))  # type: ignore[call-overload]
    cut = max_rows is not None and len(triples) > max_rows
    return QueryResult("graph", triples=tuple(triples[:max_rows]), truncated=cut)
