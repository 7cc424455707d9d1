"""A view as a networkx graph: communities, and GEXF / GraphML for other tools.

The explorer colours or clusters entities by community (Louvain modularity, with a
fixed seed so that the same graph always gives the same communities), and
`kg view --export FILE.gexf|.graphml` writes the entities a page shows first
together with the relations between them, for Gephi, Cytoscape or yEd.
"""

from __future__ import annotations

import io
import re

import networkx as nx

from ..errors import InputError
from .select import PREDICATE_LABELS, View, group_relations, is_date

__all__ = ["EXPORT_FORMATS", "export_view", "find_communities", "to_networkx"]

EXPORT_FORMATS = ("gexf", "graphml")
_SEED = 7  # Louvain is randomized; a fixed seed keeps pages deterministic
_GEXF_META = re.compile(r"\s*<meta lastmodifieddate=.*?</meta>", re.DOTALL)


def find_communities(view: View) -> dict[str, int]:
    """Number every entity's community, largest first; isolated entities get -1.

    Examples:
        >>> find_communities(View((), (), {}, {}, 0))
        {}
    """
    graph = nx.Graph()
    entities = (*view.entities, *view.others)
    graph.add_nodes_from(e.iri for e in entities)
    graph.add_edges_from(
        (f.subject, f.object)
        for f in view.facts
        if not is_date(f) and f.subject in graph and f.object in graph
    )
    # nodes and edges in sorted order: Louvain's result depends on it, and set
    # order changes with the interpreter's hash seed
    linked = nx.Graph()
    linked.add_nodes_from(sorted(n for n in graph if graph.degree(n) > 0))
    linked.add_edges_from(sorted(tuple(sorted(edge)) for edge in graph.edges()))
    found = nx.community.louvain_communities(linked, seed=_SEED) if linked else []
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    numbers = {iri: -1 for iri in graph}
    for number, members in enumerate(ordered):
        numbers.update(dict.fromkeys(members, number))
    return numbers


def to_networkx(view: View, *, isolated: bool = False) -> nx.MultiDiGraph:
    """Build the graph of the entities shown first and the relations between them.

    Entities without any relation are left out, as on the page, unless `isolated`.
    """
    communities = find_communities(view)
    graph = nx.MultiDiGraph()
    for entity in view.entities:
        if not isolated and not view.degrees.get(entity.iri, 0):
            continue
        graph.add_node(
            entity.iri,
            label=entity.name,
            type=entity.type.value,
            aliases="、".join(entity.aliases),
            degree=view.degrees.get(entity.iri, 0),
            community=communities.get(entity.iri, -1),
        )
    for relation in group_relations(view.facts):
        if is_date(relation) or not (
            relation.subject in graph and relation.object in graph
        ):
            continue
        graph.add_edge(
            relation.subject,
            relation.object,
            label=relation.role or PREDICATE_LABELS[relation.predicate],
            predicate=relation.predicate.value,
            role=relation.role,
            documents=len({d for _, docs in relation.evidence for d in docs}),
        )
    return graph


def export_view(view: View, fmt: str, *, isolated: bool = False) -> str:
    """Serialize the view as GEXF 1.2 or GraphML text (UTF-8, no timestamp).

    Raises:
        InputError: for a format other than gexf or graphml.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"export: unknown format {fmt!r} (use .gexf or .graphml)")
    graph = to_networkx(view, isolated=isolated)
    buffer = io.BytesIO()
    if fmt == "gexf":
        nx.write_gexf(graph, buffer, encoding="utf-8")
    else:
        nx.write_graphml(graph, buffer, encoding="utf-8")
    return _GEXF_META.sub("", buffer.getvalue().decode("utf-8"), count=1)
