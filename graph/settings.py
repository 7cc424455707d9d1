"""Every path and switch of the tool, with its default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "PACKAGE_DIR", "PROJECT_DIR", "default_cache_root"]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def default_cache_root() -> Path:
    """Return where `kg build` keeps its per-document caches (XDG cache folder)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "graph" / "results"


@dataclass(frozen=True, slots=True)
class Settings:
    """Paths to data files and pipeline switches (all overridable from the CLI)."""

    resources: Path = PACKAGE_DIR / "resources"
    # The ontology, shapes and ready queries ship inside the package (the wheel
    # carries them), so `kg query -n` and `kg serve` work from any install.
    ontology: Path = PACKAGE_DIR / "ontology" / "kg.ttl"
    shapes: Path = PACKAGE_DIR / "ontology" / "shapes.ttl"
    queries: Path = PACKAGE_DIR / "ontology" / "queries"
    ner_model: Path = PACKAGE_DIR / "models" / "msra_ner"
    use_ner: bool = True
    corpus: Path = PROJECT_DIR / "data" / "corpus"
    out: Path = PROJECT_DIR / "output"
    # spaCy refuses texts over 1,000,000 characters; longer documents are read
    # in chunks of at most this many, cut at paragraph or line boundaries.
    chunk_chars: int = 100_000
    # Extraction processes; None: the cores available, or 1 for a small input
    # (starting a worker costs more than it saves on a few documents).
    workers: int | None = None
    # A Dask scheduler (tcp://HOST:PORT): extract on that cluster instead.
    scheduler: str | None = None
    # Per-document result cache of `kg build`; None: under default_cache_root(),
    # one folder per output folder. `use_cache=False` turns it off.
    cache: Path | None = None
    use_cache: bool = True
