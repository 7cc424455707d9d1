"""RDF: the only IRI minter, the graph builder, serialization and SHACL shapes."""

from __future__ import annotations

from .build import build_graph, entity_iri, serialize

__all__ = ["build_graph", "entity_iri", "serialize"]
