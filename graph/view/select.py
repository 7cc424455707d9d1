"""rdflib Graph -> the entities and facts one explorer page shows.

`select_view` reads entity nodes and their relations (reified `kg:Fact`s, plus
direct edges that carry none) out of the graph, then picks the entities shown
first: a focus neighbourhood or the most connected. The other entities and all
facts stay in the view, so the page can search the whole graph and bring any
neighbourhood in. `group_relations` folds the facts of one relation stated in
many documents into one record; `graph.view.html` renders the result.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import unquote

from rdflib import Graph
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.term import Node, URIRef

from ..errors import InputError
from ..io import read_asset
from ..model import EntityType, Predicate
from ..rdf.namespaces import ENTITY_CLASSES, KG, PREDICATE_TERMS, SCHEMA

__all__ = [
    "VIEW_LABELS",
    "VIEW_TERMS",
    "DEFAULT_MAX_NODES",
    "PREDICATE_LABELS",
    "TYPE_STYLES",
    "ViewEntity",
    "ViewFact",
    "View",
    "ViewRelation",
    "group_relations",
    "is_date",
    "select_view",
]

logger = logging.getLogger(__name__)

# Above this many nodes vis-network no longer settles within a few seconds on a
# laptop; larger graphs show their most connected entities (or a neighbourhood).
DEFAULT_MAX_NODES = 400

# The page's words (graph/resources/view_labels.json): type names and colours, edge
# labels (the kg: ones equal the rdfs:label@zh of ontology/kg.ttl, tested).
VIEW_LABELS: dict = json.loads(read_asset("view_labels.json"))
# The one colour map (label, colour) keyed by entity type, i.e. by main class.
TYPE_STYLES: dict[EntityType, tuple[str, str]] = {
    EntityType(name): (style["label"], style["colour"])
    for name, style in VIEW_LABELS["types"].items()
}
PREDICATE_LABELS: dict[Predicate, str] = {
    Predicate(name): label for name, label in VIEW_LABELS["predicates"].items()
}

_CLASS_TYPES = {classes[0]: type_ for type_, classes in ENTITY_CLASSES.items()}
_TERM_PREDICATES = {term: pred for pred, term in PREDICATE_TERMS.items()}
# every predicate `select_view` reads: a graph of these triples alone gives the
# same view (graph/dataset.py parses no more than these for graph.html)
VIEW_TERMS: frozenset[URIRef] = frozenset(
    {
        RDF.type, SCHEMA.name, SKOS.prefLabel, RDFS.label, SKOS.altLabel,
        KG.mentionedIn, RDF.subject, RDF.predicate, RDF.object,
        PROV.wasDerivedFrom, KG.role, KG.evidence, *_TERM_PREDICATES,
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ViewEntity:
    """An entity node as the view shows it."""

    iri: str
    type: EntityType
    name: str
    aliases: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class ViewFact:
    """One relation; `object` is an entity IRI, or the date itself for held_on."""

    subject: str
    predicate: Predicate
    object: str
    role: str = ""
    evidence: str = ""
    doc: str = ""


@dataclass(frozen=True, slots=True)
class ViewRelation:
    """One relation, whatever the number of documents stating it.

    `evidence` pairs each distinct sentence with the documents it appears in,
    so a sentence copied into 80 documents is listed once.
    """

    subject: str
    predicate: Predicate
    object: str
    role: str = ""
    evidence: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class View:
    """The entities a page shows first, the others, every fact and their degrees.

    `entities` are shown when the page opens; `others` are the remaining
    entities of the chosen types (searchable, brought in on demand); `facts`
    touch any of them; `degrees` count distinct neighbours of every entity.
    """

    entities: tuple[ViewEntity, ...]
    facts: tuple[ViewFact, ...]
    names: dict[str, str]
    degrees: dict[str, int]
    total: int
    focus: str = ""
    others: tuple[ViewEntity, ...] = ()


def _text(graph: Graph, node: Node, *terms: URIRef) -> str:
    for term in terms:
        values = sorted(
            graph.objects(node, term),
            key=lambda v: (getattr(v, "language", None) != "zh", v),
        )
        if values:
            return str(values[0])
    return unquote(str(node).rsplit("/", 1)[-1])


def _read_entities(graph: Graph) -> dict[str, ViewEntity]:
    docs = {
        d: _text(graph, d, SCHEMA.name) for d in graph.subjects(RDF.type, KG.Document)
    }
    found: dict[str, ViewEntity] = {}
    for cls, type_ in _CLASS_TYPES.items():
        for node in sorted(set(graph.subjects(RDF.type, cls))):
            if not isinstance(node, URIRef) or str(node) in found:
                continue
            name = _text(graph, node, SKOS.prefLabel, RDFS.label)
            aliases = {str(a) for a in graph.objects(node, SKOS.altLabel)} - {name}
            in_docs = {
                docs.get(d) or _text(graph, d)
                for d in graph.objects(node, KG.mentionedIn)
            }
            found[str(node)] = ViewEntity(
                str(node), type_, name, tuple(sorted(aliases)), tuple(sorted(in_docs))
            )
    return found


def _read_facts(graph: Graph, entities: dict[str, ViewEntity]) -> list[ViewFact]:
    facts: set[ViewFact] = set()
    for fact in graph.subjects(RDF.type, KG.Fact):
        pred = _TERM_PREDICATES.get(graph.value(fact, RDF.predicate))
        subject, obj = graph.value(fact, RDF.subject), graph.value(fact, RDF.object)
        if pred is None or str(subject) not in entities or obj is None:
            logger.debug("fact %s: not an entity relation, skipped", fact)
            continue
        source = graph.value(fact, PROV.wasDerivedFrom)
        facts.add(
            ViewFact(
                str(subject),
                pred,
                str(obj),
                role=str(graph.value(fact, KG.role) or ""),
                evidence=str(graph.value(fact, KG.evidence) or ""),
                doc=_text(graph, source, SCHEMA.name) if source is not None else "",
            )
        )
    stated = {(f.subject, f.predicate, f.object) for f in facts}
    for term, pred in _TERM_PREDICATES.items():  # direct edges that carry no Fact
        for subject, obj in graph.subject_objects(term):
            if (
                str(subject) in entities
                and (str(subject), pred, str(obj)) not in stated
            ):
                facts.add(ViewFact(str(subject), pred, str(obj)))
    return sorted(f for f in facts if is_date(f) or f.object in entities)


def group_relations(facts: tuple[ViewFact, ...] | list[ViewFact]) -> list[ViewRelation]:
    """Fold facts that state the same relation into one record, sentences deduplicated.

    Examples:
        >>> a = ViewFact("s", Predicate.ISSUED, "o", evidence="e", doc="1.txt")
        >>> b = ViewFact("s", Predicate.ISSUED, "o", evidence="e", doc="2.txt")
        >>> group_relations([a, b])[0].evidence
        (('e', ('1.txt', '2.txt')),)
    """
    grouped: dict[tuple[str, Predicate, str, str], dict[str, set[str]]] = {}
    for fact in facts:
        key = (fact.subject, fact.predicate, fact.object, fact.role)
        sentences = grouped.setdefault(key, {})
        if fact.evidence or fact.doc:
            sentences.setdefault(fact.evidence, set()).update(
                [fact.doc] if fact.doc else []
            )
    return [
        ViewRelation(
            *key,
            evidence=tuple(
                (sentence, tuple(sorted(docs)))
                for sentence, docs in sorted(sentences.items())
            ),
        )
        for key, sentences in sorted(grouped.items())
    ]


def is_date(fact: ViewFact | ViewRelation) -> bool:
    """Return whether `fact` links to a date (held_on) rather than to an entity."""
    return fact.predicate is Predicate.HELD_ON


def _parse_types(types: set[str] | None) -> set[EntityType]:
    if not types:
        return set(EntityType)
    try:
        return {EntityType(t.strip().upper()) for t in types}
    except ValueError as exc:
        known = ", ".join(t.value for t in EntityType)
        raise InputError(
            f"unknown entity type in {sorted(types)} (use {known})"
        ) from exc


def _neighbourhood(adjacent: dict[str, set[str]], start: str, hops: int) -> list[str]:
    """Return the nodes within `hops` of `start`, nearest first."""
    order, depth, queue = [start], {start: 0}, deque([start])
    while queue:
        node = queue.popleft()
        if depth[node] >= hops:
            continue
        for other in sorted(adjacent.get(node, ())):
            if other not in depth:
                depth[other] = depth[node] + 1
                order.append(other)
                queue.append(other)
    return order


def _find_focus(focus: str, candidates: dict[str, ViewEntity], degrees: Counter) -> str:
    key = focus.strip().casefold()
    for match in (
        lambda e: e.iri == focus or e.name.casefold() == key,
        lambda e: key in (a.casefold() for a in e.aliases),
    ):
        found = [e.iri for e in candidates.values() if match(e)]
        if found:
            return min(found, key=lambda iri: (-degrees[iri], iri))
    raise InputError(f"focus: no entity named {focus!r} in the graph (or its types)")


def select_view(
    graph: Graph,
    *,
    focus: str | None = None,
    hops: int = 2,
    max_nodes: int = DEFAULT_MAX_NODES,
    types: set[str] | None = None,
) -> View:
    """Choose the entities to show first: a focus neighbourhood, or the most connected.

    Entities of the other `types` are left out altogether; the rest of the chosen
    types become `others`.
    """
    entities = _read_entities(graph)
    wanted = _parse_types(types)
    candidates = {iri: e for iri, e in entities.items() if e.type in wanted}
    facts = _read_facts(graph, entities)
    adjacent: dict[str, set[str]] = {}
    for f in facts:
        if not is_date(f) and f.subject in candidates and f.object in candidates:
            adjacent.setdefault(f.subject, set()).add(f.object)
            adjacent.setdefault(f.object, set()).add(f.subject)
    degrees = Counter({iri: len(adjacent.get(iri, ())) for iri in candidates})
    start = _find_focus(focus, candidates, degrees) if focus else ""
    if start:
        order = _neighbourhood(adjacent, start, hops)
    else:
        order = sorted(candidates, key=lambda i: (-degrees[i], candidates[i].name, i))
    keep = sorted(
        order[: max(max_nodes, 1)],
        key=lambda i: (candidates[i].type, candidates[i].name, i),
    )
    kept = set(keep)
    return View(
        entities=tuple(candidates[i] for i in keep),
        facts=tuple(
            f for f in facts if f.subject in candidates or f.object in candidates
        ),
        names={iri: e.name for iri, e in entities.items()},
        degrees=dict(degrees),
        total=len(entities),
        focus=start,
        others=tuple(
            sorted(
                (e for i, e in candidates.items() if i not in kept),
                key=lambda e: (e.type, e.name, e.iri),
            )
        ),
    )
