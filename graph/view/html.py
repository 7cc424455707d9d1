"""rdflib Graph -> one self-contained, offline HTML explorer (pyvis + inline JS/CSS).

The page embeds everything it needs: vis-network from the pyvis package, the
explorer's own `resources/view.js` and `view.css`, and the view's data as JSON
inside a `<script type="application/json">`. Text from documents only ever
reaches the DOM through `textContent` (or vis-network's `innerText` tooltips).
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections import Counter
from typing import Any

from pyvis.network import Network
from rdflib import Graph

from ..io import read_asset
from ..rdf.build import entity_iri
from ..rdf.namespaces import KGR
from .network import find_communities
from .select import (
    DEFAULT_MAX_NODES,
    PREDICATE_LABELS,
    TYPE_STYLES,
    VIEW_LABELS,
    View,
    ViewEntity,
    ViewRelation,
    group_relations,
    is_date,
    select_view,
)

__all__ = [
    "DEFAULT_MAX_NODES",
    "TYPE_STYLES",
    "PREDICATE_LABELS",
    "COMMUNITY_COLOURS",
    "render_html",
    "render_view",
    "script_json",
]

logger = logging.getLogger(__name__)

# Community colours (Tableau 10 light and a few more); small communities share them.
COMMUNITY_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a",
)  # fmt: skip

# pyvis links bootstrap from a CDN even with cdn_resources="in_line"; the page
# needs none of it, so every <link>/<script> pointing off the file is removed.
_REMOTE_TAG = re.compile(
    r"<(?:link|script)\b[^>]*\b(?:href|src)\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>"
    r"(?:\s*</script>)?",
    re.IGNORECASE,
)
_FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
# pyvis's empty <h1> and its commented-out links to node_modules
_LEFTOVERS = re.compile(
    r"<center>\s*<h1>\s*</h1>\s*</center>|<!--(?:(?!-->).)*?<(?:link|script)\b.*?-->",
    re.DOTALL,
)
_HTML = '<!DOCTYPE html>\n<html lang="zh">'
# Belt and braces: the page may fetch nothing from anywhere, even by mistake.
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)


def _plain(text: str) -> str:
    """Keep pyvis off its innerHTML tooltip, which it picks when a title has "href"."""
    return text.replace("href", "hre\u2060f")


def _hover(entity: ViewEntity, relations: int) -> str:
    """Hover text; "关系" counts the relations the panel lists for the entity."""
    lines = [f"{TYPE_STYLES[entity.type][0]}：{entity.name}"]
    if entity.aliases:
        lines.append(VIEW_LABELS["hover_aliases"] + "、".join(entity.aliases))
    lines.append(f"{VIEW_LABELS['hover_relations']}{relations}")
    return _plain("\n".join(lines))


def _options(count: int) -> dict[str, Any]:
    return {
        "nodes": {
            "shape": "dot",
            "font": {"size": 14, "face": _FONT, "strokeWidth": 3},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#9aa5b1", "highlight": "#2f3b4a"},
            "font": {"size": 10, "face": _FONT, "color": "#52606d", "strokeWidth": 3},
            "smooth": False,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": count > 150,
        },
        "layout": {"improvedLayout": count <= 100, "randomSeed": 7},
        "physics": {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -200,
                "springLength": 150,
                "centralGravity": 0.02,
                "avoidOverlap": 0.8,
            },
            "stabilization": {"iterations": 300 if count <= 150 else 200, "fit": True},
        },
    }


class _Page:
    """Node ids, relations and per-node relation counts shared by network and data."""

    def __init__(self, view: View) -> None:
        self.view = view
        everyone = (*view.entities, *view.others)
        self.ids = {entity.iri: f"n{number}" for number, entity in enumerate(everyone)}
        self.shown = {entity.iri for entity in view.entities}
        self.relations = group_relations(view.facts)
        self.counts: Counter[str] = Counter()
        for rel in self.relations:
            self.counts.update({rel.subject, rel.object} & self.ids.keys())
        self.communities = find_communities(view)
        self.docs = sorted(
            {d for e in everyone for d in e.docs}
            | {d for r in self.relations for _, docs in r.evidence for d in docs}
        )

    def is_edge(self, rel: ViewRelation) -> bool:
        return not is_date(rel) and rel.subject in self.ids and rel.object in self.ids

    def edge_label(self, rel: ViewRelation) -> str:
        return rel.role or PREDICATE_LABELS[rel.predicate]


def _network(page: _Page) -> Network:
    view, ids = page.view, page.ids
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for entity in view.entities:
        net.add_node(
            ids[entity.iri],
            label=entity.name,
            color=TYPE_STYLES[entity.type][1],
            size=min(10 + 3 * math.sqrt(view.degrees[entity.iri]), 40),
            title=_hover(entity, page.counts[entity.iri]),
        )
    for number, rel in enumerate(page.relations):
        if page.is_edge(rel) and {rel.subject, rel.object} <= page.shown:
            label = page.edge_label(rel)
            title = f"{view.names[rel.subject]} → {view.names[rel.object]}：{label}"
            net.add_edge(
                ids[rel.subject],
                ids[rel.object],
                id=f"e{number}",
                label=label,
                title=_plain(title),
            )
    net.options = _options(len(view.entities))
    return net


def _node_record(page: _Page, entity: ViewEntity, docs: dict[str, int]) -> dict:
    """Describe one entity; empty fields and the usual IRI are left out (page size)."""
    record: dict[str, Any] = {
        "id": page.ids[entity.iri],
        "name": entity.name,
        "type": entity.type.value,
        "docs": [docs[d] for d in entity.docs],
        "degree": page.view.degrees.get(entity.iri, 0),
        "rels": page.counts[entity.iri],
        "community": page.communities.get(entity.iri, -1),
    }
    if entity.iri != str(entity_iri(entity.type, entity.name)):
        record["iri"] = entity.iri  # the page mints the others as rdf.entity_iri
    if entity.aliases:
        record["aliases"] = list(entity.aliases)
    return record


def _relation_record(
    page: _Page, number: int, rel: ViewRelation, docs: dict[str, int]
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "s": page.ids.get(rel.subject),
        "p": rel.predicate.value,
        "o": page.ids.get(rel.object),
        "ev": [
            [sentence, [docs[d] for d in found]] for sentence, found in rel.evidence
        ],
    }
    if rel.role:
        record["role"] = rel.role
    for key, end in (("sName", rel.subject), ("oName", rel.object)):
        if end not in page.ids:  # a date, or an entity of a type left out
            record[key] = page.view.names.get(end, end)
    if page.is_edge(rel):
        record["edge"] = f"e{number}"
        record["label"] = page.edge_label(rel)
    return record


def _page_data(page: _Page) -> dict[str, Any]:
    view = page.view
    docs = {name: number for number, name in enumerate(page.docs)}
    return {
        "nodes": [_node_record(page, e, docs) for e in view.entities],
        "more": [_node_record(page, e, docs) for e in view.others],
        "rels": [
            _relation_record(page, number, rel, docs)
            for number, rel in enumerate(page.relations)
        ],
        "docs": page.docs,
        "total": view.total,
        "types": [{"key": t.value, "label": s[0], "color": s[1]}
                  for t, s in TYPE_STYLES.items()],
        "predicates": [{"key": p.value, "label": label}
                       for p, label in PREDICATE_LABELS.items()],
        "palette": list(COMMUNITY_COLOURS),
        "prefixes": {"kgr": str(KGR)},
    }  # fmt: skip


def script_json(data: Any) -> str:
    """Serialize `data` so that it can sit verbatim inside a `<script>` element.

    Examples:
        >>> script_json({"t": "</script><b>&\\u2028"})
        '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        text = text.replace(raw, f"\\u{ord(raw):04x}")
    return text


