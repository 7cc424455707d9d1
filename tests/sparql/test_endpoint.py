"""The endpoint's protocol surface: service description, Graph Store reads, datasets,
content negotiation (406, Vary), all on a real server over loopback HTTP."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, urlencode

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from graph.sparql.prefixes import PREFIX_MAP
from graph.sparql.server import SparqlServer, make_server

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
NAMED = "http://example.org/graphs/extra"


@pytest.fixture(scope="module")
def server(gold_output: Path) -> Iterator[SparqlServer]:
    """A writable endpoint of the gold graph, plus one triple in a named graph."""
    found = make_server(gold_output / "graph.nt", port=0, allow_update=True)
    thread = threading.Thread(target=found.serve_forever, daemon=True)
    thread.start()
    triple = "kgr:extra skos:prefLabel '额外'@zh"
    update = f"INSERT DATA {{ GRAPH <{NAMED}> {{ {triple} }} }}"
    status, _, body = _fetch(
        found.url + "sparql",
        data=urlencode({"update": update}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200, body
    yield found
    found.shutdown()
    found.server_close()
    thread.join(30)


def _fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Message, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode()
    except HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


def _select(server: SparqlServer, query: str, **params: str) -> list[dict]:
    url = f"{server.url}sparql?{urlencode({'query': query, **params})}"
    status, headers, body = _fetch(url, headers={"Accept": "application/json"})
    assert status == 200, body
    return json.loads(body)["results"]["bindings"]


def test_service_description_in_turtle(server: SparqlServer) -> None:
    status, headers, body = _fetch(server.url + "sparql")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert headers["Vary"] == "Accept"
    graph = Graph().parse(data=body, format="turtle")
    service = URIRef(server.url + "sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) in graph  # writable
    formats = set(graph.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/JSON-LD") in formats


def test_service_description_negotiated(server: SparqlServer) -> None:
    status, headers, body = _fetch(
        server.url + "sparql", headers={"Accept": "application/ld+json"}
    )
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert "@context" in json.loads(body)
    turtle = _fetch(server.url + "sparql")[2]
    assert isomorphic(
        Graph().parse(data=body, format="json-ld"),
        Graph().parse(data=turtle, format="turtle"),
    )
    status, _, _ = _fetch(server.url + "sparql", headers={"Accept": "text/csv"})
    assert status == 406


def test_graph_store_default_graph(server: SparqlServer, gold_graph: Graph) -> None:
    status, headers, body = _fetch(
        server.url + "store?default", headers={"Accept": "application/n-triples"}
    )
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert headers["Vary"] == "Accept"
    assert isomorphic(Graph().parse(data=body, format="nt"), gold_graph)
    assert "额外" not in body  # the named graph is not in the default one


def test_graph_store_named_graph(server: SparqlServer) -> None:
    status, headers, body = _fetch(f"{server.url}store?graph={quote(NAMED)}")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    assert len(graph) == 1 and "额外" in {str(o) for o in graph.objects()}
    missing = quote("http://example.org/graphs/none")
    assert _fetch(f"{server.url}store?graph={missing}")[0] == 404
    assert _fetch(f"{server.url}store")[0] == 400  # neither ?default nor ?graph=
    assert _fetch(f"{server.url}store?default", headers={"Accept": "text/csv"})[0] == (
        406
    )
    put = urllib.request.Request(f"{server.url}store?default", data=b"", method="PUT")
    with pytest.raises(HTTPError) as caught:
        urllib.request.urlopen(put, timeout=60)
    assert caught.value.code == 405


def test_dataset_parameters(server: SparqlServer) -> None:
    labels = "SELECT ?n { ?s skos:prefLabel ?n }"
    everything = _select(server, labels)
    assert len(everything) > 50 and "额外" not in {b["n"]["value"] for b in everything}
    only_named = _select(server, labels, **{"default-graph-uri": NAMED})
    assert [b["n"]["value"] for b in only_named] == ["额外"]
    in_graphs = "SELECT ?g ?n { GRAPH ?g { ?s skos:prefLabel ?n } }"
    assert _select(server, in_graphs, **{"default-graph-uri": NAMED}) == []
    rows = _select(server, in_graphs, **{"named-graph-uri": NAMED})
    assert [(b["g"]["value"], b["n"]["value"]) for b in rows] == [(NAMED, "额外")]
    # The protocol's dataset overrides the query's own FROM.
    from_query = f"SELECT ?n FROM <{NAMED}> {{ ?s skos:prefLabel ?n }}"
    assert len(_select(server, from_query)) == 1
    empty = "http://example.org/graphs/none"
    assert _select(server, from_query, **{"default-graph-uri": empty}) == []


@pytest.mark.parametrize(
    ("query", "accept", "status", "media"),
    [
        ("SELECT * { ?s ?p ?o } LIMIT 1", "text/turtle", 406, "text/plain"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/csv", 406, "text/plain"),
        (
            "SELECT * { ?s ?p ?o } LIMIT 1",
            "text/turtle, */*;q=0.1",
            200,
            "application/sparql-results+json",
        ),  # noqa: E501
        ("SELECT * { ?s ?p ?o } LIMIT 1", "text/*", 200, "text/csv"),
        (
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
            "application/rdf+xml",
            200,
            "application/rdf+xml",
        ),  # noqa: E501
        (
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
            "application/ld+json;q=0.9, text/turtle;q=0.5",
            200,
            "application/ld+json",
        ),  # noqa: E501
        ("ASK {}", "application/json;q=0", 406, "text/plain"),
    ],
)
def test_content_negotiation(
    server: SparqlServer, query: str, accept: str, status: int, media: str
) -> None:
    url = f"{server.url}sparql?{urlencode({'query': query})}"
    got, headers, body = _fetch(url, headers={"Accept": accept})
    assert (got, headers["Content-Type"].split(";")[0]) == (status, media), body
    assert headers["Vary"] == "Accept"
    if status == 406:
        assert body.count("\n") == 1 and "offered" in body


def test_unknown_format_parameter_is_400(server: SparqlServer) -> None:
    url = f"{server.url}sparql?{urlencode({'query': 'ASK {}', 'format': 'yaml'})}"
    status, _, body = _fetch(url)
    assert status == 400 and "unknown format 'yaml'" in body


def test_construct_jsonld_is_compacted(server: SparqlServer, gold_graph: Graph) -> None:
    query = "CONSTRUCT { ?m ?p ?o } WHERE { ?m a org:Membership ; ?p ?o }"
    url = f"{server.url}sparql?{urlencode({'query': query, 'format': 'jsonld'})}"
    status, _, body = _fetch(url)
    data = json.loads(body)
    assert status == 200 and data["@context"]["org"] == "http://www.w3.org/ns/org#"
    node = data["@graph"][0]
    assert node["@id"].split(":")[0] in PREFIX_MAP and "org:Membership" in node["@type"]
    assert "org:member" in node
    expected = gold_graph.query(query)
    assert isomorphic(Graph().parse(data=body, format="json-ld"), expected.graph)
