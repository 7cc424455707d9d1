"""`kg serve` in a subprocess: protocol, formats, refusals, time limit, clean stop."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest
from rdflib import Graph
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed
from typer.testing import CliRunner

from graph.browser import CHROMIUM, launch_chromium
from graph.cli import app
from graph.page import render_page
from graph.query import ReadyQuery
from graph.server import make_server

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
    assert _get(endpoint)[0] == 400  # no query


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
    assert "<script src" not in page and "<link" not in page


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


def test_page_escapes_queries() -> None:
    evil = ReadyQuery("x<y>", "</li><script>alert(1)</script>", '# "\n</textarea>&')
    page = render_page({"evil": evil})
    assert "<script>alert" not in page and "</textarea>&" not in page
    assert "x&lt;y&gt;" in page and "&lt;/textarea&gt;&amp;" in page


def test_query_page_in_browser(endpoint: str) -> None:
    """Click a ready query, run it, and see the table; errors show; all offline."""
    sync_api = pytest.importorskip("playwright.sync_api", exc_type=ImportError)
    if not CHROMIUM.is_file():
        pytest.skip("no /usr/bin/chromium")
    base = endpoint.replace("/sparql", "/")
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as play:
        browser = launch_chromium(play)
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base)
        page.click("li button:has-text('posts-of')")
        assert "巨晓林" in page.input_value("#q")
        page.click("button[type=submit]")
        page.wait_for_selector("#out table", timeout=30_000)
        assert "兼职副主席" in page.inner_text("#out table")
        page.fill("#q", "SELECT * {")
        page.click("button[type=submit]")
        page.wait_for_selector("#out pre.err", timeout=30_000)
        assert "bad query" in page.inner_text("#out")
        browser.close()
    assert not errors
    assert requests and all(url.startswith(base) for url in requests)
