"""Screenshot the HTML explorer in headless Chromium: the overview and a selected node.

Usage: python scripts/screenshot.py [GRAPH] [--focus NAME] [--search TEXT] [--out-dir D]

Writes D/screenshot-overview.png (the page as it opens) and
D/screenshot-selected.png (after searching TEXT, default 巨晓林); D is docs/.

GRAPH defaults to output/graph.ttl when it exists, else the gold answer keys in
data/gold. The browser is Debian's /usr/bin/chromium (scripts/install_chromium.sh);
nothing is downloaded and the page makes no network request.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph

from graph.io import read_results, write_atomic
from graph.rdf.build import build_graph
from graph.view.browser import launch_chromium
from graph.view.html import render_html

__all__ = ["load_graph", "open_page", "main"]

logger = logging.getLogger("screenshot")

ROOT = Path(__file__).resolve().parent.parent


def load_graph(path: Path | None) -> Graph:
    """Load a .ttl/.nt file, or build the graph of the gold answer keys."""
    if path is None:
        default = ROOT / "output" / "graph.ttl"
        path = default if default.is_file() else ROOT / "data" / "gold"
    if path.is_dir() and (path / "graph.ttl").is_file():
        path = path / "graph.ttl"
    if path.is_dir():
        return build_graph(read_results([path]))
    return Graph().parse(path)


@contextmanager
def open_page(html: str, *, width: int = 1600, height: int = 1000) -> Iterator:
    """Open `html` as a file:// page in headless Chromium; yield the Playwright page."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as play:
        page_path = Path(folder) / "graph.html"
        write_atomic(page_path, html)
        browser = launch_chromium(play)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(page_path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=60_000)
            yield page
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    """Render the page, shoot the overview, select an entity, shoot again."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", nargs="?", type=Path)
    parser.add_argument("--focus", help="Show the neighbourhood of this entity.")
    parser.add_argument("--hops", type=int, default=2)
    parser.add_argument("--search", default="巨晓林", help="Entity to select.")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    html = render_html(load_graph(args.graph), focus=args.focus, hops=args.hops)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    overview = args.out_dir / "screenshot-overview.png"
    selected = args.out_dir / "screenshot-selected.png"
    with open_page(html) as page:
        page.wait_for_timeout(300)  # the labels of the hubs are sized on a frame
        page.screenshot(path=str(overview))
        logger.info("wrote %s", overview)
        if args.search:
            page.fill("#kg-search", args.search)
            page.wait_for_timeout(600)  # let the focus animation finish
            page.locator("#kg-results").evaluate("list => { list.hidden = true; }")
            page.screenshot(path=str(selected))
            logger.info("wrote %s", selected)
    return 0


if __name__ == "__main__":
    sys.exit(main())
