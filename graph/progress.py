"""Progress of the stages of a run: a bar on a terminal, else plain lines.

The library reports through a `Progress` object it is given and never writes
anything itself; the command line makes one for stderr. On a terminal each
stage is a tqdm bar; in a pipe or a log file each stage prints a line when it
starts, one every `every` documents and one when it ends, so that piped and
logged runs show progress too.
"""

from __future__ import annotations

import time
from typing import IO

from tqdm import tqdm

__all__ = ["Progress", "make_progress"]


class Progress:
    """Report nothing (the default of library calls); subclasses report."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Start a stage of `total` steps (None: a single step)."""

    def advance(self, steps: int = 1) -> None:
        """Count `steps` more steps of the current stage as done."""

    def close(self) -> None:
        """End the current stage."""


class _Tqdm(tqdm):
    """tqdm without its monitor thread: a bar is updated often enough, and a
    process with no other thread can fork its extraction workers."""

    monitor_interval = 0


class _Bar(Progress):
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.bar: _Tqdm | None = None

    def stage(self, name: str, total: int | None = None) -> None:
        self.close()
        unit = "doc" if total is not None else "step"
        self.bar = _Tqdm(total=total or 1, desc=name, unit=unit, file=self.stream)

    def advance(self, steps: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(steps)

    def close(self) -> None:
        if self.bar is not None:
            if self.bar.total == 1 and self.bar.n == 0:
                self.bar.update(1)
            self.bar.close()
            self.bar = None


class _Lines(Progress):
    def __init__(self, stream: IO[str], every: int) -> None:
        self.stream = stream
        self.every = every
        self.name = ""
        self.total: int | None = None
        self.done = 0
        self.started = 0.0

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def stage(self, name: str, total: int | None = None) -> None:
        self.close()
        self.name, self.total, self.done = name, total, 0
        self.started = time.perf_counter()
        what = f" {total} documents" if total is not None else ""
        self._line(f"{name}:{what} ...")

    def advance(self, steps: int = 1) -> None:
        before = self.done // self.every
        self.done += steps
        if self.total is not None and self.done // self.every > before:
            seconds = time.perf_counter() - self.started
            self._line(f"{self.name}: {self.done}/{self.total} ({seconds:.1f} s)")

    def close(self) -> None:
        if not self.name:
            return
        seconds = time.perf_counter() - self.started
        self._line(f"{self.name}: done in {seconds:.1f} s")
        self.name = ""


def make_progress(stream: IO[str], *, every: int = 100) -> Progress:
    """Return a bar reporter on a terminal, else one printing plain lines."""
    is_tty = getattr(stream, "isatty", lambda: False)()
    return _Bar(stream) if is_tty else _Lines(stream, every)
