"""Per-document result cache of `kg build`, keyed by content and pipeline version.

An entry is the result JSON of one document, stored under the SHA-256 of the
pipeline version and the document text. The version hashes everything that
can change a result: the package's code, its resources, the NER model's files
(when the model is used) and the extraction switches. Adding or editing one
document therefore re-extracts that document only, and any change of code,
model or resources re-extracts everything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import replace
from pathlib import Path

from .io import dump_json, write_atomic
from .model import DocResult
from .settings import PACKAGE_DIR, Settings, default_cache_root

__all__ = ["pipeline_version", "cache_folder", "ResultCache"]

logger = logging.getLogger(__name__)

_CODE_SUFFIXES = (".py",)


def pipeline_version(settings: Settings) -> str:
    """Hash the code, resources, model and switches that make a result.

    Examples:
        >>> len(pipeline_version(Settings(use_ner=False)))
        64
    """
    model = settings.ner_model if settings.use_ner else None
    return _version(settings.resources, model, settings.use_ner, settings.chunk_chars)


def _version(
    resources: Path, model: Path | None, use_ner: bool, chunk_chars: int
) -> str:
    digest = hashlib.sha256(f"use_ner={use_ner};chunk={chunk_chars}".encode())
    code = [
        p for p in sorted(PACKAGE_DIR.rglob("*.py")) if "__pycache__" not in p.parts
    ]
    for label, files in (
        ("code", code),
        ("resources", _files(resources)),
        ("model", _files(model) if model is not None else []),
    ):
        for path in files:
            digest.update(f"\0{label}:{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )


_OWNER = "OUT"


def cache_folder(settings: Settings) -> Path:
    """Return the cache folder of `settings.out` (one per output folder).

    A folder under the default root names its output folder in a file
    `OUT`; the folders of output folders that no longer exist (those of
    temporary builds) are removed here, so the root does not grow forever.
    """
    if settings.cache is not None:
        return settings.cache
    out = os.path.realpath(settings.out)
    root = default_cache_root()
    _sweep(root)
    folder = root / hashlib.sha256(out.encode()).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / _OWNER).write_text(out + "\n", encoding="utf-8")
    except OSError as exc:
        logger.warning("%s: cannot write the cache (%s)", folder, exc.strerror)
    return folder


def _sweep(root: Path) -> None:
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        owner = folder / _OWNER
        try:
            out = owner.read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if out and not os.path.isdir(out):
            logger.info("removing %s, the cache of %s, which is gone", folder, out)
            shutil.rmtree(folder, ignore_errors=True)


class ResultCache:
    """Results of earlier builds; `prune()` keeps only the entries used since."""

    def __init__(self, folder: Path, version: str) -> None:
        self.folder = folder
        self.version = version
        self.used: set[str] = set()

    def key(self, text: str) -> str:
        """Return the entry name of a document text under this version."""
        data = f"{self.version}\0{text}".encode("utf-8", "surrogatepass")
        return hashlib.sha256(data).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def has(self, key: str) -> bool:
        """Tell whether an entry exists under `key`."""
        return self._path(key).is_file()

    def get(self, key: str, name: str) -> DocResult | None:
        """Return the result cached under `key`, named `name`, or None."""
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            result = DocResult.from_dict(data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError) as exc:
            logger.warning(
                "%s: unreadable cache entry, extracting again (%s)", path, exc
            )
            return None
        self.used.add(key)
        return result if result.doc == name else replace(result, doc=name)

    def put(self, key: str, result: DocResult) -> None:
        """Store a result under `key` (a failure to write only logs a warning)."""
        try:
            write_atomic(self._path(key), dump_json(result.to_dict()))
        except OSError as exc:
            logger.warning("%s: cannot write the cache (%s)", self.folder, exc.strerror)
            return
        self.used.add(key)

    def prune(self) -> int:
        """Remove the entries this build did not use; return how many went."""
        removed = 0
        for path in sorted(self.folder.glob("??/*.json")):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
