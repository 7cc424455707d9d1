"""The explorer in a real headless Chromium: offline, searchable, and XSS-free.

Needs Debian's `chromium` (/usr/bin/chromium, see scripts/install_chromium.sh) and
the `playwright` Python package; Playwright's own browser download is never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from graph.browser import CHROMIUM, launch_chromium
from graph.io import read_results
from graph.model import DocResult, Entity, EntityType, Predicate, Relation
from graph.namespaces import KG
from graph.rdf import build_graph
from graph.subgraph import select_view
from graph.view import render_html

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="playwright cannot be imported (pip install playwright)",
    exc_type=ImportError,
)

ROOT = Path(__file__).resolve().parent.parent
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason="no /usr/bin/chromium (run scripts/install_chromium.sh as root)",
)


def hostile_result() -> DocResult:
    """Return a document whose names and evidence are markup and quotes."""
    person, org = f'张三{IMG}"', f"{SCRIPT}总工会"
    return DocResult(
        doc=f'{IMG}".txt',
        entities=(
            Entity(EntityType.PERSON, person, aliases=(f'老张"{SCRIPT}',)),
            Entity(EntityType.ORG, org),
        ),
        relations=(
            Relation(person, Predicate.HOLDS_POSITION, org, role=f"主席{IMG}",
                     evidence=f'{SCRIPT}{IMG}"张三"任主席'),
        ),
    )  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as play:
        browser = launch_chromium(play)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def gold_graph() -> Graph:
    return build_graph(read_results([ROOT / "data" / "gold"]))


class Opened:
    """A loaded page plus everything it asked for: requests, dialogs, errors."""

    def __init__(self, browser, html: str, folder: Path) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        path = folder / "graph.html"
        path.write_text(html, encoding="utf-8")
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.as_uri())
        self.page.wait_for_function(
            "document.body.dataset.ready === '1'", timeout=60_000
        )

    def __enter__(self) -> Opened:
        return self

    def __exit__(self, *exc: object) -> None:
        self.page.close()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def search(self, text: str, *, enter: bool = False) -> str:
        """Type into the search box; return the name of the selected node."""
        self.page.fill("#kg-search", text)
        if enter:
            self.page.press("#kg-search", "Enter")
        return self.page.evaluate(
            "() => network.getSelectedNodes().map(id => nodes.get(id).label).join()"
        )

    def panel(self) -> str:
        return self.page.inner_text("#kg-panel")


@pytest.fixture
def gold_page(browser, gold_graph: Graph, tmp_path: Path) -> Iterator[Opened]:
    with Opened(browser, render_html(gold_graph), tmp_path) as opened:
        yield opened


def test_page_loads_nothing_from_the_network(gold_page: Opened) -> None:
    assert gold_page.requests
    assert [u for u in gold_page.requests if not u.startswith(LOCAL_SCHEMES)] == []
    assert gold_page.errors == []


def test_node_count_equals_the_graph(gold_page: Opened, gold_graph: Graph) -> None:
    expected = len(set(gold_graph.subjects(KG.mentionedIn, None)))
    assert len(select_view(gold_graph).entities) == expected
    assert gold_page.page.inner_text("#node-count") == str(expected)
    assert gold_page.page.evaluate("nodes.length") == expected


def test_search_selects_a_person_and_shows_evidence(gold_page: Opened) -> None:
    assert gold_page.search("巨晓林") == "巨晓林"
    panel = gold_page.panel()
    assert "兼职副主席" in panel and "中华全国总工会" in panel
    evidence = gold_page.page.locator("#kg-panel .kg-evidence").all_inner_texts()
    assert any("巨晓林" in sentence for sentence in evidence)
    assert "000_80d6cb6674d9bde7.txt" in panel


def test_search_finds_aliases(gold_page: Opened) -> None:
    assert gold_page.search("全总") == "中华全国总工会"
    assert "全国总工会" in gold_page.panel()


def test_type_filter_hides_nodes(gold_page: Opened) -> None:
    total = int(gold_page.page.inner_text("#visible-count"))
    gold_page.page.uncheck("#kg-legend input[value='PERSON']")
    hidden = gold_page.page.evaluate("nodes.get({filter: n => n.hidden}).length")
    assert hidden > 0
    assert int(gold_page.page.inner_text("#visible-count")) == total - hidden


def test_hostile_document_shows_text_and_runs_nothing(browser, tmp_path: Path) -> None:
    with Opened(
        browser, render_html(build_graph([hostile_result()])), tmp_path
    ) as opened:
        assert opened.search("张三", enter=True).startswith("张三")
        panel = opened.panel()
        assert IMG in panel and SCRIPT in panel
        opened.page.wait_for_timeout(500)  # the focus animation takes 300 ms
        position = opened.page.evaluate(
            "() => { const id = network.getSelectedNodes()[0];"
            " return network.canvasToDOM(network.getPositions([id])[id]); }"
        )
        box = opened.page.locator("#mynetwork").bounding_box()
        for step in (3, 0):
            opened.page.mouse.move(
                box["x"] + position["x"] + step, box["y"] + position["y"] + step
            )
        opened.page.wait_for_selector("div.vis-tooltip", state="visible")
        assert IMG in opened.page.inner_text("div.vis-tooltip")
        assert opened.page.locator("img").count() == 0
        injected = "[...document.scripts].filter(s => s.text.trim() === 'alert(1)')"
        assert opened.page.evaluate(injected + ".length") == 0
        assert opened.dialogs == [] and opened.errors == []


def test_focus_view_starts_with_the_focus_selected(
    browser, gold_graph: Graph, tmp_path: Path
) -> None:
    with Opened(
        browser, render_html(gold_graph, focus="全总", hops=1), tmp_path
    ) as opened:
        selected = opened.page.evaluate(
            "() => network.getSelectedNodes().map(id => nodes.get(id).label)"
        )
        assert selected == ["中华全国总工会"]
        assert "全总" in opened.panel()


def test_clicking_an_edge_lists_its_evidence(
    browser, gold_graph: Graph, tmp_path: Path
) -> None:
    with Opened(
        browser, render_html(gold_graph, focus="巨晓林", hops=1), tmp_path
    ) as opened:
        opened.page.wait_for_timeout(500)  # the focus animation takes 300 ms
        middle = opened.page.evaluate(
            "() => { const e = edges.get({filter: e => e.label === '兼职副主席'})[0];"
            " const p = network.getPositions([e.from, e.to]);"
            " return network.canvasToDOM({x: (p[e.from].x + p[e.to].x) / 2,"
            " y: (p[e.from].y + p[e.to].y) / 2}); }"
        )
        box = opened.page.locator("#mynetwork").bounding_box()
        opened.page.mouse.click(box["x"] + middle["x"], box["y"] + middle["y"])
        panel = opened.panel()
        assert panel.startswith("任职于")
        assert "证据（2）" in panel  # one post, stated in two documents
        assert panel.count("任职于：兼职副主席") == 2
