"""All file access: documents, results, data files. Writes are atomic."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InputError, OntologyError, ResourceError
from .model import DocResult
from .text import HTML_SUFFIXES, clean_text, decode_bytes, html_to_text, is_html

__all__ = [
    "DOCUMENT_SUFFIXES",
    "Document",
    "read_text",
    "find_documents",
    "write_atomic",
    "open_atomic",
    "file_mode",
    "dump_json",
    "write_results",
    "read_results",
    "read_jsonl",
    "read_lines",
    "read_pattern_lines",
    "read_queries",
    "read_query_file",
    "write_section",
    "read_asset",
]


@dataclass(frozen=True, slots=True)
class Document:
    """A document found under an input: its path and its name in the outputs.

    The name is the path relative to the input folder it was found under
    (`a/news.txt`), or the file name of a file named directly; two documents
    never share one.
    """

    path: Path
    name: str


DOCUMENT_SUFFIXES = frozenset({".txt"}) | HTML_SUFFIXES


def read_text(path: Path) -> str:
    """Read a document once and return THE text its offsets refer to.

    The bytes are decoded (BOM, UTF-8, GB18030 or Big5), HTML is reduced to
    its visible text, and invisible characters are removed (graph/text.py).

    Raises:
        InputError: not a regular file, unreadable, undecodable or empty.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: skipped, not a regular file ({_kind(info)})")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    text = decode_bytes(raw, name=str(path))
    if is_html(text, path.suffix):
        text = html_to_text(text)
    text = clean_text(text)
    if not text.strip():
        raise InputError(f"{path}: empty document")
    return text


def find_documents(inputs: Iterable[Path]) -> tuple[list[Document], list[str]]:
    """Expand files and folders into documents; return them and one line per skip.

    Folders are searched recursively (following symbolic links, once each);
    only `.txt` and `.html`/`.htm` files in them are read. Every path that is
    skipped gets one line: a missing path, a file of another kind, a hidden
    file or folder, a dangling link, a link loop, a FIFO or device, a folder
    that cannot be listed.
    """
    found: list[tuple[Path, Path, str]] = []  # (path, root, name)
    problems: list[str] = []
    for path in inputs:
        problem = _link_problem(path)
        if problem:
            problems.append(problem)
        elif path.is_dir():
            found.extend(_walk(path, path, set(), problems))
        elif path.is_file():
            found.append((path, path.parent, path.name))
        elif path.exists():
            kind = _kind(path.stat())
            problems.append(f"{path}: skipped, not a regular file ({kind})")
        else:
            problems.append(f"{path}: no such file or folder")
    return _unique_documents(found), problems


def _link_problem(path: Path) -> str:
    if not path.is_symlink():
        return ""
    try:
        path.resolve(strict=True)
    except FileNotFoundError:
        return f"{path}: skipped, dangling symbolic link"
    except (RuntimeError, OSError):
        return f"{path}: skipped, symbolic link loop"
    return ""


def _walk(
    folder: Path, root: Path, seen: set[tuple[int, int]], problems: list[str]
) -> Iterator[tuple[Path, Path, str]]:
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in seen:
            problems.append(f"{folder}: skipped, symbolic link loop (folder seen)")
            return
        seen.add((info.st_dev, info.st_ino))
        children = sorted(folder.iterdir())
    except OSError as exc:
        problems.append(f"{folder}: skipped, cannot list folder ({exc.strerror})")
        return
    for child in children:
        problem = _link_problem(child)
        if problem:
            problems.append(problem)
        elif child.name.startswith("."):
            problems.append(f"{child}: skipped, hidden")
        elif child.is_dir():
            yield from _walk(child, root, seen, problems)
        elif not child.is_file():
            problems.append(
                f"{child}: skipped, not a regular file ({_kind(child.stat())})"
            )
        elif child.suffix.lower() in DOCUMENT_SUFFIXES:
            yield child, root, child.relative_to(root).as_posix()
        else:
            problems.append(f"{child}: skipped, not a .txt or .html document")


def _kind(info: os.stat_result) -> str:
    mode = info.st_mode
    for test, name in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISDIR, "folder"),
    ):
        if test(mode):
            return name
    return "special file"


def _unique_documents(found: list[tuple[Path, Path, str]]) -> list[Document]:
    """Drop repeats of one file; give documents that share a name distinct names.

    A clash is resolved by prefixing the input folder's name (`a/x.txt` and
    `b/x.txt`), then by a counter, so no document overwrites another's JSON.
    """
    seen: set[Path] = set()
    files = []
    for path, root, name in found:
        real = path.resolve()
        if real not in seen:
            seen.add(real)
            files.append((path, root, name))
    counts = Counter(name for _, _, name in files)
    taken: set[str] = set()
    documents = []
    for path, root, name in files:
        if counts[name] > 1:
            name = f"{root.resolve().name or 'root'}/{name}"
        base, number = name, 1
        while name in taken:
            number += 1
            name = f"{base}~{number}"
        taken.add(name)
        documents.append(Document(path, name))
    return documents


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename."""
    with open_atomic(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def open_atomic(path: Path) -> Iterator[BinaryIO]:
    """Open a temporary file beside `path` for writing; rename it to `path` at the end.

    The file gets the mode a plain `open()` would give it (0666 less the
    umask), not the 0600 of a temporary file. On an error it is removed and
    `path` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_mode(*, folder: bool = False) -> int:
    """Return the mode new files (or folders) get under the process umask.

    Examples:
        >>> file_mode() & 0o600, file_mode(folder=True) & 0o700
        (384, 448)
    """
    return (0o777 if folder else 0o666) & ~_umask()


@lru_cache(maxsize=1)
def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: read it by setting it, then restore it
    os.umask(mask)
    return mask


def dump_json(data: Any) -> str:
    """Serialize deterministically (sorted keys, UTF-8, final newline)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_results(results: Iterable[DocResult], folder: Path) -> list[Path]:
    """Write one `<doc>.json` per result into `folder`; return the paths.

    A document named `a/news.txt` is written to `folder/a/news.txt.json`.
    """
    paths = []
    for result in results:
        path = folder.joinpath(*f"{result.doc}.json".split("/"))
        write_atomic(path, dump_json(result.to_dict()))
        paths.append(path)
    return paths


def read_results(paths: Iterable[Path]) -> list[DocResult]:
    """Read result or gold JSON files (files, or folders searched recursively)."""
    files: list[Path] = []
    for path in paths:
        files.extend(_json_files(path) if path.is_dir() else [path])
    results = []
    for file in files:
        try:
            results.append(DocResult.from_dict(json.loads(file.read_text("utf-8"))))
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"{file}: not a result file ({exc})") from exc
    return results


def _json_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*.json")
        if not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


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


def read_pattern_lines(path: Path) -> list[tuple[str, str]]:
    """Read `name = regex` lines (the regex runs to the end of the line; # comments)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResourceError(f"{path}: cannot read ({exc.strerror})") from exc
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, regex = line.partition(" = ")
        if not sep or not name.strip().isidentifier():
            raise ResourceError(f"{path.name}:{number}: expected 'name = regex'")
        pairs.append((name.strip(), regex))
    return pairs
