"""The prefixes every query may use, as plain strings (no rdflib).

They equal `graph.rdf.namespaces.PREFIXES` (a test keeps them so); they are
spelled out here because the endpoint's worker processes must start without
importing rdflib.
"""

from __future__ import annotations

__all__ = ["PREFIX_MAP"]

PREFIX_MAP: dict[str, str] = {
    "kg": "https://w3id.org/zh-kg/ontology#",
    "kgr": "https://w3id.org/zh-kg/resource/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "person": "https://w3id.org/zh-kg/resource/person/",
    "organization": "https://w3id.org/zh-kg/resource/organization/",
    "policy": "https://w3id.org/zh-kg/resource/policy/",
    "event": "https://w3id.org/zh-kg/resource/event/",
    "location": "https://w3id.org/zh-kg/resource/location/",
    "doc": "https://w3id.org/zh-kg/resource/doc/",
    "role": "https://w3id.org/zh-kg/resource/role/",
    "fact": "https://w3id.org/zh-kg/resource/fact/",
}
