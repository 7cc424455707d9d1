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
from graph.rdf.build import build_graph, serialize
from graph.rdf.namespaces import KG, PREDICATE_TERMS
from graph.view.html import PREDICATE_LABELS, TYPE_STYLES, render_html
from graph.view.select import select_view

ROOT = Path(__file__).resolve().parents[2]
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
    data = page_data(gold_html)
    nodes = {node["name"]: node for node in data["nodes"]}
    assert "全总" in nodes["中华全国总工会"]["aliases"]
    assert nodes["巨晓林"]["type"] == "PERSON"
    docs = {data["docs"][i] for i in nodes["巨晓林"]["docs"]}
    assert "000_80d6cb6674d9bde7.txt" in docs


def test_relations_carry_role_evidence_and_document(gold_html: str) -> None:
    data = page_data(gold_html)
    ids = {node["name"]: node["id"] for node in data["nodes"]}
    posts = [
        r
        for r in data["rels"]
        if r["s"] == ids["巨晓林"] and r["p"] == "holds_position"
    ]
    assert len(posts) == 1  # one post, stated in two documents
    (post,) = posts
    assert post["role"] == "兼职副主席" and post["o"] == ids["中华全国总工会"]
    assert post["edge"] and post["label"] == "兼职副主席"
    docs = {data["docs"][i] for _, found in post["ev"] for i in found}
    assert docs == {"000_80d6cb6674d9bde7.txt", "003_5190ecaf4caf65d3.txt"}
    assert all("巨晓林" in sentence for sentence, _ in post["ev"])


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
    ((sentence, docs),) = data["rels"][0]["ev"]
    assert sentence == f'{SCRIPT}{IMG}"张三"任{LINK}主席'
    assert [data["docs"][i] for i in docs] == [f'{IMG}".txt']


def test_title_is_escaped(gold_graph: Graph) -> None:
    page = render_html(gold_graph, max_nodes=5, title=f"图{IMG}")
    assert IMG not in page
    assert "<title>图&lt;img src=x onerror=alert(1)&gt;</title>" in page


def test_max_nodes_keeps_the_most_connected(gold_graph: Graph) -> None:
    view = select_view(gold_graph, max_nodes=10)
    assert len(view.entities) == 10
    assert "中华全国总工会" in {e.name for e in view.entities}
    assert min(view.degrees[e.iri] for e in view.entities) >= 2
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
    assert data["nodes"] == data["more"] == data["rels"] == []


def test_output_is_deterministic(gold_graph: Graph) -> None:
    assert render_html(gold_graph, max_nodes=50) == render_html(
        gold_graph, max_nodes=50
    )


def test_predicate_labels_match_the_ontology() -> None:
    ontology = Graph().parse(ROOT / "graph" / "ontology" / "kg.ttl")
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


SENTENCE = "全国总工会副主席巨晓林出席会议并讲话。"


def copied_results(copies: int) -> list[DocResult]:
    """Return `copies` documents that carry the same sentence (reposted news)."""
    person, org, event = "巨晓林", "中华全国总工会", "全国劳模座谈会"
    return [
        DocResult(
            doc=f"copy_{number:03d}.txt",
            entities=(
                Entity(EntityType.PERSON, person),
                Entity(EntityType.ORG, org),
                Entity(EntityType.EVENT, event),
                Entity(EntityType.POLICY, f"《第{number}号通知》"),  # isolated
            ),
            relations=(
                Relation(
                    person,
                    Predicate.HOLDS_POSITION,
                    org,
                    role="副主席",
                    evidence=SENTENCE,
                ),
                Relation(
                    person,
                    Predicate.PARTICIPATED_IN,
                    event,
                    role="出席",
                    evidence=SENTENCE,
                ),
            ),
        )  # fmt: skip
        for number in range(copies)
    ]


def test_evidence_copied_across_documents_is_listed_once() -> None:
    data = page_data(render_html(build_graph(copied_results(30))))
    person = next(n for n in data["nodes"] if n["name"] == "巨晓林")
    mine = [r for r in data["rels"] if person["id"] in (r["s"], r["o"])]
    assert len(mine) == 2 == person["rels"]
    for rel in mine:
        ((sentence, docs),) = rel["ev"]
        assert sentence == SENTENCE and len(docs) == 30


def test_hover_count_is_the_number_of_relations(gold_graph: Graph) -> None:
    page = render_html(gold_graph)
    data = page_data(page)
    for node in data["nodes"]:
        touching = [r for r in data["rels"] if node["id"] in (r["s"], r["o"])]
        assert node["rels"] == len(touching)
    juxiaolin = next(n for n in data["nodes"] if n["name"] == "巨晓林")
    assert json.dumps(f"人物：巨晓林\n关系：{juxiaolin['rels']}") in page
    assert juxiaolin["rels"] == 2  # the post (two documents) and the meeting


