"""Check a graph against the SHACL shapes of graph/ontology/shapes.ttl."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from ..errors import OntologyError

__all__ = ["validate_graph"]


def validate_graph(graph: Graph, shapes: Path) -> tuple[bool, str]:
    """Validate `graph` with pyshacl; return (conforms, report text)."""
    from pyshacl import validate

    try:
        shapes_graph = Graph().parse(shapes, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise OntologyError(f"{shapes}: cannot read SHACL shapes ({exc})") from exc
    conforms, _, report = validate(graph, shacl_graph=shapes_graph, inference="none")
    return bool(conforms), str(report)
