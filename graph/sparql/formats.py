"""Serialize query answers: SPARQL JSON/XML/CSV/TSV results, RDF for graphs.

A `QueryResult` from `graph.store.execute` is already capped at `max_rows`, so
the cap holds for every format. Like the store, this module imports pyoxigraph
only (no rdflib), so that a query worker process starts fast.
"""

from __future__ import annotations

import csv
import io
import json
import re
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from ..errors import InputError
from .store import QueryResult, Term

__all__ = ["RESULT_FORMATS", "GRAPH_FORMATS", "media_type", "serialize_result"]

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
# Characters outside XML 1.0's Char production (not even a reference can hold them).
_NOT_XML = re.compile(r"[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


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


def _xml_text(text: str) -> str:
    """Escape text for XML 1.0, which cannot hold most control characters at all.

    They become U+FFFD, so that the document stays well-formed.

    Examples:
        >>> _xml_text("a\\x01<b>\\tc")
        'a\ufffd&lt;b&gt;\\tc'
    """
    return escape(_NOT_XML.sub("\ufffd", text))


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            lang = quoteattr(term.language)
            return f"<literal xml:lang={lang}>{_xml_text(term.value)}</literal>"
        return (
            f"<literal datatype={quoteattr(term.datatype.value)}>"
            f"{_xml_text(term.value)}</literal>"
        )
    return f"<literal>{_xml_text(str(term))}</literal>"


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
