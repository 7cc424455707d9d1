"""The explorer in a real headless Chromium: offline, searchable, and XSS-free.

Needs Debian's `chromium` (/usr/bin/chromium, see scripts/install_chromium.sh) and
the `playwright` Python package; Playwright's own browser download is never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from graph.io import read_results
from graph.model import DocResult, Entity, EntityType, Predicate, Relation
from graph.rdf.build import build_graph
from graph.rdf.namespaces import KG
from graph.view.browser import CHROMIUM, launch_chromium
from graph.view.html import render_html
from graph.view.select import select_view

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="playwright cannot be imported (pip install playwright)",
    exc_type=ImportError,
)

ROOT = Path(__file__).resolve().parents[2]
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
    before = int(gold_page.page.inner_text("#visible-count"))
    gold_page.page.uncheck("#kg-legend input[value='PERSON']")
    hidden = gold_page.page.evaluate("nodes.get({filter: n => n.hidden}).length")
    people = gold_page.page.evaluate(
        "nodes.get({filter: n => !n.hidden && kg.node(n.id).type === 'PERSON'}).length"
    )
    after = int(gold_page.page.inner_text("#visible-count"))
    assert people == 0 and after < before
    assert after == gold_page.page.evaluate("nodes.length") - hidden


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
        assert "关系（1）" in panel  # one post, stated in two documents
        assert panel.count("任职于：兼职副主席") == 1
        assert opened.page.locator("#kg-panel .kg-evidence").count() == 2


def visible_names(opened: Opened) -> set[str]:
    return set(
        opened.page.evaluate(
            "nodes.get({filter: n => !n.hidden}).map(n => kg.node(n.id).name)"
        )
    )


def test_overview_labels_the_most_connected_readably(gold_page: Opened) -> None:
    sizes = gold_page.page.evaluate(
        "() => { const s = network.getScale(); return nodes.get().map(n => "
        "[kg.node(n.id).name, kg.node(n.id).degree,"
        " (n.font && n.font.size || 14) * s]); }"  # a label's size on screen
    )
    hub = max(sizes, key=lambda row: row[1])
    assert hub[0] == "中华全国总工会"
    assert gold_page.page.evaluate("network.getScale()") < 0.9  # an overview
    top = sorted(sizes, key=lambda row: -row[1])[:10]
    assert all(px >= 13 for _, _, px in top), top


def test_isolated_hidden_by_default_and_degree_filter(
    gold_page: Opened, gold_graph: Graph
) -> None:
    view = select_view(gold_graph)
    degrees = {e.name: view.degrees[e.iri] for e in view.entities}
    linked = {name for name, d in degrees.items() if d > 0}
    assert len(linked) < len(degrees)
    assert visible_names(gold_page) == linked
    assert gold_page.page.inner_text("#visible-count") == str(len(linked))
    gold_page.page.check("#kg-isolated")
    assert visible_names(gold_page) == set(degrees)
    gold_page.page.fill("#kg-min-degree", "3")
    assert visible_names(gold_page) == {n for n, d in degrees.items() if d >= 3}


def test_communities_colour_and_collapse(gold_page: Opened) -> None:
    page = gold_page.page
    page.check("#kg-colour-community")
    colours = page.evaluate(
        "() => { const c = {}; nodes.get().forEach(n => {"
        " const k = kg.node(n.id).community; (c[k] = c[k] || new Set()).add("
        " typeof n.color === 'string' ? n.color : n.color.background); });"
        " return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, [...v]])); }"
    )
    assert all(len(found) == 1 for found in colours.values())
    assert len({found[0] for key, found in colours.items() if key != "-1"}) > 5
    visible = page.evaluate("network.body.nodeIndices.length")
    page.click("#kg-cluster")
    assert page.evaluate("network.isCluster('community-0')")
    assert page.evaluate("network.body.nodeIndices.length") < visible
    page.click("#kg-cluster")
    assert page.evaluate("network.body.nodeIndices.length") == visible


def _interval(date: str) -> tuple[str, str]:
    parts = date.split("-")
    start = "-".join(parts + ["01"] * (3 - len(parts)))
    end = "-".join(parts + ["12", "31"][len(parts) - 1 :])
    return start, end


def test_date_range_filters_events(gold_page: Opened, gold_graph: Graph) -> None:
    view = select_view(gold_graph)
    held = {}
    for fact in view.facts:
        if fact.predicate is Predicate.HELD_ON:
            held.setdefault(view.names[fact.subject], set()).add(fact.object)
    inside = {
        name
        for name, dates in held.items()
        if any(
            s <= "2016-06-30" and e >= "2016-04-01" for s, e in map(_interval, dates)
        )
    }
    assert inside and inside < set(held)
    gold_page.page.fill("#kg-date-from", "2016-04")
    gold_page.page.fill("#kg-date-to", "2016-06")
    shown = visible_names(gold_page)
    events = {e.name for e in view.entities if e.type is EntityType.EVENT}
    assert shown & events == inside & shown
    assert "庆祝“五一”国际劳动节暨全国五一劳动表彰表彰大会" in shown
    assert any(e.type is EntityType.PERSON and e.name in shown for e in view.entities)


def _neighbours(view, name: str) -> set[str]:
    return {
        view.names[other]
        for f in view.facts
        if f.predicate is not Predicate.HELD_ON and f.object in view.names
        for end, other in ((f.subject, f.object), (f.object, f.subject))
        if view.names[end] == name
    }


def test_search_covers_the_whole_graph_and_says_no_match(
    browser, gold_graph: Graph, tmp_path: Path
) -> None:
    view = select_view(gold_graph, max_nodes=10)
    shown = {e.name for e in view.entities}
    target = min(  # an entity off the page whose neighbours are off it too
        (e.name for e in view.others if len(_neighbours(view, e.name) - shown) >= 2),
        key=lambda name: (-len(_neighbours(view, name)), name),
    )
    with Opened(browser, render_html(gold_graph, max_nodes=10), tmp_path) as opened:
        assert opened.page.evaluate("nodes.length") == 10
        assert target not in visible_names(opened)
        assert opened.search(target) == target
        assert {target} | _neighbours(view, target) <= visible_names(opened)
        assert target in opened.panel()
        assert opened.errors == []
        opened.page.fill("#kg-search", "李克强")
        assert opened.page.is_visible("#kg-results .kg-nomatch")
        assert "李克强" in opened.page.inner_text("#kg-results")


def _double_click(opened: Opened, name: str) -> None:
    position = opened.page.evaluate(
        "name => { const id = nodes.getIds().find(i => kg.node(i).name === name);"
        " return network.canvasToDOM(network.getPositions([id])[id]); }",
        name,
    )
    box = opened.page.locator("#mynetwork").bounding_box()
    opened.page.mouse.dblclick(box["x"] + position["x"], box["y"] + position["y"])


def test_double_click_expands_and_hides_neighbours(
    browser, gold_graph: Graph, tmp_path: Path
) -> None:
    page = render_html(gold_graph, focus="巨晓林", hops=0)
    with Opened(browser, page, tmp_path) as opened:
        opened.page.wait_for_timeout(500)  # the focus animation takes 300 ms
        assert visible_names(opened) == {"巨晓林"}
        _double_click(opened, "巨晓林")
        assert visible_names(opened) == {
            "巨晓林",
            "中华全国总工会",
            "全总十六届四次执委会",
        }
        _double_click(opened, "巨晓林")
        assert visible_names(opened) == {"巨晓林"}
        assert opened.errors == []


def test_panel_shows_iri_and_a_query_that_runs(
    gold_page: Opened, gold_graph: Graph
) -> None:
    from graph.rdf.build import entity_iri

    gold_page.search("巨晓林")
    iri = str(entity_iri(EntityType.PERSON, "巨晓林"))
    assert gold_page.page.inner_text("#kg-panel .kg-iri") == iri
    assert gold_page.page.inner_text("#kg-panel .kg-cli") == (
        "kg query output --name about 巨晓林"
    )
    sparql = gold_page.page.inner_text("#kg-panel .kg-sparql")
    rows = list(gold_graph.query(sparql))
    assert len(rows) > 3 and any(str(value) == "巨晓林" for _, value in rows)
    iris = gold_page.page.evaluate("nodes.getIds().map(id => kg.node(id).iri)")
    assert set(iris) == {str(e) for e in gold_graph.subjects(KG.mentionedIn, None)}


def test_hover_count_equals_the_panel(gold_page: Opened) -> None:
    pairs = gold_page.page.evaluate(
        "() => nodes.getIds().map(id => { kg.showNode(id);"
        " const title = nodes.get(id).title;"
        " return [title.match(/关系：(\\d+)/)[1],"
        " document.querySelectorAll('#kg-panel .kg-fact').length]; })"
    )
    assert len(pairs) > 100
    assert all(int(hover) == shown for hover, shown in pairs)


def test_panel_lists_relations_first_and_copies_once(browser, tmp_path: Path) -> None:
    person, org = "巨晓林", "中华全国总工会"
    sentence = "全国总工会兼职副主席巨晓林出席会议。"
    results = [
        DocResult(
            doc=f"copy_{n:02d}.txt",
            entities=(Entity(EntityType.PERSON, person), Entity(EntityType.ORG, org)),
            relations=(
                Relation(
                    person,
                    Predicate.HOLDS_POSITION,
                    org,
                    role="兼职副主席",
                    evidence=sentence,
                ),
            ),
        )  # fmt: skip
        for n in range(40)
    ]
    with Opened(browser, render_html(build_graph(results)), tmp_path) as opened:
        opened.search(person)
        panel = opened.panel()
        assert panel.count(sentence) == 1
        assert "等 40 份" in panel
        assert panel.index("关系与证据（1）") < panel.index("文档（40）")
        hover = opened.page.evaluate(
            "nodes.get(nodes.getIds().find(i => kg.node(i).name === '巨晓林')).title"
        )
        assert hover.endswith("关系：1")


def _download(opened: Opened, button: str) -> Path:
    with opened.page.expect_download() as info:
        opened.page.click(button)
    return Path(info.value.path())


def test_export_png_gexf_and_graphml_of_the_visible_graph(gold_page: Opened) -> None:
    import networkx as nx

    png = _download(gold_page, "#kg-export-png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    gold_page.page.uncheck("#kg-legend input[value='POLICY']")
    visible = set(
        gold_page.page.evaluate(
            "nodes.get({filter: n => !n.hidden}).map(n => kg.node(n.id).iri)"
        )
    )
    links = gold_page.page.evaluate("kg.visibleGraph().links.length")
    for button, read in (("#kg-export-gexf", nx.read_gexf),
                         ("#kg-export-graphml", nx.read_graphml)):  # fmt: skip
        exported = read(_download(gold_page, button))
        assert set(exported.nodes) == visible
        assert {d["type"] for _, d in exported.nodes(data=True)} == {
            "PERSON", "ORG", "EVENT", "LOCATION",
        }  # fmt: skip
        labels = {d["label"] for _, _, d in exported.edges(data=True)}
        assert "兼职副主席" in labels
        assert exported.number_of_edges() == links > 50
    assert gold_page.requests and not [
        u for u in gold_page.requests if not u.startswith(LOCAL_SCHEMES)
    ]


def test_entities_brought_in_stay_text_and_keep_their_iri(
    browser, tmp_path: Path
) -> None:
    from graph.rdf.build import entity_iri

    odd = f"王五!'()*{IMG} 100%"
    results = [
        hostile_result(),
        DocResult(
            doc="odd.txt",
            entities=(Entity(EntityType.PERSON, odd), Entity(EntityType.ORG, "甲工会"),
                      Entity(EntityType.ORG, "乙工会")),
            relations=(Relation("甲工会", Predicate.ISSUED, "乙工会"),  # the hub
                       Relation(odd, Predicate.HOLDS_POSITION, "甲工会", role="委员")),
        ),
    ]  # fmt: skip
    page = render_html(build_graph(results), max_nodes=1)
    with Opened(browser, page, tmp_path) as opened:
        assert opened.search("王五", enter=True) == odd
        assert opened.search("张三", enter=True).startswith("张三")
        panel = opened.panel()
        assert IMG in panel and SCRIPT in panel
        iris = opened.page.evaluate(
            "nodes.getIds().map(id => [kg.node(id).name, kg.node(id).iri])"
        )
        types = {odd: EntityType.PERSON, f'张三{IMG}"': EntityType.PERSON}
        for name, iri in iris:
            kind = types.get(name, EntityType.ORG)
            assert iri == str(entity_iri(kind, name)), name
        assert {odd, f'张三{IMG}"'} <= {name for name, _ in iris}
        titles = opened.page.evaluate("nodes.get().map(n => n.title)")
        assert any(IMG in title for title in titles)
        assert opened.page.locator("img").count() == 0
        assert opened.dialogs == [] and opened.errors == []
