"""The offline query page served at / by `kg serve`.

An editor with SPARQL highlighting (CodeMirror 5, shipped in
`graph/sparql/static/codemirror/` and served at `/assets/`), the ready queries
with a form for their typed parameters, Ctrl+Enter, result tables whose IRIs
run a DESCRIBE, downloads in every format of the registry, and a note when an
answer was cut at the row limit. Nothing is fetched from anywhere but the
endpoint itself.
"""

from __future__ import annotations

import html
import json
from importlib import resources

from ..errors import ResourceError
from ..io import read_asset
from .formats import FORMATS
from .prefixes import PREFIX_MAP
from .query import ReadyQuery

__all__ = ["ASSETS", "read_assets", "render_page"]

# File under /assets/ -> (media type, file in graph/sparql/static/codemirror/).
ASSETS = {
    "codemirror.js": ("text/javascript; charset=utf-8", "codemirror.js"),
    "codemirror.css": ("text/css; charset=utf-8", "codemirror.css"),
    "sparql.js": ("text/javascript; charset=utf-8", "sparql.js"),
    "matchbrackets.js": ("text/javascript; charset=utf-8", "matchbrackets.js"),
    "LICENSE.txt": ("text/plain; charset=utf-8", "LICENSE"),
}


def read_assets() -> dict[str, tuple[str, bytes]]:
    """Read the page's static files shipped in the package, keyed by URL name."""
    folder = resources.files("graph").joinpath("sparql", "static", "codemirror")
    found = {}
    for name, (media, file) in ASSETS.items():
        try:
            found[name] = (media, folder.joinpath(file).read_bytes())
        except OSError as exc:
            raise ResourceError(
                f"graph/sparql/static/codemirror/{file}: {exc}"
            ) from exc
    return found


def _json_script(element_id: str, data: object) -> str:
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _ready_data(queries: dict[str, ReadyQuery]) -> dict[str, dict]:
    return {
        name: {
            "summary": q.summary,
            "params": [
                {
                    "name": p.name,
                    "default": p.default,
                    "suffix": p.suffix,
                    "kind": p.kind,
                }
                for p in q.params
            ],
        }
        for name, q in queries.items()
    }


def render_page(queries: dict[str, ReadyQuery]) -> str:
    """Build the offline query page: the editor, ready queries, results, downloads."""
    first = next(iter(queries.values())).text if queries else "SELECT * { ?s ?p ?o }"
    items = "\n".join(
        f'<li><button type="button" data-name="{html.escape(key)}" '
        f'data-query="{html.escape(q.text)}">{html.escape(q.name)}</button> '
        f"{html.escape(q.summary)}</li>"
        for key, q in queries.items()
    )
    downloads = " ".join(
        f'<button type="button" data-download="{f.name}" data-kind="{f.kind}" '
        f'data-media="{html.escape(f.media_type)}" data-ext="{f.extension}" hidden>'
        f"{f.name}</button>"
        for f in FORMATS.values()
    )
    prefixes = " ".join(f"{html.escape(p)}:" for p in PREFIX_MAP)
    scripts = "".join(
        f'<script src="assets/{name}"></script>'
        for name in ("codemirror.js", "sparql.js", "matchbrackets.js")
    )
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>SPARQL</title>
<link rel="stylesheet" href="assets/codemirror.css">
<style>{read_asset("query_page.css")}</style></head><body>
<h1>SPARQL</h1>
<p>Endpoint: <code>/sparql</code> (SPARQL 1.1 Protocol, read-only; its
<a href="sparql">service description</a>, the graph as
<a href="store?default">Turtle</a>). Prefixes {prefixes} are declared already.</p>
<form id="f"><textarea id="q" spellcheck="false">{html.escape(first)}</textarea>
<div id="params"></div>
<p><button type="submit" id="run">Run</button> <span class="hint">Ctrl+Enter</span>
<span id="downloads" hidden> · download: {downloads}</span></p></form>
<p id="status"></p>
<div id="out"></div>
<h2>Ready queries</h2>
<ul>
{items}
</ul>
<p class="hint">Editor: <a href="assets/LICENSE.txt">CodeMirror 5</a> (MIT).</p>
{_json_script("ns", PREFIX_MAP)}
{_json_script("ready", _ready_data(queries))}
{scripts}
<script>{read_asset("query_page.js")}</script>
</body></html>
"""
