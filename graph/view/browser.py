"""Headless Chromium for the HTML pages: where it is and how it is started.

The browser tests, scripts/screenshot.py and scripts/bench_view.py drive
Debian's chromium (scripts/install_chromium.sh) through Playwright; this is
the one place its path and flags are set. Playwright is imported by callers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "launch_chromium"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch_chromium(play: Any) -> Any:
    """Start headless Chromium from a running ``sync_playwright()`` object."""
    return play.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
