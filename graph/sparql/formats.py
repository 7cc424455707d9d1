"""Serialize query answers: SPARQL JSON/XML/CSV/TSV results, RDF for graphs.

A `QueryResult` from `graph.store.execute` is already capped at `max_rows`, so
the cap holds for every format. `FORMATS` is the one registry of output
formats (names, media types, file endings) that `kg query`, the endpoint and
`kg build` share; `negotiate` picks one from an Accept header. Like the
store, this module imports pyoxigraph only (no rdflib), so that a query worker
process starts fast.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from ..errors import InputError
from .store import QueryResult, Term

__all__ = [
    "Format",
    "FORMATS",
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "TABLE",
    "find_format",
    "format_names",
    "media_type",
    "negotiate",
    "serialize_result",
    "compact_jsonld",
]


@dataclass(frozen=True, slots=True)
class Format:
    """One output format: its name, which answers it fits, media types, file ending.

    `kind` is "results" (SELECT and ASK answers) or "graph" (CONSTRUCT and
    DESCRIBE answers, and whole graphs: `kg build`, the Graph Store Protocol).
    `rdflib` names the rdflib serializer `kg build` uses for a graph format.
    """

    name: str
    kind: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()
    media_aliases: tuple[str, ...] = ()
    rdflib: str | None = None
    w3c: str = ""  # its name under http://www.w3.org/ns/formats/ (service description)

    @property
    def media_types(self) -> tuple[str, ...]:
        """Return the main media type, then the others it answers to."""
        return (self.media_type, *self.media_aliases)


# The one registry: `kg query -f`, the endpoint's `format=` and Accept, the
# Graph Store Protocol and `kg build` all read it. Order matters: the first
# format of each kind is the default, and the first to answer `*/*`.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "json",
            "results",
            "application/sparql-results+json",
            "srj",
            media_aliases=("application/json",),
            w3c="SPARQL_Results_JSON",
        ),
        Format(
            "xml",
            "results",
            "application/sparql-results+xml",
            "srx",
            media_aliases=("application/xml", "text/xml"),
            w3c="SPARQL_Results_XML",
        ),
        Format("csv", "results", "text/csv", "csv", w3c="SPARQL_Results_CSV"),
        Format(
            "tsv",
            "results",
            "text/tab-separated-values",
            "tsv",
            w3c="SPARQL_Results_TSV",
        ),
        Format(
            "turtle",
            "graph",
            "text/turtle",
            "ttl",
            aliases=("ttl",),
            media_aliases=("application/x-turtle", "application/turtle"),
            rdflib="longturtle",
            w3c="Turtle",
        ),
        Format(
            "ntriples",
            "graph",
            "application/n-triples",
            "nt",
            aliases=("nt",),
            media_aliases=("text/plain",),
            rdflib="nt11",
            w3c="N-Triples",
        ),
        Format(
            "rdfxml",
            "graph",
            "application/rdf+xml",
            "rdf",
            rdflib="xml",
            w3c="RDF_XML",
        ),
        Format(
            "jsonld",
            "graph",
            "application/ld+json",
            "jsonld",
            aliases=("json-ld",),
            rdflib="json-ld",
            w3c="JSON-LD",
        ),
    )
}
RESULT_FORMATS = {n: f.media_type for n, f in FORMATS.items() if f.kind == "results"}
GRAPH_FORMATS = {n: f.media_type for n, f in FORMATS.items() if f.kind == "graph"}
TABLE = "table"  # kg query's own: an aligned text table (not a media type)
_SPARQL_NS = "http://www.w3.org/2005/sparql-results#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Characters outside XML 1.0's Char production (not even a reference can hold them).
_NOT_XML = re.compile(r"[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def format_names(kind: str | None = None) -> list[str]:
    """List the format names of one kind ("results", "graph") or of all.

    Examples:
        >>> format_names("graph")
        ['turtle', 'ntriples', 'rdfxml', 'jsonld']
    """
    return [n for n, f in FORMATS.items() if kind is None or f.kind == kind]


def find_format(name: str, kind: str | None = None) -> Format:
    """Return the format of a name, alias or media type (of `kind`, if given).

    Examples:
        >>> find_format("nt").name, find_format("application/ld+json").name
        ('ntriples', 'jsonld')

    Raises:
        InputError: no such format, or not one of `kind`.
    """
    key = name.strip().lower()
    for fmt in FORMATS.values():
        if key == fmt.name or key in fmt.aliases or key in fmt.media_types:
            if kind is not None and fmt.kind != kind:
                what = "a SELECT or ASK" if kind == "results" else "a graph"
                raise InputError(
                    f"{what} result cannot be written as {fmt.name}; "
                    f"use one of {', '.join(format_names(kind))}"
                )
            return fmt
    choices = ", ".join(format_names(kind))
    raise InputError(f"unknown format {name!r}; choose from {choices}")


def media_type(fmt: str) -> str:
    """Return the media type of a format name (json, turtle, …)."""
    return find_format(fmt).media_type


def _ranges(accept: str) -> list[tuple[float, int, str]]:
    """Parse an Accept header into (q, position, media range), q > 0 only."""
    ranges = []
    for position, item in enumerate(accept.split(",")):
        media, *options = (part.strip() for part in item.split(";"))
        weight = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media and weight > 0:
            ranges.append((weight, position, media.lower()))
    return ranges


def _fits(media_range: str, fmt: Format) -> bool:
    if media_range == "*/*" or media_range in fmt.media_types:
        return True
    major, _, minor = media_range.partition("/")
    return minor == "*" and fmt.media_type.startswith(f"{major}/")


def negotiate(kind: str, names: list[str], accept: str) -> Format | None:
    """Choose the format of an answer: a fitting `format=` name, else by Accept.

    No Accept header means the default of `kind`; None means nothing the
    client accepts fits (HTTP 406).

    Examples:
        >>> negotiate("results", [], "text/csv;q=0.5, application/json").name
        'json'
        >>> negotiate("graph", [], "text/*").name, negotiate("graph", [], "").name
        ('turtle', 'turtle')
        >>> negotiate("graph", [], "application/sparql-results+json") is None
        True
    """
    for name in names:
        try:
            return find_format(name, kind)
        except InputError:
            continue
    candidates = [f for f in FORMATS.values() if f.kind == kind]
    if not accept.strip():
        return candidates[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    for weight, position, media_range in _ranges(accept):
        for order, fmt in enumerate(candidates):
            # An exact media type beats a wildcard of the same weight.
            exact = 0 if "*" not in media_range else 1
            key = (-weight, exact, position * 100 + order)
            if _fits(media_range, fmt) and (best is None or key < best):
                best, chosen = key, fmt
    return chosen


def serialize_result(
    result: QueryResult, fmt: str, *, prefixes: dict[str, str] | None = None
) -> bytes:
    """Serialize a result as SPARQL JSON/XML/CSV/TSV, or an RDF format for graphs.

    JSON-LD is compacted with a `@context` of `prefixes`.

    Raises:
        InputError: the format does not fit the kind of result.
    """
    kind = "graph" if result.kind == "graph" else "results"
    chosen = find_format(fmt, kind)
    if chosen.name == "jsonld":
        return compact_jsonld(result.triples, prefixes or {}).encode("utf-8")
    if kind == "graph":
        rdf = RdfFormat.from_media_type(chosen.media_type)
        return _serialize_graph(result.triples, rdf, prefixes or {})
    writer = {"json": _to_json, "xml": _to_xml, "csv": _to_csv, "tsv": _to_tsv}
    return writer[chosen.name](result).encode("utf-8")


def _curie(iri: str, prefixes: dict[str, str]) -> str:
    """Write an IRI as prefix:local when a prefix covers it (longest wins).

    Examples:
        >>> _curie("https://schema.org/Person", {"schema": "https://schema.org/"})
        'schema:Person'
        >>> _curie("http://x.org/a", {"schema": "https://schema.org/"})
        'http://x.org/a'
    """
    best = max(
        (item for item in prefixes.items() if iri.startswith(item[1])),
        key=lambda item: len(item[1]),
        default=None,
    )
    if best is None or not iri[len(best[1]) :]:
        return iri
    return f"{best[0]}:{iri[len(best[1]) :]}"


def _node_id(term: Term, prefixes: dict[str, str]) -> str:
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return _curie(term.value, prefixes) if isinstance(term, NamedNode) else str(term)


def _jsonld_value(term: Term, prefixes: dict[str, str]) -> object:
    if not isinstance(term, Literal):
        return {"@id": _node_id(term, prefixes)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": _curie(term.datatype.value, prefixes)}


def compact_jsonld(triples: tuple[Triple, ...], prefixes: dict[str, str]) -> str:
    """Write triples as compacted JSON-LD: a `@context` of the prefixes, a `@graph`.

    Nodes and their properties are sorted, so the output is deterministic.

    Examples:
        >>> s, p = NamedNode("https://schema.org/a"), NamedNode("https://schema.org/b")
        >>> print(compact_jsonld((Triple(s, p, Literal("x")),),
        ...                      {"schema": "https://schema.org/"}), end="")
        {"@context": {"schema": "https://schema.org/"}, "@graph": [{"@id": "schema:a", "schema:b": ["x"]}]}
    """  # noqa: E501
    nodes: dict[str, dict[str, list]] = {}
    for triple in triples:
        node = nodes.setdefault(_node_id(triple.subject, prefixes), {})
        if triple.predicate.value == _RDF_TYPE and not isinstance(
            triple.object, Literal
        ):
            node.setdefault("@type", []).append(_node_id(triple.object, prefixes))
            continue
        key = _curie(triple.predicate.value, prefixes)
        node.setdefault(key, []).append(_jsonld_value(triple.object, prefixes))
    graph = []
    for node_id in sorted(nodes):
        props = nodes[node_id]
        item: dict[str, object] = {"@id": node_id}
        for key in sorted(props):
            item[key] = sorted(props[key], key=_sort_key)
        graph.append(item)
    data = {"@context": dict(sorted(prefixes.items())), "@graph": graph}
    return json.dumps(data, ensure_ascii=False) + "\n"


def _sort_key(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


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