def _assemble(page: str, data: dict[str, Any], title: str) -> str:
    page, removed = _REMOTE_TAG.subn("", _LEFTOVERS.sub("", page))
    logger.debug("removed %d remote asset links from the pyvis page", removed)
    head = (  # the charset must come within the first 1024 bytes
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<title>{html.escape(title)}</title>\n<style>{read_asset('view.css')}</style>\n"
    )
    tail = (
        f'<script type="application/json" id="kg-data">{script_json(data)}</script>\n'
        f"<script>{read_asset('view.js')}</script>\n"
    )
    page = page.replace('<meta charset="utf-8">', "", 1).replace("<html>", _HTML, 1)
    start = page.index("<head>") + len("<head>")
    page = page[:start] + head + page[start:]
    end = page.rindex("</body>")
    return page[:end] + tail + page[end:]


def render_html(
    graph: Graph,
    *,
    focus: str | None = None,
    hops: int = 2,
    max_nodes: int = DEFAULT_MAX_NODES,
    types: set[str] | None = None,
    title: str = VIEW_LABELS["page_title"],
    source: str = "output",
) -> str:
    """Render the graph (or a focus neighbourhood of it) as one offline HTML page.

    `source` is the GRAPH argument the page's `kg query` snippets name.
    """
    view = select_view(graph, focus=focus, hops=hops, max_nodes=max_nodes, types=types)
    return render_view(view, title=title, source=source)


def render_view(
    view: View, *, title: str = VIEW_LABELS["page_title"], source: str = "output"
) -> str:
    """Render an already selected view as one offline HTML page."""
    page = _Page(view)
    html_text = _network(page).generate_html()
    logger.debug(
        "view: %d of %d entities, %d relations",
        len(view.entities), view.total, len(page.relations),
    )  # fmt: skip
    focused = page.ids.get(view.focus, "")
    data = {**_page_data(page), "title": title, "focus": focused, "source": source}
    return _assemble(html_text, data, title)
