"""The query page of `kg serve` in headless Chromium: editor, parameters, results,
DESCRIBE links, downloads, the cut note; nothing leaves the endpoint."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from graph.settings import Settings
from graph.sparql.page import ASSETS, render_page
from graph.sparql.query import ReadyQuery, read_ready_queries
from graph.sparql.server import SparqlServer, make_server
from graph.view.browser import CHROMIUM, launch_chromium

MAX_ROWS = 20


@pytest.fixture(scope="module")
def server(gold_output: Path) -> Iterator[SparqlServer]:
    found = make_server(
        gold_output / "store", port=0, max_rows=MAX_ROWS, queries=Settings().queries
    )
    thread = threading.Thread(target=found.serve_forever, daemon=True)
    thread.start()
    yield found
    found.shutdown()
    found.server_close()
    thread.join(30)


@pytest.fixture
def browser_page(server: SparqlServer) -> Iterator:
    """A Chromium page on the query page; asserts no request left the endpoint."""
    sync_api = pytest.importorskip("playwright.sync_api", exc_type=ImportError)
    if not CHROMIUM.is_file():
        pytest.skip("no /usr/bin/chromium")
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as play:
        browser = launch_chromium(play)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.url)
        page.wait_for_selector(".CodeMirror")
        page.requests = requests  # type: ignore[attr-defined]
        yield page
        browser.close()
    assert not errors
    assert requests and all(url.startswith(server.url) for url in requests)


def _text(page) -> str:
    return page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")


def _type_query(page, query: str) -> None:
    page.click(".CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(query)


def _wait_answer(page) -> None:
    page.wait_for_function(
        "document.querySelector('#out') && !document.querySelector('#out')"
        ".textContent.startsWith('…') && document.querySelector('#out').children.length"
    )


def test_page_links_only_shipped_assets(server: SparqlServer) -> None:
    with urllib.request.urlopen(server.url, timeout=30) as response:
        page = response.read().decode("utf-8")
    for name in ("codemirror.js", "codemirror.css", "sparql.js"):
        assert f'"assets/{name}"' in page
        with urllib.request.urlopen(f"{server.url}assets/{name}", timeout=30) as asset:
            assert asset.status == 200 and len(asset.read()) > 1000
    assert "http://" not in page.split("<script>")[0].replace("http://www.w3.org", "")
    assert set(ASSETS) >= {"codemirror.js", "sparql.js", "LICENSE.txt"}


def test_page_escapes_queries() -> None:
    evil = ReadyQuery("x<y>", "</li><script>alert(1)</script>", '# "\n</textarea>&')
    page = render_page({"evil": evil})
    assert "<script>alert" not in page and "</textarea>&" not in page
    assert "x&lt;y&gt;" in page and "&lt;/textarea&gt;&amp;" in page


def test_editor_highlights_and_ctrl_enter_runs(browser_page) -> None:
    page = browser_page
    keywords = page.eval_on_selector_all(
        ".cm-keyword", "nodes => nodes.map(n => n.textContent)"
    )
    assert "SELECT" in [k.upper() for k in keywords]
    _type_query(
        page,
        "SELECT ?name { ?p a schema:Person ; skos:prefLabel ?name "
        'FILTER(STRSTARTS(?name, "巨")) }',
    )
    page.keyboard.press("Control+Enter")
    _wait_answer(page)
    assert "巨晓林" in page.inner_text("#out table")
    assert page.inner_text("#status") == "1 row"


def test_parameter_form_fills_a_ready_query(browser_page) -> None:
    page = browser_page
    page.click("li button:has-text('people-in-org')")
    field = page.locator("#params input[name=name]")
    assert field.input_value() == "中华全国总工会"
    field.fill("全总")  # an alias
    page.click("#run")
    _wait_answer(page)
    assert 'VALUES ?name { "全总"@zh }' in _text(page)
    assert "巨晓林" in page.inner_text("#out table")


def test_date_parameter_is_checked_before_sending(browser_page) -> None:
    page = browser_page
    page.click("li button:has-text('events')")
    assert page.locator("#params input").count() == 2
    sent = len([u for u in page.requests if u.endswith("/sparql")])
    page.locator("#params input[name=from]").fill("2016-13")
    page.click("#run")
    page.wait_for_selector("#out pre.err")
    assert "takes a date" in page.inner_text(
        "#out"
    ) and "no such date" in page.inner_text("#out")
    assert len([u for u in page.requests if u.endswith("/sparql")]) == sent
    page.locator("#params input[name=from]").fill("2016-04")
    page.locator("#params input[name=to]").fill("2016-08-15")
    page.click("#run")
    _wait_answer(page)
    assert 'VALUES ?from { "2016-04"^^xsd:gYearMonth }' in _text(page)
    assert "全国工会干部教育培训工作会议" in page.inner_text(
        "#out table"
    )  # dated 2016-08


def test_iri_click_runs_describe(browser_page) -> None:
    page = browser_page
    _type_query(page, "SELECT ?p { ?p a schema:Person ; skos:prefLabel '巨晓林'@zh }")
    page.click("#run")
    _wait_answer(page)
    link = page.locator("#out a.iri").first
    assert link.inner_text() == "person:巨晓林"
    link.click()
    page.wait_for_selector("#out th:has-text('predicate')")
    assert _text(page).startswith("DESCRIBE <https://w3id.org/zh-kg/resource/person/")
    cells = page.inner_text("#out table")
    assert "skos:prefLabel" in cells and "巨晓林" in cells
    assert page.inner_text("#status").endswith("triples")


def test_cut_answer_says_so(browser_page) -> None:
    page = browser_page
    _type_query(page, "SELECT * { ?s ?p ?o }")
    page.click("#run")
    _wait_answer(page)
    assert page.locator("#out tbody tr").count() == MAX_ROWS
    status = page.inner_text("#status")
    assert status.startswith(f"{MAX_ROWS} rows") and f"cut at {MAX_ROWS} rows" in status


def test_downloads(browser_page, tmp_path: Path) -> None:
    page = browser_page
    _type_query(
        page, 'SELECT ?name { ?p skos:prefLabel ?name FILTER(STRSTARTS(?name, "巨")) }'
    )
    page.click("#run")
    _wait_answer(page)
    assert page.locator("button[data-download=turtle]").is_hidden()
    with page.expect_download() as caught:
        page.click("button[data-download=csv]")
    path = tmp_path / caught.value.suggested_filename
    caught.value.save_as(path)
    assert path.name == "answer.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "name" and "巨晓林" in lines
    _type_query(page, "CONSTRUCT WHERE { ?m a org:Membership ; org:role ?r }")
    page.click("#run")
    _wait_answer(page)
    assert page.locator("button[data-download=csv]").is_hidden()
    with page.expect_download() as caught:
        page.click("button[data-download=jsonld]")
    data = Path(caught.value.path()).read_text(encoding="utf-8")
    assert json.loads(data)["@context"]["org"] == "http://www.w3.org/ns/org#"
    assert len(Graph().parse(data=data, format="json-ld")) > 0


def test_errors_and_markup_show_as_text(browser_page) -> None:
    page = browser_page
    _type_query(page, "SELECT * {")
    page.click("#run")
    page.wait_for_selector("#out pre.err")
    assert "bad query" in page.inner_text("#out")
    evil = "<img src=x onerror=window.pwned=1>"
    _type_query(page, f'SELECT ?x {{ VALUES ?x {{ "{evil}" }} }}')
    page.click("#run")
    _wait_answer(page)
    assert page.inner_text("#out td") == evil
    assert page.locator("#out img").count() == 0
    assert page.evaluate("window.pwned") is None


def test_ready_queries_are_listed(browser_page) -> None:
    names = browser_page.eval_on_selector_all(
        "li button[data-query]", "nodes => nodes.map(n => n.textContent)"
    )
    assert names == sorted(read_ready_queries(Settings().queries))
