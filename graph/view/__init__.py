"""The offline HTML explorer: which entities a page shows, the page, exports."""

from __future__ import annotations

from .html import render_html, render_view
from .select import select_view

__all__ = ["render_html", "render_view", "select_view"]
