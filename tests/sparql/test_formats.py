"""The one format registry: names, media types, negotiation, and its users."""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.errors import InputError
from graph.rdf.build import serialize
from graph.sparql.formats import FORMATS, find_format, format_names, negotiate
from graph.sparql.query import OUTPUT_FORMATS


def test_every_format_is_reachable_by_name_alias_and_media_type() -> None:
    for name, fmt in FORMATS.items():
        for key in (name, *fmt.aliases, *fmt.media_types, fmt.media_type.upper()):
            assert find_format(key) is fmt
    media = [m for fmt in FORMATS.values() for m in fmt.media_types]
    assert len(media) == len(set(media))  # one format per media type


def test_graph_formats_are_pyoxigraph_and_rdflib_formats() -> None:
    for name in format_names("graph"):
        fmt = FORMATS[name]
        assert RdfFormat.from_media_type(fmt.media_type) is not None
        assert RdfFormat.from_extension(fmt.extension) is not None
        assert fmt.rdflib


def test_kg_query_offers_the_registry() -> None:
    assert OUTPUT_FORMATS == ("table", *FORMATS)


@pytest.mark.parametrize(
    "name", ["turtle", "ttl", "nt", "ntriples", "rdfxml", "jsonld"]
)
def test_kg_build_serializes_every_graph_format(gold_graph: Graph, name: str) -> None:
    rdflib_name = FORMATS[find_format(name).name].rdflib
    parse_as = {"longturtle": "turtle", "nt11": "nt"}.get(rdflib_name, rdflib_name)
    again = Graph().parse(data=serialize(gold_graph, name), format=parse_as)
    assert isomorphic(again, gold_graph)


def test_kg_build_refuses_a_results_format(gold_graph: Graph) -> None:
    with pytest.raises(InputError, match="cannot be written as csv"):
        serialize(gold_graph, "csv")
    with pytest.raises(InputError, match="unknown format 'yaml'"):
        serialize(gold_graph, "yaml")


@pytest.mark.parametrize(
    ("kind", "names", "accept", "expected"),
    [
        ("results", [], "", "json"),
        ("graph", [], "", "turtle"),
        ("results", [], "*/*", "json"),
        ("graph", [], "*/*", "turtle"),
        ("results", [], "text/csv;q=0.5, application/sparql-results+json", "json"),
        ("results", [], "application/json;q=0.2, text/tab-separated-values", "tsv"),
        ("results", [], "text/xml", "xml"),
        ("graph", [], "text/plain", "ntriples"),
        ("graph", [], "application/*", "ntriples"),
        ("graph", [], "text/html,application/xhtml+xml,*/*;q=0.8", "turtle"),
        ("graph", [], "text/html, application/rdf+xml;q=0.9, */*;q=0.8", "rdfxml"),
        ("graph", ["json", "jsonld"], "text/turtle", "jsonld"),  # format= first
        ("results", ["turtle"], "text/csv", "csv"),  # a misfit format= is skipped
        ("results", [], "text/turtle", None),
        ("graph", [], "application/sparql-results+json", None),
        ("results", [], "text/csv;q=0", None),
    ],
)
def test_negotiate(
    kind: str, names: list[str], accept: str, expected: str | None
) -> None:
    found = negotiate(kind, names, accept)
    assert (found.name if found else None) == expected
