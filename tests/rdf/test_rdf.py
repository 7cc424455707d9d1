"""The RDF graph: standard vocabularies, determinism, round trips, SHACL, merging."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import ORG, RDF, SKOS, XSD

from graph.merge import merge_documents
from graph.model import DocResult, Entity, EntityType, Predicate, Relation
from graph.rdf.build import (
    build_graph,
    date_literal,
    document_iri,
    entity_iri,
    serialize,
)
from graph.rdf.namespaces import KG, SCHEMA
from graph.rdf.shapes import validate_graph
from graph.settings import Settings


@pytest.fixture(scope="module")
def corpus_graph(corpus_results) -> Graph:
    return build_graph(merge_documents(corpus_results))


def test_turtle_round_trip_is_isomorphic(corpus_graph):
    again = Graph().parse(data=serialize(corpus_graph, "turtle"), format="turtle")
    assert isomorphic(corpus_graph, again)


def test_ntriples_round_trip_is_isomorphic(corpus_graph):
    again = Graph().parse(data=serialize(corpus_graph, "nt"), format="nt")
    assert isomorphic(corpus_graph, again)


def test_second_parser_reads_both_serializations(corpus_graph):
    for fmt, mime in (
        ("turtle", pyoxigraph.RdfFormat.TURTLE),
        ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
    ):
        quads = list(
            pyoxigraph.parse(serialize(corpus_graph, fmt).encode("utf-8"), mime)
        )
        assert len(quads) == len(corpus_graph)


def test_same_input_gives_byte_identical_ntriples(corpus_results):
    first = serialize(build_graph(corpus_results), "nt")
    second = serialize(build_graph(list(reversed(corpus_results))), "nt")
    assert first == second
    assert first.splitlines() == sorted(first.splitlines())


def test_graph_conforms_to_shapes(corpus_graph):
    conforms, report = validate_graph(corpus_graph, Settings().shapes)
    assert conforms, report


def test_shapes_reject_a_fact_without_evidence(corpus_graph):
    broken = Graph()
    for triple in corpus_graph:
        broken.add(triple)
    fact = next(broken.subjects(RDF.type, KG.Fact))
    broken.remove((fact, KG.evidence, None))
    conforms, _ = validate_graph(broken, Settings().shapes)
    assert not conforms


def test_post_is_an_org_membership_with_role():
    doc = DocResult(
        doc="a.txt",
        entities=(
            Entity(EntityType.PERSON, "巨晓林"),
            Entity(EntityType.ORG, "中华全国总工会", ("全总",)),
        ),
        relations=(
            Relation(
                "巨晓林",
                Predicate.HOLDS_POSITION,
                "中华全国总工会",
                "兼职副主席",
                "巨晓林当选兼职副主席",
                0,
                10,
            ),
        ),
    )
    g = build_graph([doc])
    person = entity_iri(EntityType.PERSON, "巨晓林")
    org = entity_iri(EntityType.ORG, "中华全国总工会")
    assert (person, KG.holdsPositionIn, org) in g
    membership = next(g.subjects(ORG.member, person))
    assert (membership, ORG.organization, org) in g
    role = g.value(membership, ORG.role)
    assert g.value(role, SKOS.prefLabel) == Literal("兼职副主席", lang="zh")
    assert (org, SKOS.altLabel, Literal("全总", lang="zh")) in g


@pytest.mark.parametrize(
    ("value", "datatype"),
    [("2016-01-17", XSD.date), ("2016-09", XSD.gYearMonth), ("2016", XSD.gYear)],
)
def test_dates_keep_their_precision(value, datatype):
    assert date_literal(value).datatype == datatype


def test_same_entity_in_two_documents_is_one_node():
    def doc(name: str) -> DocResult:
        return DocResult(doc=name, entities=(Entity(EntityType.ORG, "国务院"),))

    g = build_graph([doc("a.txt"), doc("b.txt")])
    nodes = set(g.subjects(RDF.type, SCHEMA.Organization))
    assert nodes == {entity_iri(EntityType.ORG, "国务院")}
    assert len(set(g.objects(next(iter(nodes)), KG.mentionedIn))) == 2


def test_namespace_terms_equal_ontology_terms():
    onto = Graph().parse(Settings().ontology)
    declared = {str(s) for s in onto.subjects() if str(s).startswith(str(KG))}
    in_code = {str(KG[name]) for name in KG.__annotations__}
    assert declared == in_code


def test_variants_across_documents_become_one_node():
    from graph.merge import merge_documents

    def doc(name: str, event: str, date: str) -> DocResult:
        rel = Relation(
            event, Predicate.HELD_ON, date, evidence=f"{event}召开", start=0, end=5
        )
        return DocResult(
            doc=name, entities=(Entity(EntityType.EVENT, event),), relations=(rel,)
        )

    merged = merge_documents(
        [
            doc("a.txt", "全总十六届四次执委会会议", "2016-01-17"),
            doc("b.txt", "全总十六届四次执委会", "2016"),
        ]
    )
    g = build_graph(merged)
    events = set(g.subjects(RDF.type, SCHEMA.Event))
    assert len(events) == 1
    (node,) = events
    assert len(set(g.objects(node, SCHEMA.startDate))) == 2
    assert len(set(g.objects(node, SKOS.altLabel))) == 1


@pytest.mark.parametrize(
    ("type_", "name", "local"),
    [
        (EntityType.PERSON, "巨晓林", "巨晓林"),
        (EntityType.POLICY, "《“1+6”文件》", "1+6文件"),
        (EntityType.ORG, "ＡＢＣ公司", "ABC公司"),
        (EntityType.ORG, "A/B 100%", "A%2FB100%25"),  # spaces are not in the key
        (EntityType.EVENT, "x<y>{z}|^`\\", "x%3Cy%3E%7Bz%7D%7C%5E%60%5C"),
    ],
)
def test_iris_are_readable_and_valid(type_, name, local):
    iri = str(entity_iri(type_, name))
    assert iri.rsplit("/", 1)[1] == local
    # a valid IRI for both parsers: N-Triples refuses the characters escaped
    line = f"<{iri}> <http://x.org/p> <http://x.org/o> .\n"
    assert len(Graph().parse(data=line, format="nt")) == 1
    assert len(list(pyoxigraph.parse(line.encode(), pyoxigraph.RdfFormat.N_TRIPLES)))


def test_event_variants_mint_one_iri_without_merging():
    one = entity_iri(EntityType.EVENT, "全总十六届四次执委会")
    assert one == entity_iri(EntityType.EVENT, "全总十六届四次执委会会议")
    assert one != entity_iri(EntityType.EVENT, "全总十六届五次执委会")


def test_document_iri_is_the_relative_path():
    assert str(document_iri("a/x.txt")).endswith("/doc/a/x.txt")
    assert document_iri("a/x.txt") != document_iri("b/x.txt")


def test_displayed_iri_pasted_into_a_query_finds_the_entity(gold_output, gold_graph):
    from pyoxigraph import NamedNode

    from graph.sparql.query import answer_query, shorten

    people = sorted(set(gold_graph.subjects(RDF.type, SCHEMA.Person)))
    assert people
    for node in people:
        shown = shorten(NamedNode(str(node)))
        assert "%" not in shown
        for written in (shown, f"<{node}>"):
            query = f"SELECT ?name WHERE {{ {written} skos:prefLabel ?name }}"
            table = answer_query(
                gold_output, query, fmt="tsv", folder=Settings().queries
            )
            assert len(table.splitlines()) == 2, (written, table)


def test_construct_turtle_shows_readable_prefixed_names(gold_output):
    from graph.sparql.query import answer_query

    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s skos:prefLabel '巨晓林'@zh ; ?p ?o }"
    text = answer_query(gold_output, query, fmt="turtle", folder=Settings().queries)
    assert "person:巨晓林" in text
    assert "%E5" not in text and "\\%" not in text
    assert len(Graph().parse(data=text, format="turtle")) > 0


def test_document_node_carries_the_text_hash(corpus_results):
    g = build_graph(corpus_results)
    for result in corpus_results:
        assert g.value(document_iri(result.doc), KG.sha256).toPython() == bytes.fromhex(
            result.sha256
        )


@pytest.fixture(scope="module")
def identified_graph(corpus_results) -> Graph:
    from graph.export import read_texts
    from graph.merge import identify_documents

    corpus = Path(__file__).resolve().parents[2] / "data" / "corpus"

    texts = read_texts([corpus], corpus_results)
    return build_graph(merge_documents(identify_documents(corpus_results, texts)[0]))


def test_identified_graph_conforms_to_shapes(identified_graph):
    conforms, report = validate_graph(identified_graph, Settings().shapes)
    assert conforms, report


@pytest.mark.parametrize(
    "extra",
    [
        lambda g, d: g.add((d, KG.sha256, Literal("not hex"))),
        lambda g, d: g.add((d, SCHEMA.name, Literal("second name"))),
        lambda g, d: g.add(
            (next(g.subjects(RDF.type, SCHEMA.Person)), KG.possiblySameAs, Literal("x"))
        ),
    ],
)
def test_shapes_reject_broken_identity(identified_graph, extra):
    broken = Graph()
    for triple in identified_graph:
        broken.add(triple)
    extra(broken, next(broken.subjects(RDF.type, KG.Document)))
    conforms, _ = validate_graph(broken, Settings().shapes)
    assert not conforms
