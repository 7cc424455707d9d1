"""The pyoxigraph store: write it, open it, run SPARQL on it, serialize answers.

A store is a folder that pyoxigraph (RocksDB) owns. `open_store` also accepts
a `.ttl`/`.nt` file (loaded into memory) or an output folder holding `store/`,
`graph.nt` or `graph.ttl`. Answers are materialized into a `QueryResult` (at
most `max_rows` rows or triples) and serialized by this module, so that a row
cap holds for every format. This module imports pyoxigraph only (no rdflib at
import time), so that a query worker process starts fast.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Union
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from .errors import InputError, KGError

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "STORE_DIR",
    "GRAPH_FILES",
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "Term",
    "QueryResult",
    "write_store",
    "open_store",
    "find_source",
    "load_file",
    "execute",
    "serialize_result",
    "media_type",
]

logger = logging.getLogger(__name__)

Term = Union[NamedNode, BlankNode, Literal, Triple]  # noqa: UP007 (runtime alias)

STORE_DIR = "store"
GRAPH_FILES = ("graph.nt", "graph.ttl")
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "rdfxml": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD,
}
_SPARQL_NS = "http://www.w3.org/2005/sparql-results#"


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
        _bulk_load(tmp, data=data, fmt=RdfFormat.N_TRIPLES)
        _replace_folder(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("wrote store %s (%d triples)", folder, len(graph))
    return folder


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
) -> QueryResult:
    """Run a SPARQL query; keep at most `max_rows` rows or triples.

    Raises:
        InputError: the query does not parse.
        KGError: the store failed while evaluating it.
    """
    try:
        answer = store.query(query, prefixes=prefixes or {})
        return _materialize(answer, max_rows)
    except SyntaxError as exc:
        raise InputError(f"bad query: {_one_line(str(exc))}") from exc
    except OSError as exc:
        raise KGError(f"query failed: {_one_line(str(exc))}") from exc


def _one_line(message: str, limit: int = 300) -> str:
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def media_type(fmt: str) -> str:
    """Return the media type of a result format name (json, turtle, …)."""
    if fmt in RESULT_FORMATS:
        return RESULT_FORMATS[fmt]
    return GRAPH_FORMATS[fmt].media_type


def serialize_result(
    result: QueryResult, fmt: str, *, prefixes: dict[str, str] | None = None
) -> bytes:
    """Serialize a result as SPARQL JSON/XML/CSV/TSV, or an RDF format for graphs.

    Raises:
        InputError: the format does not fit the kind of result.
    """
    if result.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise InputError(
                f"a graph result cannot be written as {fmt}; "
                f"use one of {', '.join(GRAPH_FORMATS)}"
            )
        return _serialize_graph(result.triples, GRAPH_FORMATS[fmt], prefixes or {})
    if fmt not in RESULT_FORMATS:
        raise InputError(
            f"a {result.kind.upper()} result cannot be written as {fmt}; "
            f"use one of {', '.join(RESULT_FORMATS)}"
        )
    writer = {"json": _to_json, "xml": _to_xml, "csv": _to_csv, "tsv": _to_tsv}[fmt]
    return writer(result).encode("utf-8")


def _serialize_graph(
    triples: tuple[Triple, ...], fmt: RdfFormat, prefixes: dict[str, str]
) -> bytes:
    return serialize(triples, format=fmt, prefixes=prefixes) or b""


def _bound(
    names: tuple[str, ...], row: tuple[Term | None, ...]
) -> list[tuple[str, Term]]:
    return [
        (name, term) for name, term in zip(names, row, strict=True) if term is not None
    ]


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _to_json(result: QueryResult) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
    bindings = [
        {name: _json_term(term) for name, term in _bound(result.variables, row)}
        for row in result.rows
    ]
    data = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(data, ensure_ascii=False) + "\n"


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            lang = quoteattr(term.language)
            return f"<literal xml:lang={lang}>{escape(term.value)}</literal>"
        return (
            f"<literal datatype={quoteattr(term.datatype.value)}>"
            f"{escape(term.value)}</literal>"
        )
    return f"<literal>{escape(str(term))}</literal>"


def _to_xml(result: QueryResult) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<sparql xmlns="{_SPARQL_NS}">']
    if result.kind == "ask":
        lines += ["<head/>", f"<boolean>{str(result.boolean).lower()}</boolean>"]
        return "\n".join(lines + ["</sparql>", ""])
    lines.append("<head>")
    lines += [f"<variable name={quoteattr(name)}/>" for name in result.variables]
    lines += ["</head>", "<results>"]
    for row in result.rows:
        lines.append("<result>")
        lines += [
            f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
            for name, term in _bound(result.variables, row)
        ]
        lines.append("</result>")
    return "\n".join(lines + ["</results>", "</sparql>", ""])


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, (NamedNode, Literal)) else str(term)


def _to_csv(result: QueryResult) -> str:
    if result.kind == "ask":
        return f"{str(result.boolean).lower()}\r\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([_csv_value(term) for term in row] for row in result.rows)
    return buffer.getvalue()


def _to_tsv(result: QueryResult) -> str:
    if result.kind == "ask":
        return f"{str(result.boolean).lower()}\n"
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    for row in result.rows:
        cells = ("" if term is None else str(term).replace("\t", "\\t") for term in row)
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"
