"""Cross-document identity: namesakes, aliases, variants, the merge report."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from graph.export import read_texts
from graph.merge import KEPT_APART, MERGED, identify_documents, merge_documents
from graph.model import EntityType
from graph.pipeline import extract_text
from graph.rdf.build import build_graph
from graph.rdf.namespaces import KG, SCHEMA

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"

BEIJING = "北京市总工会主席王建国出席会议并讲话。"
GUANGDONG = "广东省人民政府副省长王建国出席活动。"


def _identify(rules_nlp, texts: dict[str, str]):
    results = [extract_text(rules_nlp, text, name) for name, text in texts.items()]
    return identify_documents(results, texts)


def _iris(results, type_: EntityType, name: str) -> set[str]:
    return {
        e.iri for r in results for e in r.entities if e.type is type_ and e.name == name
    }


def test_namesakes_of_different_organizations_stay_apart(rules_nlp):
    results, merges = _identify(rules_nlp, {"a.txt": BEIJING, "b.txt": GUANGDONG})
    iris = _iris(results, EntityType.PERSON, "王建国")
    assert len(iris) == 2
    assert any(iri.endswith("王建国·北京市总工会") for iri in iris)
    (apart,) = [m for m in merges if m.decision == KEPT_APART]
    assert {apart.iri, apart.other} == iris
    assert apart.reason.startswith("different organizations")
    assert apart.documents == ("a.txt", "b.txt")
    graph = build_graph(merge_documents(results))
    people = set(graph.subjects(RDF.type, SCHEMA.Person))
    assert {str(p) for p in people} == iris
    first, second = sorted(people)
    assert (first, KG.possiblySameAs, second) in graph
    assert (second, KG.possiblySameAs, first) in graph


def test_many_namesakes_are_linked_as_a_star_not_every_pair(rules_nlp):
    texts = {f"{n}.txt": "王建国同志来到车间。" for n in "abcde"}
    results, merges = _identify(rules_nlp, texts)
    iris = sorted(_iris(results, EntityType.PERSON, "王建国"))
    assert len(iris) == 5
    graph = build_graph(merge_documents(results))
    links = set(graph.subject_objects(KG.possiblySameAs))
    first = next(i for i in iris if i.endswith("a.txt"))
    others = set(iris) - {first}
    assert {(str(s), str(o)) for s, o in links} == {
        pair for other in others for pair in ((first, other), (other, first))
    }
    apart = [m for m in merges if m.decision == KEPT_APART]
    assert sorted((m.iri, m.other) for m in apart) == [
        (first, o) for o in sorted(others)
    ]
    # every namesake reaches every other in at most two steps
    query = (
        "SELECT ?a ?b { ?a kg:possiblySameAs/kg:possiblySameAs? ?b FILTER(?a != ?b) }"
    )
    pairs = {(str(a), str(b)) for a, b in graph.query(query, initNs={"kg": KG})}
    assert len(pairs) == 5 * 4


def test_namesakes_of_one_organization_are_one(rules_nlp):
    later = "北京市总工会主席王建国调研职工服务中心。"
    results, merges = _identify(rules_nlp, {"a.txt": BEIJING, "c.txt": later})
    (iri,) = _iris(results, EntityType.PERSON, "王建国")
    assert iri.endswith("/person/王建国")
    (merge,) = [m for m in merges if m.type is EntityType.PERSON]
    assert merge.decision == MERGED
    assert merge.reason == "same name and organization (北京市总工会)"


def test_a_post_written_beside_the_name_is_evidence(rules_nlp):
    texts = {"a.txt": "习近平总书记作出重要指示。", "b.txt": "学习习近平总书记讲话。"}
    results, merges = _identify(rules_nlp, texts)
    assert len(_iris(results, EntityType.PERSON, "习近平")) == 1
    (merge,) = [m for m in merges if m.type is EntityType.PERSON]
    assert merge.reason == "same name and post (总书记)"


def test_namesakes_without_evidence_are_kept_apart(rules_nlp):
    texts = {"a.txt": "王建国同志来到车间。", "b.txt": "王建国同志走访企业。"}
    results, merges = _identify(rules_nlp, texts)
    assert len(_iris(results, EntityType.PERSON, "王建国")) == 2
    (apart,) = [m for m in merges if m.decision == KEPT_APART]
    assert apart.reason == "no shared organization, post or alias"


def test_acftu_names_across_documents_are_one_with_reasons(rules_nlp):
    texts = {
        "a.txt": "全总召开会议。",
        "b.txt": "全国总工会召开会议。",
        "c.txt": "中华全国总工会召开会议。",
    }
    results, merges = _identify(rules_nlp, texts)
    (iri,) = _iris(results, EntityType.ORG, "中华全国总工会")
    assert iri.endswith("/organization/中华全国总工会")
    reasons = {(m.other, m.reason, m.documents) for m in merges if m.iri == iri}
    assert ("全总", "lexicon alias", ("a.txt",)) in reasons
    assert ("全国总工会", "lexicon alias", ("b.txt",)) in reasons
    assert ("中华全国总工会", "same name", ("a.txt", "b.txt", "c.txt")) in reasons


@pytest.fixture(scope="module")
def corpus_texts(corpus_results):
    return read_texts([CORPUS], corpus_results)


def test_iris_do_not_drift_with_the_corpus(corpus_results, corpus_texts):
    together, _ = identify_documents(corpus_results, corpus_texts)
    for result, joint in zip(corpus_results, together, strict=True):
        (alone,), _ = identify_documents([result], corpus_texts)
        assert [e.iri for e in alone.entities] == [e.iri for e in joint.entities]
        # and as minted for the document alone at extraction
        assert [e.iri for e in result.entities] == [e.iri for e in joint.entities]


def test_event_variants_across_the_corpus_are_one(corpus_results, corpus_texts):
    together, merges = identify_documents(corpus_results, corpus_texts)
    graph = build_graph(merge_documents(together))
    node = URIRef("https://w3id.org/zh-kg/resource/event/全总十六届四次执委会")
    assert (node, RDF.type, SCHEMA.Event) in graph
    assert len(set(graph.objects(node, KG.mentionedIn))) == 2


def test_identification_is_deterministic(corpus_results, corpus_texts):
    first = identify_documents(corpus_results, corpus_texts)
    second = identify_documents(list(reversed(corpus_results)), corpus_texts)
    assert first[1] == second[1]
    assert sorted(r.to_dict()["doc"] for r in first[0]) == sorted(
        r.doc for r in second[0]
    )
    by_doc = {r.doc: r for r in second[0]}
    for result in first[0]:
        assert result == by_doc[result.doc]
