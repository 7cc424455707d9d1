"""All file access: documents, results, data files. Writes are atomic."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputError, OntologyError, ResourceError
from .model import DocResult

__all__ = [
    "read_text",
    "find_documents",
    "write_atomic",
    "dump_json",
    "write_results",
    "read_results",
    "read_jsonl",
    "read_lines",
    "read_queries",
    "read_query_file",
    "write_section",
    "read_asset",
]


def read_text(path: Path) -> str:
    """Read a UTF-8 document, refusing empty or undecodable files with InputError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid UTF-8 (byte {exc.start}); convert it to UTF-8 first"
        ) from exc
    if not text.strip():
        raise InputError(f"{path}: empty document")
    return text


def find_documents(inputs: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into `.txt` documents; return them and problems.

    Folders are searched recursively; files in them that are not `.txt` are
    reported, not read. A named path that does not exist is a problem too.
    """
    docs: list[Path] = []
    problems: list[str] = []
    for path in inputs:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() == ".txt":
                    docs.append(child)
                elif not child.name.startswith("."):
                    problems.append(f"{child}: skipped, not a .txt document")
        elif path.is_file():
            docs.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    seen: set[Path] = set()
    unique = [d for d in docs if not (d.resolve() in seen or seen.add(d.resolve()))]
    return unique, problems


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dump_json(data: Any) -> str:
    """Serialize deterministically (sorted keys, UTF-8, final newline)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_results(results: Iterable[DocResult], folder: Path) -> list[Path]:
    """Write one `<doc>.json` per result into `folder`; return the paths."""
    paths = []
    for result in results:
        path = folder / f"{result.doc}.json"
        write_atomic(path, dump_json(result.to_dict()))
        paths.append(path)
    return paths


def read_results(paths: Iterable[Path]) -> list[DocResult]:
    """Read result or gold JSON files (files or folders of `*.json`)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    results = []
    for file in files:
        try:
            results.append(DocResult.from_dict(json.loads(file.read_text("utf-8"))))
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"{file}: not a result file ({exc})") from exc
    return results


def read_jsonl(path: Path, required: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Yield the records of a JSON-lines data file, checking required keys."""
    need = tuple(required)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ResourceError(f"{path}: cannot read ({exc.strerror})") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ResourceError(f"{path.name}:{number}: bad JSON ({exc.msg})") from exc
        for key in need:
            if key not in record:
                raise ResourceError(f"{path.name}:{number}: missing '{key}'")
        yield record


def read_lines(path: Path) -> list[str]:
    """Read a plain list file: one item per line, `#` starts a comment."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResourceError(f"{path}: cannot read ({exc.strerror})") from exc
    items = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [item for item in items if item]


def read_queries(folder: Path) -> dict[str, str]:
    """Read the text of every `<name>.rq` of `folder`, keyed by name, sorted.

    Raises:
        OntologyError: the folder is missing or a file cannot be read.
    """
    if not folder.is_dir():
        raise OntologyError(f"{folder}: no such query folder")
    queries = {}
    for path in sorted(folder.glob("*.rq")):
        try:
            queries[path.stem] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise OntologyError(f"{path}: cannot read query file ({exc})") from exc
    return queries


def read_query_file(path: Path) -> str:
    """Read a user-supplied `.rq` file, refusing unreadable ones with InputError."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read query file ({exc})") from exc


def write_section(path: Path, name: str, body: str) -> None:
    """Replace the `<!-- name:start -->…<!-- name:end -->` block of a Markdown file.

    The block is appended when the file does not have it yet, so each benchmark
    script owns one section of docs/BENCHMARKS.md and rewrites only that.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    write_atomic(path, text)


def read_asset(name: str) -> str:
    """Read a text file shipped in graph/resources/ (scripts and styles of pages)."""
    try:
        return resources.files("graph").joinpath("resources", name).read_text("utf-8")
    except OSError as exc:
        raise ResourceError(f"graph/resources/{name}: cannot read ({exc})") from exc
