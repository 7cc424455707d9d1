"""The offline query page served at / by `kg serve`: a query box, ready queries."""

from __future__ import annotations

import html
import json

from ..io import read_asset
from .query import PREFIX_MAP, ReadyQuery

__all__ = ["render_page"]


def render_page(queries: dict[str, ReadyQuery]) -> str:
    """Build the offline query page: a query box and the ready queries below it."""
    first = next(iter(queries.values())).text if queries else "SELECT * { ?s ?p ?o }"
    items = "\n".join(
        f'<li><button type="button" data-query="{html.escape(q.text)}">'
        f"{html.escape(q.name)}</button> {html.escape(q.summary)}</li>"
        for q in queries.values()
    )
    prefixes = " ".join(f"{html.escape(p)}:" for p in PREFIX_MAP)
    ns = json.dumps(PREFIX_MAP).replace("<", "\\u003c")
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>SPARQL</title>
<style>{read_asset("query_page.css")}</style></head><body>
<h1>SPARQL</h1>
<p>Endpoint: <code>/sparql</code> (SPARQL 1.1 Protocol, read-only).
Prefixes {prefixes} are declared already.</p>
<form id="f"><textarea id="q" spellcheck="false">{html.escape(first)}</textarea>
<p><button type="submit">Run</button></p></form>
<div id="out"></div>
<h2>Ready queries</h2>
<ul>
{items}
</ul>
<script type="application/json" id="ns">{ns}</script>
<script>{read_asset("query_page.js")}</script>
</body></html>
"""
