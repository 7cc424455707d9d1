"""The offline HTML explorer: no remote assets, text stays text, view selection, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS
from typer.testing import CliRunner

from graph.cli import app
from graph.errors import InputError
from graph.io import read_results
from graph.model import DocResult, Entity, EntityType, Predicate, Relation
from graph.namespaces import KG, PREDICATE_TERMS
from graph.rdf import build_graph, serialize
from graph.subgraph import select_view
from graph.view import PREDICATE_LABELS, TYPE_STYLES, render_html

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = '<a href="javascript:alert(1)">点我</a>'
DATA_RE = re.compile(
    r'<script type="application/json" id="kg-data">(.*?)</script>', re.DOTALL
)


@pytest.fixture(scope="module")
def gold_graph() -> Graph:
    return build_graph(read_results([ROOT / "data" / "gold"]))


@pytest.fixture(scope="module")
def gold_html(gold_graph: Graph) -> str:
    return render_html(gold_graph)


def hostile_result() -> DocResult:
    """Return a document whose names and evidence are markup and quotes."""
    person = f'张三{IMG}"'
    org = f"{SCRIPT}总工会"
    return DocResult(
        doc=f'{IMG}".txt',
        entities=(
            Entity(EntityType.PERSON, person, aliases=(f'老张"{SCRIPT}', LINK)),
            Entity(EntityType.ORG, org),
        ),
        relations=(
            Relation(
                person,
                Predicate.HOLDS_POSITION,
                org,
                role=f"主席{IMG}",
                evidence=f'{SCRIPT}{IMG}"张三"任{LINK}主席',
            ),
        ),
    )


def page_data(page: str) -> dict:
    found = DATA_RE.findall(page)
    assert len(found) == 1
    return json.loads(found[0])


def names(page: str) -> set[str]:
    return {node["name"] for node in page_data(page)["nodes"]}


def test_page_has_no_remote_assets(gold_html: str) -> None:
    assert not re.search(
        r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", gold_html, re.I
    )
    assert not re.search(r"@import|url\(\s*[\"']?\s*(?:https?:)?//", gold_html, re.I)
    assert "<link" not in gold_html
    assert not re.search(r"<script[^>]*\bsrc\s*=", gold_html, re.I)
    assert "Content-Security-Policy" in gold_html


def test_page_inlines_vis_network_and_own_code(gold_html: str) -> None:
    assert gold_html.startswith("<!DOCTYPE html>")
    assert gold_html.index('<meta charset="utf-8">') < 1024
    assert "new vis.Network(" in gold_html
    assert "vis-network" in gold_html  # the library's own CSS classes
    assert "stabilizationIterationsDone" in gold_html
    assert "node-count" in gold_html
    assert ".innerHTML" not in gold_html.split('id="kg-data"')[1]


def test_whole_small_graph_is_shown(gold_graph: Graph, gold_html: str) -> None:
    entities = set(gold_graph.subjects(KG.mentionedIn, None))
    data = page_data(gold_html)
    assert len(data["nodes"]) == len(entities) == data["total"]


def test_search_data_includes_aliases(gold_html: str) -> None:
    nodes = {node["name"]: node for node in page_data(gold_html)["nodes"]}
    assert "全总" in nodes["中华全国总工会"]["aliases"]
    assert nodes["巨晓林"]["type"] == "PERSON"
    assert "000_80d6cb6674d9bde7.txt" in nodes["巨晓林"]["docs"]


def test_facts_carry_role_evidence_and_document(gold_html: str) -> None:
    data = page_data(gold_html)
    posts = [
        f
        for f in data["facts"]
        if f["sName"] == "巨晓林" and f["p"] == "holds_position"
    ]
    assert {f["role"] for f in posts} == {"兼职副主席"}
    assert {f["oName"] for f in posts} == {"中华全国总工会"}
    assert all(f["evidence"] and f["doc"].endswith(".txt") and f["edge"] for f in posts)


def test_edges_and_hover_text_in_network_data(gold_html: str) -> None:
    # pyvis writes its node and edge data with \u escapes
    assert json.dumps("兼职副主席") in gold_html
    assert json.dumps(PREDICATE_LABELS[Predicate.ORGANIZED]) in gold_html
    hover = "组织：中华全国总工会\n别名：全国总工会、全总"
    assert json.dumps(hover)[:-1] in gold_html
    assert json.dumps(TYPE_STYLES[EntityType.PERSON][1]) in gold_html


@pytest.mark.parametrize("needle", [SCRIPT, IMG, LINK, "<img", "<script>alert"])
def test_document_text_is_never_markup(needle: str) -> None:
    page = render_html(build_graph([hostile_result()]))
    assert needle not in page
    assert "popup.innerHTML" not in page  # pyvis's HTML tooltip stays off


def test_document_text_survives_as_data() -> None:
    data = page_data(render_html(build_graph([hostile_result()])))
    person = next(n for n in data["nodes"] if n["type"] == "PERSON")
    assert person["name"] == f'张三{IMG}"'
    assert f'老张"{SCRIPT}' in person["aliases"]
    assert data["facts"][0]["evidence"] == f'{SCRIPT}{IMG}"张三"任{LINK}主席'
    assert data["facts"][0]["doc"] == f'{IMG}".txt'


def test_title_is_escaped(gold_graph: Graph) -> None:
    page = render_html(gold_graph, max_nodes=5, title=f"图{IMG}")
    assert IMG not in page
    assert "<title>图&lt;img src=x onerror=alert(1)&gt;</title>" in page


def test_max_nodes_keeps_the_most_connected(gold_graph: Graph) -> None:
    view = select_view(gold_graph, max_nodes=10)
    assert len(view.entities) == 10
    assert "中华全国总工会" in {e.name for e in view.entities}
    assert min(view.degrees.values()) >= 2
    assert len(page_data(render_html(gold_graph, max_nodes=10))["nodes"]) == 10


def test_focus_and_hops_limit_the_neighbourhood(gold_graph: Graph) -> None:
    one = names(render_html(gold_graph, focus="巨晓林", hops=1))
    assert one == {"巨晓林", "中华全国总工会", "全总十六届四次执委会"}
    two = names(render_html(gold_graph, focus="巨晓林", hops=2))
    assert one < two and len(two) > 10
    assert names(render_html(gold_graph, focus="巨晓林", hops=0)) == {"巨晓林"}
    assert len(names(render_html(gold_graph, focus="巨晓林", hops=2, max_nodes=5))) == 5


def test_focus_resolves_aliases(gold_graph: Graph) -> None:
    view = select_view(gold_graph, focus="全总", hops=0)
    assert [e.name for e in view.entities] == ["中华全国总工会"]


def test_types_filter(gold_graph: Graph) -> None:
    view = select_view(gold_graph, types={"PERSON", "org"})
    assert {e.type for e in view.entities} == {EntityType.PERSON, EntityType.ORG}


@pytest.mark.parametrize(
    "options",
    [
        {"focus": "不存在的实体"},
        {"types": {"PEOPLE"}},
        {"focus": "巨晓林", "types": {"ORG"}},
    ],
)
def test_bad_options_raise_input_error(gold_graph: Graph, options: dict) -> None:
    with pytest.raises(InputError):
        select_view(gold_graph, **options)


def test_empty_graph_renders() -> None:
    data = page_data(render_html(Graph()))
    assert data["nodes"] == [] and data["facts"] == []


def test_output_is_deterministic(gold_graph: Graph) -> None:
    assert render_html(gold_graph, max_nodes=50) == render_html(
        gold_graph, max_nodes=50
    )


def test_predicate_labels_match_the_ontology() -> None:
    ontology = Graph().parse(ROOT / "ontology" / "kg.ttl")
    for pred, term in PREDICATE_TERMS.items():
        if str(term).startswith(str(KG)):
            assert Literal(PREDICATE_LABELS[pred], lang="zh") in set(
                ontology.objects(term, RDFS.label)
            )


def test_cli_view(tmp_path: Path, gold_graph: Graph) -> None:
    (tmp_path / "graph.ttl").write_text(serialize(gold_graph, "ttl"), encoding="utf-8")
    out = tmp_path / "page.html"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["view", str(tmp_path), "--focus", "巨晓林", "--hops", "1", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert names(out.read_text(encoding="utf-8")) == {
        "巨晓林",
        "中华全国总工会",
        "全总十六届四次执委会",
    }
    result = runner.invoke(
        app, ["view", str(tmp_path / "graph.ttl"), "--types", "PERSON,ORG",
              "--max-nodes", "7", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(page_data(out.read_text(encoding="utf-8"))["nodes"]) == 7


def test_cli_view_reports_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["view", str(tmp_path / "missing.ttl")])
    assert result.exit_code == 1
    assert "no such graph file" in result.output
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    result = runner.invoke(app, ["view", str(bad), "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 1
    assert "not a Turtle/N-Triples graph" in result.output