def test_page_indexes_the_whole_graph(gold_graph: Graph) -> None:
    data = page_data(render_html(gold_graph, max_nodes=10))
    everyone = data["nodes"] + data["more"]
    assert len(data["nodes"]) == 10 and len(everyone) == data["total"]
    assert len({n["id"] for n in everyone}) == len(everyone)
    assert "李玉赋" in {n["name"] for n in data["more"]}
    shown = {n["id"] for n in data["nodes"]}
    assert any(r["s"] not in shown and r["o"] not in shown for r in data["rels"])


def test_page_omits_only_iris_it_can_mint(gold_graph: Graph) -> None:
    data = page_data(render_html(gold_graph))
    assert all("iri" not in n for n in data["nodes"])  # all minted by entity_iri
    assert data["prefixes"]["kgr"] == "https://w3id.org/zh-kg/resource/"


def test_communities_group_connected_entities() -> None:
    results = [
        DocResult(
            doc="a.txt",
            entities=tuple(Entity(EntityType.PERSON, n) for n in "甲乙丙丁戊己庚")
            + (Entity(EntityType.ORG, "甲组织"), Entity(EntityType.ORG, "乙组织")),
            relations=tuple(
                Relation(p, Predicate.HOLDS_POSITION, org, role="委员")
                for p, org in [("甲", "甲组织"), ("乙", "甲组织"), ("丙", "甲组织"),
                               ("丁", "乙组织"), ("戊", "乙组织"), ("己", "乙组织")]
            ),
        )
    ]  # fmt: skip
    data = page_data(render_html(build_graph(results)))
    community = {n["name"]: n["community"] for n in data["nodes"]}
    assert community["甲"] == community["乙"] == community["甲组织"] >= 0
    assert community["丁"] == community["乙组织"] != community["甲组织"]
    assert community["庚"] == -1  # isolated
    again = page_data(render_html(build_graph(results)))
    assert {n["name"]: n["community"] for n in again["nodes"]} == community


def test_cli_view_defaults_to_output_and_keeps_graph_html(
    tmp_path: Path, gold_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "graph.ttl").write_text(serialize(gold_graph, "ttl"), encoding="utf-8")
    (output / "graph.html").write_text("the full page", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["view", "--focus", "巨晓林", "--hops", "1"])
    assert result.exit_code == 0, result.output
    page = output / "view-巨晓林.html"
    assert names(page.read_text(encoding="utf-8")) == {
        "巨晓林", "中华全国总工会", "全总十六届四次执委会",
    }  # fmt: skip
    result = runner.invoke(app, ["view", "output", "--focus", "巨晓林"])
    assert result.exit_code == 0, result.output
    assert len(names(page.read_text(encoding="utf-8"))) > 3
    assert runner.invoke(app, ["view"]).exit_code == 0
    assert len(names((output / "view.html").read_text(encoding="utf-8"))) > 100
    assert (output / "graph.html").read_text(encoding="utf-8") == "the full page"


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_cli_view_exports_with_networkx(
    tmp_path: Path, gold_graph: Graph, suffix: str
) -> None:
    import networkx as nx

    (tmp_path / "graph.ttl").write_text(serialize(gold_graph, "ttl"), encoding="utf-8")
    target = tmp_path / f"view{suffix}"
    runner = CliRunner()
    result = runner.invoke(app, ["view", str(tmp_path), "--export", str(target)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "view.html").exists()  # only the export was asked for
    read = nx.read_gexf if suffix == ".gexf" else nx.read_graphml
    exported = read(target)
    view = select_view(gold_graph)
    linked = {e.iri for e in view.entities if view.degrees[e.iri]}
    assert set(exported.nodes) == linked
    labels = {d["label"] for _, _, d in exported.edges(data=True)}
    assert {"兼职副主席", "组织举办"} <= labels
    juxiaolin = next(d for _, d in exported.nodes(data=True) if d["label"] == "巨晓林")
    assert juxiaolin["type"] == "PERSON"
    result = runner.invoke(
        app, ["view", str(tmp_path), "--export", str(target), "--isolated"]
    )
    assert result.exit_code == 0, result.output
    assert len(read(target)) == len(view.entities) > len(linked)


def test_cli_view_refuses_an_unknown_export_format(tmp_path: Path) -> None:
    (tmp_path / "graph.ttl").write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["view", str(tmp_path), "--export", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 1
    assert "--export needs a .gexf or .graphml file" in result.output
