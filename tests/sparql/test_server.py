"""`kg serve` in a subprocess: protocol, formats, refusals, time limit, clean stop."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from xml.dom.minidom import parseString

import pytest
from rdflib import Graph
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed
from typer.testing import CliRunner

from graph.cli import app
from graph.sparql.server import SparqlServer, make_server

HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FORM = "application/x-www-form-urlencoded"
PERSONS = "SELECT ?name { ?p a schema:Person ; skos:prefLabel ?name } ORDER BY ?name"


def _read_url(proc: subprocess.Popen, lines: list[str]) -> None:
    for line in proc.stdout:  # type: ignore[union-attr]
        lines.append(line)
        if "SPARQL endpoint:" in line:
            return


@pytest.fixture(scope="module")
def endpoint(gold_output: Path) -> Iterator[str]:
    """Start `python -m graph serve` on a free loopback port; stop it at the end."""
    command = [
        sys.executable,
        "-m",
        "graph",
        "serve",
        str(gold_output / "graph.ttl"),
        "--port",
        "0",
        "--timeout",
        "2",
        "--max-rows",
        "50",
    ]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    lines: list[str] = []
    reader = threading.Thread(target=_read_url, args=(proc, lines), daemon=True)
    reader.start()
    reader.join(120)
    if not lines or "SPARQL endpoint:" not in lines[-1]:
        proc.kill()
        pytest.fail(f"server did not start: {lines} {proc.stderr.read()}")
    yield lines[-1].split()[2]
    proc.terminate()
    assert proc.wait(30) == 0
    assert "stopping" in proc.stdout.read()


def _get(url: str, accept: str = "*/*") -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read().decode("utf-8")
            return response.status, response.headers["Content-Type"], body
    except HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode("utf-8")


def _query_url(endpoint: str, query: str) -> str:
    return f"{endpoint}?{urlencode({'query': query})}"


def _wrapper(endpoint: str, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def test_select_json(endpoint: str) -> None:
    data = _wrapper(endpoint, PERSONS, JSON).queryAndConvert()
    names = [b["name"]["value"] for b in data["results"]["bindings"]]
    assert "巨晓林" in names
    assert data["results"]["bindings"][0]["name"]["xml:lang"] == "zh"


def test_select_xml_by_post(endpoint: str) -> None:
    sparql = _wrapper(endpoint, PERSONS, XML)
    sparql.setMethod("POST")
    document = sparql.queryAndConvert()
    literals = [
        node.firstChild.data for node in document.getElementsByTagName("literal")
    ]
    assert "巨晓林" in literals


def test_construct_turtle(endpoint: str) -> None:
    query = (
        "CONSTRUCT { ?m org:role ?r } WHERE { ?m org:member ?p . "
        "?p skos:prefLabel '巨晓林'@zh . ?m org:role ?r }"
    )
    data = _wrapper(endpoint, query, TURTLE).queryAndConvert()
    graph = Graph().parse(data=data, format="turtle")
    assert len(graph) == 2  # one membership per document


def test_ask_and_csv(endpoint: str) -> None:
    assert _wrapper(endpoint, "ASK { ?s a org:Membership }", JSON).queryAndConvert()[
        "boolean"
    ]
    status, ctype, body = _get(_query_url(endpoint, PERSONS), "text/csv")
    assert status == 200 and ctype.startswith("text/csv")
    assert body.startswith("name\r\n")


def test_malformed_query_is_400(endpoint: str) -> None:
    with pytest.raises(QueryBadFormed):
        _wrapper(endpoint, "SELECT * { ?s ?p ", JSON).query()
    status, _, body = _get(_query_url(endpoint, "SELECT * { ?s ?p "))
    assert status == 400 and body.startswith("bad query: error at 1:")


def test_update_is_refused(endpoint: str) -> None:
    sparql = SPARQLWrapper(endpoint)
    sparql.setMethod("POST")
    sparql.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(HTTPError) as caught:
        sparql.query()
    assert caught.value.code == 403
    assert b"read-only" in caught.value.read()
    status, _, _ = _get(_query_url(endpoint, "ASK { <urn:a> <urn:b> <urn:c> }"))
    assert status == 200


def test_service_is_refused(endpoint: str) -> None:
    query = "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    status, _, body = _get(_query_url(endpoint, query))
    assert status == 403 and "SERVICE is not allowed" in body


def test_time_limit_then_still_usable(endpoint: str) -> None:
    status, _, body = _get(_query_url(endpoint, HEAVY))
    assert status == 503
    assert body.strip() == "query exceeded time limit of 2 s"
    for _ in range(3):  # both workers, including the replacement
        status, _, body = _get(_query_url(endpoint, PERSONS), "text/csv")
        assert status == 200 and "巨晓林" in body


def test_row_cap(endpoint: str) -> None:
    url = _query_url(endpoint, "SELECT * { ?s ?p ?o }")
    request = urllib.request.Request(url, headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["X-SPARQL-MaxRows"] == "50"
        assert len(response.read().decode("utf-8").splitlines()) == 51


def test_wrong_method_and_path(endpoint: str) -> None:
    request = urllib.request.Request(endpoint, method="PUT", data=b"x")
    with pytest.raises(HTTPError) as caught:
        urllib.request.urlopen(request, timeout=60)
    assert caught.value.code == 405
    assert _get(endpoint.replace("/sparql", "/nothing"))[0] == 404
    assert _get(endpoint)[0] == 200  # no query: the service description


def test_unsupported_content_type(endpoint: str) -> None:
    request = urllib.request.Request(
        endpoint,
        data=b"{}",
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(HTTPError) as caught:
        urllib.request.urlopen(request, timeout=60)
    assert caught.value.code == 415


def test_query_page(endpoint: str) -> None:
    status, ctype, page = _get(endpoint.replace("/sparql", "/"))
    assert status == 200 and ctype.startswith("text/html")
    assert "posts-of" in page and "shared-aliases" in page
    assert "VALUES ?name { &quot;巨晓林&quot;@zh }" in page
    # Scripts and styles come from the endpoint itself (tests/test_query_page.py).
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(not re.match(r"[a-z]+:|//", url) for url in sources)


def _post(url: str, body: bytes, content_type: str) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_allow_update_in_process(gold_output: Path) -> None:
    server = make_server(gold_output / "graph.nt", port=0, allow_update=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = server.url + "sparql"
    try:
        update = "INSERT DATA { kgr:x skos:prefLabel '新'@zh }"
        assert _post(url, update.encode(), "application/sparql-update")[0] == 200
        ask = urlencode({"query": "ASK { kgr:x skos:prefLabel '新'@zh }"})
        assert _post(url, ask.encode(), FORM)[1].endswith('"boolean": true}\n')
        load = urlencode({"update": "LOAD <http://example.org/data.ttl>"})
        assert _post(url, load.encode(), FORM) == (
            403,
            "LOAD is not allowed: this endpoint never fetches from the network\n",
        )
    finally:
        server.shutdown()
        server.server_close()
    assert not server.scratch.exists()


def test_serve_missing_source(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


CORS = "http://app.example"
SERVICE_QUERY = (
    "SELECT ?x { OPTIONAL { ?a ?b <http://x/\u3000#> } SERVICE <{url}> { ?x ?y ?z } }"
)


@pytest.fixture(scope="module")
def local(gold_output: Path) -> Iterator[SparqlServer]:
    """Serve updates in this process, with CORS for one origin and 1 s deadlines."""
    server = make_server(
        gold_output / "graph.nt",
        port=0,
        allow_update=True,
        cors=CORS,
        client_timeout=1.0,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(30)
    assert not thread.is_alive() and not server.scratch.exists()


def _request(
    url: str, *, body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST" if body is not None else headers.pop("method", "GET"),
        headers={key.replace("_", "-"): value for key, value in headers.items()},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode("utf-8")
            return response.status, dict(response.headers), text
    except HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8")


def _update(server: SparqlServer, text: str, **headers: str) -> tuple[int, str]:
    body = urlencode({"update": text}).encode()
    status, _, answer = _request(
        server.url + "sparql", body=body, Content_Type=FORM, **headers
    )
    return status, answer


def _ask(server: SparqlServer, text: str) -> bool:
    status, _, answer = _request(_query_url(server.url + "sparql", text))
    assert status == 200, answer
    return json.loads(answer)["boolean"]


def test_no_request_leaves_the_endpoint(
    endpoint: str, local: SparqlServer, listener
) -> None:
    """Queries and updates aimed at a loopback listener: it receives nothing."""
    url = listener.url
    before = listener.hits
    refused = [
        SERVICE_QUERY.replace("{url}", url),
        SERVICE_QUERY.replace("{url}", url).replace("\u3000", "\\u3000"),
        f"select * {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"ASK {{ {{ SELECT * {{ ?s ?p 1SERVICE<{url}>{{}} }} }} }}",
    ]
    for query in refused:
        status, body = _post(endpoint, query.encode(), "application/sparql-query")
        assert (status, body) == (
            403,
            "SERVICE is not allowed: this endpoint never fetches from the network\n",
        ), query
    for query in (f"SELECT * FROM <{url}> {{ ?s ?p ?o }}", f"DESCRIBE <{url}>"):
        assert _get(_query_url(endpoint, query))[0] == 200
    updates = {
        f'INSERT DATA {{ <http://a/s> <http://a/p> "x" }} ; LOAD <{url}x.nt>': "LOAD",
        f"load silent <{url}> into graph <http://g/>": "LOAD",
        f"DELETE {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}": "SERVICE",
    }
    for update, word in updates.items():
        assert _update(local, update) == (
            403,
            f"{word} is not allowed: this endpoint never fetches from the network\n",
        )
    assert not _ask(local, 'ASK { <http://a/s> <http://a/p> "x" }')  # nothing ran
    assert listener.hits == before


def test_cross_site_updates_are_refused(local: SparqlServer) -> None:
    update = "INSERT DATA { kgr:csrf skos:prefLabel '跨站'@zh }"
    assert _update(local, update, Origin="http://evil.example") == (
        403,
        "update refused: cross-site Origin 'http://evil.example'\n",
    )
    host = local.url.split("/")[2]
    assert _update(local, update, Host="evil.example")[0] == 403
    assert _update(local, update, Sec_Fetch_Site="cross-site")[0] == 403
    assert not _ask(local, "ASK { kgr:csrf ?p ?o }")
    assert _update(local, update, Origin=f"http://{host}") == (200, "update done\n")
    assert _update(local, update, Origin=CORS)[0] == 200  # the --cors origin
    assert _ask(local, "ASK { kgr:csrf skos:prefLabel '跨站'@zh }")


def test_cors_is_opt_in(endpoint: str, local: SparqlServer) -> None:
    url = _query_url(local.url + "sparql", "ASK {}")
    status, headers, _ = _request(url, Origin=CORS)
    assert status == 200 and headers["access-control-allow-origin"] == CORS
    status, headers, _ = _request(
        local.url + "sparql",
        method="OPTIONS",
        Origin=CORS,
        Access_Control_Request_Method="POST",
        Access_Control_Request_Headers="content-type",
    )
    assert status == 200 and headers["access-control-allow-origin"] == CORS
    status, headers, _ = _request(url, Origin="http://other.example")
    assert "access-control-allow-origin" not in headers
    status, headers, _ = _request(_query_url(endpoint, "ASK {}"), Origin=CORS)
    assert status == 200 and "access-control-allow-origin" not in headers
    assert _request(endpoint, method="OPTIONS", Origin=CORS)[0] == 405


def test_100_concurrent_queries(endpoint: str) -> None:
    def ask(number: int) -> tuple[int, int]:
        query = f"SELECT ?n {{ BIND({number} AS ?n) }}"
        status, _, body = _get(_query_url(endpoint, query), "text/csv")
        return status, int(body.splitlines()[1]) if status == 200 else -1

    with ThreadPoolExecutor(100) as pool:
        answers = list(pool.map(ask, range(100)))
    assert answers == [(200, number) for number in range(100)]


def _raw(url: str, data: bytes, wait: float = 30) -> bytes:
    """Send raw bytes; read until the server closes (or `wait` s pass)."""
    host, port = url.split("/")[2].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=wait) as conn:
        conn.sendall(data)
        received = b""
        while chunk := conn.recv(4096):
            received += chunk
    return received


def test_bad_content_length_is_one_line(endpoint: str) -> None:
    head = "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
    answer = _raw(endpoint, f"{head}\r\nContent-Length: ²\r\n\r\nASK {{}}".encode())
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(b"\r\n\r\nInvalid HTTP request received.")
    assert _get(_query_url(endpoint, "ASK {}"))[0] == 200


def test_slow_clients_are_cut_off(local: SparqlServer) -> None:
    url = local.url + "sparql"
    start = time.monotonic()
    lying = _raw(
        url,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
        b"\r\nContent-Length: 100\r\n\r\nASK {}",
    )
    assert lying.startswith(b"HTTP/1.1 408 ")
    assert lying.endswith(b"\r\n\r\nrequest body not received within 1 s\n")
    host, port = url.split("/")[2].rsplit(":", 1)
    slow = [socket.create_connection((host, int(port)), timeout=30) for _ in range(50)]
    for conn in slow:
        conn.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
    assert _ask(local, "ASK {}")  # answered while 50 clients dawdle
    assert [conn.recv(10) for conn in slow] == [b""] * 50  # closed by the server
    for conn in slow:
        conn.close()
    assert time.monotonic() - start < 20


def test_head_and_keep_alive(endpoint: str) -> None:
    host, port = endpoint.split("/")[2].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    path = "/sparql?" + urlencode({"query": PERSONS})
    try:
        conn.request("HEAD", path, headers={"Accept": "text/csv"})
        head = conn.getresponse()
        assert head.status == 200 and head.version == 11
        assert int(head.headers["Content-Length"]) > 0 and head.read() == b""
        conn.request("GET", path, headers={"Accept": "text/csv"})  # same connection
        response = conn.getresponse()
        body = response.read()
        assert len(body) == int(head.headers["Content-Length"])
        assert "巨晓林" in body.decode("utf-8")
    finally:
        conn.close()


def test_xml_results_stay_well_formed(endpoint: str) -> None:
    query = 'SELECT ?x { BIND(CONCAT("a", "\\u0001", "<b>") AS ?x) }'
    status, ctype, body = _get(
        _query_url(endpoint, query), "application/sparql-results+xml"
    )
    assert status == 200 and ctype.startswith("application/sparql-results+xml")
    literal = parseString(body).getElementsByTagName("literal")[0]
    assert literal.firstChild.data == "a\ufffd<b>"


def test_deep_query_is_refused(endpoint: str) -> None:
    query = "SELECT * " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000
    status, body = _post(endpoint, query.encode(), "application/sparql-query")
    assert (status, body) == (400, "query nested 3000 levels deep; the limit is 128\n")
    assert _get(_query_url(endpoint, "ASK {}"))[0] == 200


def test_oversized_body_is_refused_unread(endpoint: str) -> None:
    head = "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
    answer = _raw(endpoint, f"{head}\r\nContent-Length: 2000000\r\n\r\nASK".encode())
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b"\r\n\r\nrequest body over 1048576 bytes\n")
