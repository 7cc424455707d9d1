"""Run SPARQL on the graph: ready queries, parameters, prefixes, readable tables.

Ready queries live in `graph/ontology/queries/<name>.rq`. Each starts with a `#` line
saying what it answers and has no PREFIX lines: the prefixes of `PREFIXES`
are supplied to the engine. A *parameter* is a one-value inline data block
`VALUES ?name { "巨晓林"@zh }`: the value is the default, so every file runs
as it is, and `fill_params` swaps in an escaped literal of the same language
tag or datatype (`--param name=全总` or a positional value, in file order).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat, Store
from rdflib import Graph

from ..errors import InputError, OntologyError
from ..io import read_queries, read_query_file
from .formats import FORMATS, TABLE, find_format, serialize_result
from .guard import find_keywords
from .params import Param, fill_params, find_params
from .prefixes import PREFIX_MAP
from .store import QueryResult, execute, open_store
from .table import format_table, shorten

__all__ = [
    "PREFIX_MAP",
    "OUTPUT_FORMATS",
    "Param",
    "ReadyQuery",
    "parse_ready_query",
    "read_ready_queries",
    "fill_params",
    "prepare_query",
    "find_forbidden",
    "run_query",
    "shorten",
    "format_table",
    "check_format",
    "format_result",
    "parse_params",
    "answer_query",
]

# kg query's choices: its table, then every format of the one registry.
OUTPUT_FORMATS = (TABLE, *FORMATS)


@dataclass(frozen=True, slots=True)
class ReadyQuery:
    """A named query file: what it answers, its text and its parameters."""

    name: str
    summary: str
    text: str
    params: tuple[Param, ...] = ()


def parse_ready_query(name: str, text: str) -> ReadyQuery:
    """Check a `.rq` text (leading `#` line, no PREFIX) and list its parameters.

    Examples:
        >>> q = parse_ready_query("x", '# Who?\\nSELECT * { VALUES ?n { "a"@zh } }')
        >>> q.summary, [(p.name, p.default) for p in q.params]
        ('Who?', [('n', 'a')])
    """
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if not first.startswith("#"):
        raise OntologyError(f"{name}.rq: must start with a '# what it answers' line")
    if re.search(r"^\s*PREFIX\b", text, re.IGNORECASE | re.MULTILINE):
        raise OntologyError(f"{name}.rq: has PREFIX lines; prefixes are supplied")
    return ReadyQuery(name, first.lstrip("#").strip(), text, find_params(text))


def read_ready_queries(folder: Path) -> dict[str, ReadyQuery]:
    """Read and check every `<name>.rq` of `folder`, sorted by name."""
    return {
        name: parse_ready_query(name, text)
        for name, text in read_queries(folder).items()
    }


def prepare_query(
    query: str | None,
    *,
    name: str | None = None,
    params: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    folder: Path,
) -> str:
    """Return SPARQL text from a query string, a `.rq` path or a ready query name."""
    if name is not None:
        ready = read_ready_queries(folder)
        if name not in ready:
            raise InputError(f"no ready query {name!r}; choose from {sorted(ready)}")
        text = ready[name].text
    elif query is None:
        raise InputError("give a query (SPARQL text or a .rq file) or --name")
    elif query.endswith(".rq") or _is_file(query):
        text = read_query_file(Path(query))
    else:
        text = query
    return fill_params(text, params or {}, args)


def _is_file(text: str) -> bool:
    """Tell whether `text` names a file (a long query is no file name, no error)."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def find_forbidden(text: str) -> str | None:
    """Return the first update or SERVICE keyword token of `text`, or None.

    A reading of tokens, for messages: what the endpoint refuses is decided by
    `graph.sparql.guard` on Oxigraph's parse.

    Examples:
        >>> find_forbidden('SELECT * { ?s ?p "DELETE" } # LOAD')
        >>> find_forbidden("DELETE WHERE { ?s ?p ?o }")
        'DELETE'
    """
    words = find_keywords(text)
    return words[0] if words else None


def run_query(
    source: Store | Graph, query: str, *, max_rows: int | None = None
) -> QueryResult:
    """Run SPARQL on a store, or on an rdflib Graph (copied into a store first)."""
    store = source if isinstance(source, Store) else _to_store(source)
    return execute(store, query, prefixes=PREFIX_MAP, max_rows=max_rows)


def _to_store(graph: Graph) -> Store:
    store = Store()
    data = graph.serialize(format="nt11", encoding="utf-8")
    store.load(input=data, format=RdfFormat.N_TRIPLES)
    return store


def check_format(fmt: str) -> str:
    """Return the registry name of a `kg query` format (or `table`).

    Examples:
        >>> check_format("json-ld"), check_format("table")
        ('jsonld', 'table')
    """
    if fmt == TABLE:
        return fmt
    try:
        return find_format(fmt).name
    except InputError:
        choices = ", ".join(OUTPUT_FORMATS)
        raise InputError(f"unknown format {fmt!r}; choose from {choices}") from None


def format_result(result: QueryResult, fmt: str, *, ambiguous: int = 1) -> str:
    """Render a result as a table or in a SPARQL results / RDF format."""
    fmt = check_format(fmt)
    if fmt == TABLE:
        return format_table(result, ambiguous=ambiguous)
    text = serialize_result(result, fmt, prefixes=PREFIX_MAP).decode("utf-8")
    return text if text.endswith("\n") or not text else text + "\n"


def parse_params(items: Sequence[str]) -> dict[str, str]:
    """Turn `key=value` strings into a dict.

    Examples:
        >>> parse_params(["name=巨晓林"])
        {'name': '巨晓林'}
    """
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"bad parameter {item!r}; write key=value")
        params[key.strip()] = value
    return params


def answer_query(
    source: Path,
    query: str | None,
    *,
    fmt: str = "table",
    name: str | None = None,
    params: Sequence[str] = (),
    args: Sequence[str] = (),
    folder: Path,
    ambiguous: int = 1,
) -> str:
    """Open `source`, run a query (text, `.rq` file or ready query) and render it."""
    fmt = check_format(fmt)
    text = prepare_query(
        query, name=name, params=parse_params(params), args=args, folder=folder
    )
    return format_result(run_query(open_store(source), text), fmt, ambiguous=ambiguous)
