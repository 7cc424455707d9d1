"""DocResults -> one rdflib Graph; the only place that mints IRIs."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import quote

from rdflib import Graph, Literal
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import URIRef

from ..model import DocResult, Entity, EntityType, Predicate, Relation
from .namespaces import (
    ENTITY_CLASSES,
    INVERSE_TERMS,
    KG,
    KGR,
    PREDICATE_TERMS,
    SCHEMA,
    new_graph,
)

__all__ = ["entity_iri", "document_iri", "date_literal", "build_graph", "serialize"]

_DATE_TYPES = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _slug(text: str) -> str:
    return quote(text, safe="")


def entity_iri(type_: EntityType, name: str) -> URIRef:
    """Mint the IRI of an entity from its type and canonical name.

    Examples:
        >>> str(entity_iri(EntityType.PERSON, "巨晓林"))
        'https://w3id.org/zh-kg/resource/person/%E5%B7%A8%E6%99%93%E6%9E%97'
    """
    return KGR[f"{type_.value.lower()}/{_slug(name)}"]


def document_iri(doc: str) -> URIRef:
    """Mint the IRI of a source document from its file name."""
    return KGR[f"doc/{_slug(doc)}"]


def role_iri(role: str) -> URIRef:
    """Mint the IRI of an org:Role (a post such as 副主席)."""
    return KGR[f"role/{_slug(role)}"]


def _fact_iri(doc: str, rel: Relation) -> URIRef:
    key = "\x1f".join((doc, *rel.key))
    return KGR[f"fact/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:20]}"]


def date_literal(value: str) -> Literal | None:
    """Type an ISO date at its stated precision, or None when it is not one.

    Examples:
        >>> date_literal("2016-09").datatype.endswith("gYearMonth")
        True
        >>> date_literal("初春") is None
        True
    """
    if not _DATE_RE.match(value):
        return None
    return Literal(value, datatype=_DATE_TYPES[len(value)])


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _add_entity(graph: Graph, entity: Entity, doc_node: URIRef) -> None:
    node = entity_iri(entity.type, entity.name)
    for cls in ENTITY_CLASSES[entity.type]:
        graph.add((node, RDF.type, cls))
    graph.add((node, SKOS.prefLabel, _zh(entity.name)))
    graph.add((node, RDFS.label, _zh(entity.name)))
    for alias in entity.aliases:
        if alias != entity.name:
            graph.add((node, SKOS.altLabel, _zh(alias)))
    graph.add((node, KG.mentionedIn, doc_node))


def _object_node(
    rel: Relation, types: dict[str, EntityType]
) -> URIRef | Literal | None:
    if rel.predicate is Predicate.HELD_ON:
        return date_literal(rel.object)
    if rel.object not in types:
        return None
    return entity_iri(types[rel.object], rel.object)


def _add_relation(
    graph: Graph, rel: Relation, doc: str, types: dict[str, EntityType]
) -> bool:
    if rel.subject not in types:
        return False
    subject = entity_iri(types[rel.subject], rel.subject)
    obj = _object_node(rel, types)
    if obj is None:
        return False
    term = PREDICATE_TERMS[rel.predicate]
    graph.add((subject, term, obj))
    if rel.predicate in INVERSE_TERMS:
        graph.add((obj, INVERSE_TERMS[rel.predicate], subject))
    fact = _fact_iri(doc, rel)
    graph.add((fact, RDF.type, KG.Fact))
    graph.add((fact, RDF.subject, subject))
    graph.add((fact, RDF.predicate, term))
    graph.add((fact, RDF.object, obj))
    graph.add((fact, KG.evidence, _zh(rel.evidence)))
    graph.add((fact, PROV.wasDerivedFrom, document_iri(doc)))
    if rel.start >= 0:
        graph.add((fact, KG.startOffset, Literal(rel.start)))
        graph.add((fact, KG.endOffset, Literal(rel.end)))
    if rel.role:
        graph.add((fact, KG.role, _zh(rel.role)))
    if rel.predicate is Predicate.HOLDS_POSITION:
        role = role_iri(rel.role)
        graph.add((fact, RDF.type, ORG.Membership))
        graph.add((fact, ORG.member, subject))
        graph.add((fact, ORG.organization, obj))
        graph.add((fact, ORG.role, role))
        graph.add((role, RDF.type, ORG.Role))
        graph.add((role, SKOS.prefLabel, _zh(rel.role)))
    return True


def build_graph(results: Iterable[DocResult]) -> Graph:
    """Merge the results of many documents into one graph.

    Entities with the same type and canonical name become one node; every
    relation becomes a direct edge plus a `kg:Fact` node with its evidence.
    """
    graph = new_graph()
    for result in results:
        doc_node = document_iri(result.doc)
        graph.add((doc_node, RDF.type, KG.Document))
        graph.add((doc_node, SCHEMA.name, Literal(result.doc)))
        types: dict[str, EntityType] = {}
        for entity in result.entities:
            _add_entity(graph, entity, doc_node)
            types.setdefault(entity.name, entity.type)
        for rel in result.relations:
            _add_relation(graph, rel, result.doc, types)
    return graph


def serialize(graph: Graph, fmt: str) -> str:
    """Serialize in a graph format of `graph.sparql.formats.FORMATS`.

    Deterministic: `longturtle` for Turtle, sorted N-Triples.

    N-Triples lines are split on "\\n" only (str.splitlines() would also cut
    at U+2028, U+0085, form feeds and more, all legal inside a literal), and
    control characters and line separators in literals are written as
    escapes, as canonical N-Triples does.
    """
    from ..sparql.formats import find_format  # the one registry of formats

    name = find_format(fmt, "graph").name  # ttl, nt, json-ld, … are aliases
    if name == "ntriples":
        text = graph.serialize(format="nt11").translate(_NT_ESCAPES)
        lines = sorted(set(text.split("\n")))
        return "\n".join(line for line in lines if line.strip()) + "\n"
    return graph.serialize(format=find_format(name).rdflib)


# rdflib already escapes \n, \r, quotes and backslashes.
_NT_ESCAPES = {
    **{code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F, 0x85, 0x2028, 0x2029)},
    0x08: "\\b",
    0x09: "\\t",
    0x0C: "\\f",
}
del _NT_ESCAPES[0x0A], _NT_ESCAPES[0x0D]
