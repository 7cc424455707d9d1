"""Namespaces, prefix bindings and the mapping from JSON labels to RDF terms."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

from ..model import EntityType, Predicate

__all__ = [
    "KG",
    "KGR",
    "SCHEMA",
    "RESOURCE_SPACES",
    "TYPE_SPACES",
    "PREFIXES",
    "ENTITY_CLASSES",
    "PREDICATE_TERMS",
    "INVERSE_TERMS",
    "new_graph",
]

SCHEMA = Namespace("https://schema.org/")
KGR = Namespace("https://w3id.org/zh-kg/resource/")

# One namespace (and prefix) per kind of resource, so that a prefixed name has
# no "/" in its local part: person:巨晓林 can be pasted into SPARQL as shown.
RESOURCE_SPACES: dict[str, Namespace] = {
    name: Namespace(f"{KGR}{name}/")
    for name in (
        "person",
        "organization",
        "policy",
        "event",
        "location",
        "doc",
        "role",
        "fact",
    )
}
TYPE_SPACES: dict[EntityType, Namespace] = {
    EntityType.PERSON: RESOURCE_SPACES["person"],
    EntityType.ORG: RESOURCE_SPACES["organization"],
    EntityType.POLICY: RESOURCE_SPACES["policy"],
    EntityType.EVENT: RESOURCE_SPACES["event"],
    EntityType.LOCATION: RESOURCE_SPACES["location"],
}


class KG(DefinedNamespace):
    """The project's own terms; they are declared in graph/ontology/kg.ttl."""

    _fail = True
    _NS = Namespace("https://w3id.org/zh-kg/ontology#")

    Policy: URIRef
    Fact: URIRef
    Document: URIRef
    holdsPositionIn: URIRef
    issued: URIRef
    approved: URIRef
    organized: URIRef
    participatedIn: URIRef
    role: URIRef
    evidence: URIRef
    startOffset: URIRef
    endOffset: URIRef
    mentionedIn: URIRef
    possiblySameAs: URIRef
    sha256: URIRef


PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "kg": KG,
    "kgr": KGR,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "skos": SKOS,
    "xsd": XSD,
    **RESOURCE_SPACES,
}

# Every entity gets all classes listed; the first one is its main class.
ENTITY_CLASSES: dict[EntityType, tuple[URIRef, ...]] = {
    EntityType.PERSON: (SCHEMA.Person,),
    EntityType.ORG: (ORG.Organization, SCHEMA.Organization),
    EntityType.POLICY: (KG.Policy, SCHEMA.Legislation),
    EntityType.EVENT: (SCHEMA.Event,),
    EntityType.LOCATION: (SCHEMA.Place,),
}

# Direct edge subject -> object for each predicate.
PREDICATE_TERMS: dict[Predicate, URIRef] = {
    Predicate.HOLDS_POSITION: KG.holdsPositionIn,
    Predicate.ISSUED: KG.issued,
    Predicate.APPROVED: KG.approved,
    Predicate.ORGANIZED: KG.organized,
    Predicate.PARTICIPATED_IN: KG.participatedIn,
    Predicate.HELD_ON: SCHEMA.startDate,
    Predicate.HELD_IN: SCHEMA.location,
}

# schema.org edge object -> subject, written too so schema.org consumers see it.
INVERSE_TERMS: dict[Predicate, URIRef] = {
    Predicate.ISSUED: SCHEMA.publisher,
    Predicate.APPROVED: SCHEMA.legislationPassedBy,
    Predicate.ORGANIZED: SCHEMA.organizer,
    Predicate.PARTICIPATED_IN: SCHEMA.attendee,
}


def new_graph() -> Graph:
    """Return an empty graph with the project's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, str(namespace) if isinstance(namespace, type) else namespace)
    return graph
