"""The store layer: writing, opening each kind of source, running, serializing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store
from rdflib import Graph

from graph.errors import InputError, QueryError
from graph.sparql.formats import serialize_result
from graph.sparql.query import PREFIX_MAP
from graph.sparql.store import (
    QueryResult,
    execute,
    find_source,
    open_store,
    write_store,
)

PERSONS = "SELECT ?p ?name { ?p a schema:Person ; skos:prefLabel ?name } ORDER BY ?name"


def _count(store) -> int:
    result = execute(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    return int(result.rows[0][0].value)


@pytest.mark.parametrize("where", ["store", "graph.nt", "graph.ttl", "."])
def test_open_every_kind_of_source(
    gold_output: Path, gold_graph: Graph, where: str
) -> None:
    assert _count(open_store(gold_output / where)) == len(gold_graph)


def test_find_source_prefers_store(gold_output: Path, tmp_path: Path) -> None:
    assert find_source(gold_output) == gold_output / "store"
    (tmp_path / "graph.ttl").write_text("", encoding="utf-8")
    assert find_source(tmp_path) == tmp_path / "graph.ttl"


def test_write_store_replaces_existing(gold_graph: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    small = Graph()
    for triple in list(gold_graph)[:10]:
        small.add(triple)
    assert write_store(small, folder) == folder
    assert _count(open_store(folder)) == 10
    write_store(gold_graph, folder)
    assert _count(open_store(folder)) == len(gold_graph)
    assert [p.name for p in tmp_path.iterdir()] == ["store"]  # no leftovers


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing", None, "no such file or folder"),
        ("empty", "", "not a store"),
        ("graph.csv", "a,b", "unknown RDF format"),
        ("graph.ttl", "<a> <b> .", "not valid Turtle"),
    ],
)
def test_open_errors(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None and name == "empty":
        path.mkdir()
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        open_store(path)


def test_execute_caps_rows(gold_output: Path) -> None:
    store = open_store(gold_output)
    result = execute(store, PERSONS, prefixes=PREFIX_MAP, max_rows=3)
    assert len(result.rows) == 3 and result.truncated
    assert not execute(store, PERSONS, prefixes=PREFIX_MAP).truncated


def test_execute_reports_bad_query(gold_output: Path) -> None:
    with pytest.raises(QueryError, match="bad query: error at 1:"):
        execute(open_store(gold_output), "SELECT ?x {")


@pytest.fixture(scope="module")
def persons(gold_output: Path) -> QueryResult:
    return execute(open_store(gold_output), PERSONS, prefixes=PREFIX_MAP)


def test_json_results(persons: QueryResult) -> None:
    data = json.loads(serialize_result(persons, "json"))
    first = data["results"]["bindings"][0]
    assert data["head"]["vars"] == ["p", "name"]
    assert first["p"]["type"] == "uri"
    assert first["name"]["xml:lang"] == "zh"


def test_xml_results(persons: QueryResult) -> None:
    root = ElementTree.fromstring(serialize_result(persons, "xml"))
    ns = "{http://www.w3.org/2005/sparql-results#}"
    names = [e.text for e in root.iter(f"{ns}literal")]
    assert len(names) == len(persons.rows) and "巨晓林" in names


def test_csv_and_tsv_results(persons: QueryResult) -> None:
    rows = list(csv.reader(io.StringIO(serialize_result(persons, "csv").decode())))
    assert rows[0] == ["p", "name"] and len(rows) == len(persons.rows) + 1
    tsv = serialize_result(persons, "tsv").decode().splitlines()
    assert tsv[0] == "?p\t?name"
    assert tsv[1].startswith("<https://w3id.org/zh-kg/resource/person/")
    assert tsv[1].endswith('"@zh')


def test_ask_and_graph_results(gold_output: Path) -> None:
    store = open_store(gold_output)
    ask = execute(store, "ASK { ?s a <https://schema.org/Person> }")
    assert json.loads(serialize_result(ask, "json")) == {"head": {}, "boolean": True}
    assert b"<boolean>true</boolean>" in serialize_result(ask, "xml")
    graph = execute(
        store, "DESCRIBE ?s { ?s <http://www.w3.org/ns/org#role> ?r }", max_rows=5
    )
    assert graph.kind == "graph" and len(graph.triples) == 5
    text = serialize_result(graph, "turtle", prefixes=PREFIX_MAP).decode()
    assert len(Graph().parse(data=text, format="turtle")) == 5
    with pytest.raises(InputError, match="cannot be written as json"):
        serialize_result(graph, "json")


def test_dataset_of_a_query() -> None:
    """default_graphs / named_graphs replace the store's dataset (and FROM)."""
    store = Store()
    s, p = NamedNode("http://example.org/s"), NamedNode("http://example.org/p")
    graph = "http://example.org/g"
    store.add(Quad(s, p, Literal("default")))
    store.add(Quad(s, p, Literal("named"), NamedNode(graph)))
    values = "SELECT ?o { ?s ?p ?o }"

    def objects(query: str, **dataset) -> list[str]:
        return [row[0].value for row in execute(store, query, **dataset).rows]

    assert objects(values) == ["default"]
    assert objects(values, default_graphs=[graph]) == ["named"]
    assert objects(f"SELECT ?o FROM <{graph}> {{ ?s ?p ?o }}") == ["named"]
    assert (
        objects(
            f"SELECT ?o FROM <{graph}> {{ ?s ?p ?o }}", default_graphs=["http://x/"]
        )
        == []
    )
    in_named = "SELECT ?o { GRAPH ?g { ?s ?p ?o } }"
    assert objects(in_named) == ["named"]
    assert objects(in_named, default_graphs=[graph]) == []  # no named graphs then
    assert objects(in_named, named_graphs=[graph]) == ["named"]
    with pytest.raises(QueryError, match="bad graph IRI"):
        execute(store, values, default_graphs=["not an iri"])
