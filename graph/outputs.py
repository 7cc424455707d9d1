"""Replace an output folder as a whole: build beside it, then swap.

`kg build` writes every output into `.OUT.new-XXXX`, a sibling of OUT, and
then exchanges the two folders in one `renameat2(RENAME_EXCHANGE)` call
(Linux), so a reader of OUT (or a SIGKILL at any moment) sees either the
complete old set or the complete new one, never a mix. Where the exchange is
not available, OUT is renamed aside and the new folder renamed into place (OUT
is briefly missing, never mixed). Staging folders left by a killed build are
removed by the next one; a lock on each folder keeps a running build's own.
Files in OUT that `kg build` does not write (a `.gitkeep`, a page written by
`kg view`) are carried over as hard links; OUT holding a folder of its own is
refused rather than deleted.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError
from .io import file_mode

__all__ = ["OUTPUT_NAMES", "Stage", "staged_output", "exchange_folders"]

logger = logging.getLogger(__name__)

OUTPUT_NAMES = {
    "json": "json",
    "turtle": "graph.ttl",
    "ntriples": "graph.nt",
    "nquads": "graph.nq",
    "trig": "graph.trig",
    "shards": "shards",
    "html": "graph.html",
    "store": "store",
    "summary": "summary.json",
    # ident: linking exports (graph/export/registry.py names the files)
    "nif": "nif.ttl",
    "jsonld": "graph.jsonld",
    "docbin": "docs.spacy",
    "kb": "kb",
    "merges": "merges.tsv",
}
_OURS = frozenset(OUTPUT_NAMES.values())
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class Stage:
    """A staging folder beside `out`; `commit()` swaps it in."""

    def __init__(self, out: Path, path: Path) -> None:
        self.out = out
        self.path = path
        self.committed = False

    def commit(self) -> None:
        """Make the staged set the content of `out`, at once."""
        _carry_foreign(self.out, self.path)
        _fsync_tree(self.path)
        if not self.out.exists():
            self.path.rename(self.out)
        elif not exchange_folders(self.path, self.out):
            aside = self.path.with_name(self.path.name + "-old")
            self.out.rename(aside)
            self.path.rename(self.out)
            self.path = aside
        self.committed = True
        shutil.rmtree(self.path, ignore_errors=True)  # now the old set


@contextmanager
def staged_output(out: Path) -> Iterator[Stage]:
    """Create the staging folder of `out` (checking that OUT can be written).

    On an exception the staging folder is removed and OUT is untouched.

    Raises:
        InputError: OUT is a file, holds folders kg did not write, or its
            parent folder cannot be written.
    """
    out = Path(os.path.realpath(out))
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out is not a folder")
    try:
        _check_foreign(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(out)
        path = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.new-"))
        os.chmod(path, file_mode(folder=True))
    except OSError as exc:
        raise InputError(
            f"{out}: cannot write the output folder ({exc.strerror})"
        ) from exc
    lock = os.open(path, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    stage = Stage(out, path)
    try:
        yield stage
    finally:
        if not stage.committed:
            shutil.rmtree(path, ignore_errors=True)
        os.close(lock)


def exchange_folders(first: Path, second: Path) -> bool:
    """Swap two folders' names in one step; False when the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _check_foreign(out: Path) -> None:
    if not out.is_dir():
        return
    for child in out.iterdir():
        if child.name not in _OURS and child.is_dir() and not _is_ours(child.name):
            raise InputError(
                f"{out}: holds the folder {child.name}/ that kg build did not write; "
                "choose another --out"
            )


def _is_ours(name: str) -> bool:
    """Tell temporary names of earlier versions of kg (`.store.new-*`, `.x.tmp`)."""
    return name.startswith(".") and (
        name.endswith(".tmp") or ".new-" in name or ".old-" in name
    )


def _carry_foreign(out: Path, stage: Path) -> None:
    if not out.is_dir():
        return
    _check_foreign(out)  # again: a folder may have appeared during the build
    for child in out.iterdir():
        if child.name in _OURS or _is_ours(child.name) or child.is_dir():
            continue
        target = stage / child.name
        try:
            os.link(child, target, follow_symlinks=False)
        except OSError:
            shutil.copy2(child, target, follow_symlinks=False)


def _fsync_tree(folder: Path) -> None:
    """Flush the staged files so that a crash after the swap loses none of them."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _remove_stale(out: Path) -> None:
    """Remove staging folders of builds that died (no process holds their lock)."""
    for stale in sorted(out.parent.glob(f".{out.name}.new-*")):
        try:
            lock = os.open(stale, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a running build's
        finally:
            os.close(lock)
        if stale.name.endswith("-old") and not out.exists():
            stale.rename(out)  # a build died between its two renames
            continue
        logger.info("removing %s, left by a build that did not finish", stale)
        shutil.rmtree(stale, ignore_errors=True)
