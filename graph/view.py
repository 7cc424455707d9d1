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
from typing import Any

from pyvis.network import Network
from rdflib import Graph

from .io import read_asset
from .model import EntityType, Predicate
from .subgraph import (
    DEFAULT_MAX_NODES,
    View,
    ViewEntity,
    ViewFact,
    is_date,
    select_view,
)

__all__ = [
    "DEFAULT_MAX_NODES",
    "TYPE_STYLES",
    "PREDICATE_LABELS",
    "render_html",
    "script_json",
]

logger = logging.getLogger(__name__)

# The one colour map (label, colour) keyed by entity type, i.e. by main class.
TYPE_STYLES: dict[EntityType, tuple[str, str]] = {
    EntityType.PERSON: ("人物", "#e15759"),
    EntityType.ORG: ("组织", "#4e79a7"),
    EntityType.POLICY: ("政策", "#f28e2b"),
    EntityType.EVENT: ("事件", "#59a14f"),
    EntityType.LOCATION: ("地点", "#9c6fb6"),
}

# Edge labels; the kg: ones equal the rdfs:label@zh of ontology/kg.ttl (tested).
PREDICATE_LABELS: dict[Predicate, str] = {
    Predicate.HOLDS_POSITION: "任职于",
    Predicate.ISSUED: "制定发布",
    Predicate.APPROVED: "审议通过",
    Predicate.ORGANIZED: "组织举办",
    Predicate.PARTICIPATED_IN: "参加",
    Predicate.HELD_ON: "日期",
    Predicate.HELD_IN: "地点",
}

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


def _hover(entity: ViewEntity, degree: int) -> str:
    lines = [f"{TYPE_STYLES[entity.type][0]}：{entity.name}"]
    if entity.aliases:
        lines.append("别名：" + "、".join(entity.aliases))
    lines.append(f"关系：{degree}")
    return _plain("\n".join(lines))


def _edge_key(fact: ViewFact) -> tuple[str, Predicate, str, str]:
    role = fact.role if fact.predicate is Predicate.HOLDS_POSITION else ""
    return (fact.subject, fact.predicate, fact.object, role)


def _edge_groups(view: View, ids: dict[str, str]) -> dict[tuple, list[int]]:
    groups: dict[tuple, list[int]] = {}
    for index, fact in enumerate(view.facts):
        if not is_date(fact) and fact.subject in ids and fact.object in ids:
            groups.setdefault(_edge_key(fact), []).append(index)
    return groups


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


def _network(
    view: View, ids: dict[str, str], groups: dict[tuple, list[int]]
) -> Network:
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for entity in view.entities:
        degree = view.degrees[entity.iri]
        net.add_node(
            ids[entity.iri],
            label=entity.name,
            color=TYPE_STYLES[entity.type][1],
            size=min(10 + 3 * math.sqrt(degree), 40),
            title=_hover(entity, degree),
        )
    for number, (subject, pred, obj, role) in enumerate(groups):
        label = role or PREDICATE_LABELS[pred]
        title = f"{view.names[subject]} → {view.names[obj]}：{label}"
        net.add_edge(
            ids[subject], ids[obj], id=f"e{number}", label=label, title=_plain(title)
        )
    net.options = _options(len(ids))
    return net


def _fact_record(fact: ViewFact, view: View, ids: dict[str, str]) -> dict[str, Any]:
    return {
        "s": ids.get(fact.subject),
        "sName": view.names.get(fact.subject, ""),
        "p": fact.predicate.value,
        "o": ids.get(fact.object),
        "oName": view.names.get(fact.object, fact.object),
        "role": fact.role,
        "evidence": fact.evidence,
        "doc": fact.doc,
    }


def _page_data(
    view: View, ids: dict[str, str], groups: dict[tuple, list[int]]
) -> dict[str, Any]:
    facts = [_fact_record(fact, view, ids) for fact in view.facts]
    for number, members in enumerate(groups.values()):
        for index in members:
            facts[index]["edge"] = f"e{number}"
    nodes = [
        {"id": ids[e.iri], "iri": e.iri, "name": e.name, "type": e.type.value,
         "aliases": list(e.aliases), "docs": list(e.docs),
         "degree": view.degrees[e.iri]}
        for e in view.entities
    ]  # fmt: skip
    return {
        "nodes": nodes,
        "facts": facts,
        "total": view.total,
        "types": [{"key": t.value, "label": s[0], "color": s[1]}
                  for t, s in TYPE_STYLES.items()],
        "predicates": [{"key": p.value, "label": label}
                       for p, label in PREDICATE_LABELS.items()],
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
    title: str = "知识图谱浏览器",
) -> str:
    """Render the graph (or a focus neighbourhood of it) as one offline HTML page."""
    view = select_view(graph, focus=focus, hops=hops, max_nodes=max_nodes, types=types)
    ids = {entity.iri: f"n{number}" for number, entity in enumerate(view.entities)}
    groups = _edge_groups(view, ids)
    page = _network(view, ids, groups).generate_html()
    logger.debug("view: %d of %d entities, %d edges", len(ids), view.total, len(groups))
    focused = ids.get(view.focus, "")
    data = {**_page_data(view, ids, groups), "title": title, "focus": focused}
    return _assemble(page, data, title)
