"""DocResults -> one rdflib Graph; the only place that mints IRIs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from rdflib import Graph, Literal
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS, XSD
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node, URIRef

from ..extract.resolve import comparison_key
from ..model import DocResult, Entity, EntityType, Predicate, Relation
from .namespaces import (
    ENTITY_CLASSES,
    INVERSE_TERMS,
    KG,
    PREDICATE_TERMS,
    RESOURCE_SPACES,
    SCHEMA,
    TYPE_SPACES,
    new_graph,
)

__all__ = [
    "entity_iri",
    "identity_key",
    "document_iri",
    "role_iri",
    "date_literal",
    "build_graph",
    "ntriples_lines",
    "serialize",
]

_Triple = tuple[Node, Node, Node]
_DATE_TYPES = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# RFC 3987 ucschar: what an IRI may hold unescaped beyond ASCII.
_UCS_RANGES = (
    (0xA0, 0xD7FF),
    (0xF900, 0xFDCF),
    (0xFDF0, 0xFFEF),
    *((plane, plane + 0xFFFD) for plane in range(0x10000, 0xE0000, 0x10000)),
    (0xE1000, 0xEFFFD),
)
# iunreserved ASCII plus sub-delims, ":" and "@": legal in a path segment.
_SEGMENT_ASCII = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@"
)
QUALIFIER = "\u00b7"  # 王建国·北京市总工会: a namesake told apart by its context


def _is_segment_char(char: str) -> bool:
    if char in _SEGMENT_ASCII:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _UCS_RANGES)


def _slug(text: str, *, keep: str = "") -> str:
    """Escape what an IRI path segment may not hold; keep CJK and the rest as is.

    Examples:
        >>> _slug("巨晓林")
        '巨晓林'
        >>> _slug("A/B 100%")
        'A%2FB%20100%25'
        >>> _slug("a/news.txt", keep="/")
        'a/news.txt'
    """
    return "".join(
        char if char in keep or _is_segment_char(char) else quote(char, safe="")
        for char in text
    )


def identity_key(type_: EntityType, name: str) -> str:
    """Normalize a name into the key its IRI is minted from.

    Variant names of one entity (《》 and quotes, full-width forms, a
    trailing 会议 of an event) give one key, so one IRI.

    Examples:
        >>> identity_key(EntityType.EVENT, "全总十六届四次执委会会议")
        '全总十六届四次执委会'
        >>> identity_key(EntityType.POLICY, "《“１+６”文件》")
        '1+6文件'
    """
    return comparison_key(type_, unicodedata.normalize("NFKC", name))


def entity_iri(type_: EntityType, name: str, *, qualifier: str = "") -> URIRef:
    """Mint the IRI of an entity from its type and its name's identity key.

    `qualifier` (an organization or post) tells apart namesakes that the
    cross-document merge (graph/merge.py) kept as different entities.

    Examples:
        >>> str(entity_iri(EntityType.PERSON, "巨晓林"))
        'https://w3id.org/zh-kg/resource/person/巨晓林'
        >>> str(entity_iri(EntityType.EVENT, "全总十六届四次执委会会议"))
        'https://w3id.org/zh-kg/resource/event/全总十六届四次执委会'
        >>> str(entity_iri(EntityType.PERSON, "王建国", qualifier="北京市总工会"))
        'https://w3id.org/zh-kg/resource/person/王建国·北京市总工会'
    """
    key = identity_key(type_, name)
    if qualifier:
        key += QUALIFIER + unicodedata.normalize("NFKC", qualifier)
    return TYPE_SPACES[type_][_slug(key)]


def document_iri(doc: str) -> URIRef:
    """Mint the IRI of a source document from its path relative to the input root.

    Examples:
        >>> str(document_iri("a/news 1.txt"))
        'https://w3id.org/zh-kg/resource/doc/a/news%201.txt'
    """
    return RESOURCE_SPACES["doc"][_slug(doc, keep="/")]


def role_iri(role: str) -> URIRef:
    """Mint the IRI of an org:Role (a post such as 副主席)."""
    return RESOURCE_SPACES["role"][_slug(unicodedata.normalize("NFKC", role))]


def _fact_iri(doc: str, rel: Relation) -> URIRef:
    key = "\x1f".join((doc, *rel.key))
    return RESOURCE_SPACES["fact"][hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]]


def _node(entity: Entity) -> URIRef:
    return URIRef(entity.iri) if entity.iri else entity_iri(entity.type, entity.name)


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
    node = _node(entity)
    for cls in ENTITY_CLASSES[entity.type]:
        graph.add((node, RDF.type, cls))
    graph.add((node, SKOS.prefLabel, _zh(entity.name)))
    graph.add((node, RDFS.label, _zh(entity.name)))
    for alias in entity.aliases:
        if alias != entity.name:
            graph.add((node, SKOS.altLabel, _zh(alias)))
    graph.add((node, KG.mentionedIn, doc_node))
    for other in entity.possibly_same:
        graph.add((node, KG.possiblySameAs, URIRef(other)))


def _object_node(rel: Relation, types: dict[str, Entity]) -> URIRef | Literal | None:
    if rel.predicate is Predicate.HELD_ON:
        return date_literal(rel.object)
    if rel.object not in types:
        return None
    return _node(types[rel.object])


def _add_relation(
    graph: Graph, rel: Relation, doc: str, types: dict[str, Entity]
) -> bool:
    if rel.subject not in types:
        return False
    subject = _node(types[rel.subject])
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
    _add_results(graph, results)
    return graph


def ntriples_lines(results: Iterable[DocResult]) -> list[str]:
    """The sorted N-Triples lines of `build_graph(results)`, as `serialize` writes them.

    The same triples, formatted by rdflib's own N-Triples row writer, without
    building a Graph (five times faster for one document's triples).
    """
    triples: set[_Triple] = set()  # all _add_results needs of a Graph is `add`
    _add_results(triples, results)
    return _nt_lines(triples)


def _nt_lines(triples: Iterable[_Triple]) -> list[str]:
    """Sorted, distinct N-Triples lines (no newline) by rdflib's own row writer."""
    return sorted({_nt_row(t).translate(_NT_ESCAPES)[:-1] for t in triples})


def _add_results(graph: Graph | set[_Triple], results: Iterable[DocResult]) -> None:
    for result in results:
        doc_node = document_iri(result.doc)
        graph.add((doc_node, RDF.type, KG.Document))
        graph.add((doc_node, SCHEMA.name, Literal(result.doc)))
        if result.sha256:
            digest = Literal(result.sha256, datatype=XSD.hexBinary)
            graph.add((doc_node, KG.sha256, digest))
        types: dict[str, Entity] = {}
        for entity in result.entities:
            _add_entity(graph, entity, doc_node)
            types.setdefault(entity.name, entity)
        for rel in result.relations:
            _add_relation(graph, rel, result.doc, types)


def serialize(graph: Graph, fmt: str) -> str:
    """Serialize in a graph format of `graph.sparql.formats.FORMATS`.

    Deterministic: `longturtle` for Turtle, sorted N-Triples.

    N-Triples are written a triple a line, by rdflib's own row writer (so no
    line is cut at U+2028, U+0085 or a form feed inside a literal), with
    control characters and line separators in literals written as escapes,
    as canonical N-Triples does.
    """
    from ..sparql.formats import find_format  # the one registry of formats

    name = find_format(fmt, "graph").name  # ttl, nt, json-ld, … are aliases
    if name == "ntriples":
        return "\n".join(_nt_lines(graph)) + "\n"
    return graph.serialize(format=find_format(name).rdflib)


# rdflib already escapes \n, \r, quotes and backslashes.
_NT_ESCAPES = {
    **{code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F, 0x85, 0x2028, 0x2029)},
    0x08: "\\b",
    0x09: "\\t",
    0x0C: "\\f",
}
del _NT_ESCAPES[0x0A], _NT_ESCAPES[0x0D]
