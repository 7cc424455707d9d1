"""The one registry of output formats, content negotiation, and serialization.

A `QueryResult` from `graph.sparql.store.execute` is already capped at `max_rows`, so
the cap holds for every format. `FORMATS` is the one registry of output
formats (names, media types, file endings) that `kg query`, the endpoint and
`kg build` share; `negotiate` picks one from an Accept header. Like the
store, this module imports pyoxigraph only (no rdflib), so that a query worker
process starts fast.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import RdfFormat, serialize

from ..errors import InputError
from .store import QueryResult
from .writers import compact_jsonld, write_results

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
        return serialize(result.triples, format=rdf, prefixes=prefixes or {}) or b""
    return write_results(result, chosen.name).encode("utf-8")
