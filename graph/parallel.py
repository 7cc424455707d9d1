"""Extract documents in worker processes or on a Dask cluster, in input order.

spaCy Docs cannot cross a process boundary here (the `doc._.kg_*` extensions
hold dataclasses that spaCy refuses to pickle, error E871), so nothing passes
Docs around: each worker builds the pipeline once (`make_nlp`) and returns
plain `DocResult`s, which pickle. Tasks carry the document text, read by the
parent, so a cluster worker needs no access to the input files.

Results come back in input order through a bounded window of tasks in flight,
so memory does not grow with the corpus and the outputs are the same bytes
for one worker, N workers and a cluster.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, fields, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

from spacy.language import Language

from .errors import KGError
from .model import DocResult
from .settings import PACKAGE_DIR, Settings

__all__ = [
    "Task",
    "Done",
    "Pending",
    "available_cores",
    "choose_workers",
    "pipeline_for",
    "run_task",
    "map_ordered",
    "open_executor",
    "run_beside",
]

logger = logging.getLogger(__name__)

# Below this many bytes of input, one process does the work: starting a worker
# (importing spaCy, loading the NER model) costs seconds.
SMALL_INPUT_BYTES = 1_000_000


_Executor = tuple[Callable[["Task"], "Pending"], int, int]


@dataclass(frozen=True, slots=True)
class Task:
    """One document to extract: its name in the outputs and its text."""

    name: str
    text: str


class Pending(Protocol):
    """What a submitted task gives back: concurrent or Dask futures, or `Done`."""

    def result(self) -> DocResult: ...


@dataclass(frozen=True, slots=True)
class Done:
    """A result known already (from the cache), in the place of a future."""

    value: DocResult

    def result(self) -> DocResult:
        return self.value


def available_cores() -> int:
    """Return the number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def choose_workers(requested: int | None, documents: int, input_bytes: int) -> int:
    """Return how many extraction processes to start.

    Examples:
        >>> choose_workers(4, 2, 10**9)
        2
        >>> choose_workers(None, 500, 1000)
        1
    """
    if requested is None:
        requested = 1 if input_bytes < SMALL_INPUT_BYTES else available_cores()
    return max(1, min(requested, documents))


_LOCAL = threading.local()


def pipeline_for(settings: Settings) -> Language:
    """Return this thread's pipeline for `settings`, building it on first use."""
    from .extract.nlp import make_nlp

    key = (settings.resources, settings.ner_model, settings.use_ner)
    cached = getattr(_LOCAL, "pipelines", None)
    if cached is None:
        cached = _LOCAL.pipelines = {}
    if key not in cached:
        cached[key] = make_nlp(settings)
    return cached[key]


def run_task(task: Task, settings: Settings, home: str = "") -> DocResult:
    """Extract one document with this worker's pipeline.

    `home` is the package folder of the process that sent the task: paths of
    `settings` under it are moved under this process's own package folder, so
    a cluster worker uses its own installation's resources and model.
    """
    from .chunks import extract_text

    if home and home != str(PACKAGE_DIR):
        settings = _rehome(settings, Path(home))
    nlp = pipeline_for(settings)
    return extract_text(nlp, task.text, task.name, chunk_chars=settings.chunk_chars)


def _rehome(settings: Settings, home: Path) -> Settings:
    changes = {}
    for field in fields(settings):
        value = getattr(settings, field.name)
        if isinstance(value, Path) and value.is_relative_to(home):
            changes[field.name] = PACKAGE_DIR / value.relative_to(home)
    return replace(settings, **changes)


def map_ordered(
    submit: Callable[[Task], Pending],
    tasks: Iterable[Task | DocResult],
    *,
    window: int,
) -> Iterator[DocResult]:
    """Yield the result of every task in input order, `window` tasks in flight.

    A `DocResult` among the tasks (a cache hit) is passed through in its place.
    """
    pending: deque[Pending] = deque()
    for task in tasks:
        pending.append(Done(task) if isinstance(task, DocResult) else submit(task))
        while len(pending) > window or (pending and _is_ready(pending[0])):
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _is_ready(item: Pending) -> bool:
    if isinstance(item, Done):
        return True
    done = getattr(item, "done", None)
    return bool(done()) if callable(done) else False


def _start_method() -> str:
    """Fork workers (they inherit spaCy, imported: a second less to start) unless
    this process holds NER model state (onnxruntime's threads and sessions
    must not be forked) or cannot fork; then spawn fresh interpreters."""
    if "onnxruntime" in sys.modules or threading.active_count() > 1:
        return "spawn"
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


@contextmanager
def _local_pool(settings: Settings, workers: int) -> Iterator[_Executor]:
    context = multiprocessing.get_context(_start_method())
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=pipeline_for,
        initargs=(settings,),
    )

    def submit(task: Task) -> Future[DocResult]:
        return pool.submit(run_task, task, settings)

    try:
        yield submit, 2 * workers + 2, workers
    except BrokenProcessPool as exc:
        raise KGError("an extraction worker died (out of memory?)") from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _dask_pool(settings: Settings, address: str) -> Iterator[_Executor]:
    try:
        from distributed import Client
    except ImportError as exc:
        raise KGError(
            "--scheduler needs Dask distributed: pip install 'graph[cluster]'"
        ) from exc
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise KGError(f"cannot reach the Dask scheduler at {address} ({exc})") from exc
    home = str(PACKAGE_DIR)

    def submit(task: Task) -> Pending:
        return client.submit(run_task, task, settings, home, pure=False)

    try:
        threads = sum(client.nthreads().values()) or 1
        yield submit, 4 * threads + 4, threads
    finally:
        client.close()


@contextmanager
def _in_process(settings: Settings) -> Iterator[_Executor]:
    def submit(task: Task) -> Pending:
        return Done(run_task(task, settings))

    yield submit, 0, 1


def open_executor(
    settings: Settings, workers: int
) -> AbstractContextManager[_Executor]:
    """Open where tasks run: this process, `workers` processes, or Dask.

    Gives `(submit, window, workers)`: `submit` and `window` for
    `map_ordered`, and how many run at once (a cluster's worker threads).
    The pool is closed on exit.
    """
    if settings.scheduler:
        return _dask_pool(settings, settings.scheduler)
    if workers > 1:
        return _local_pool(settings, workers)
    return _in_process(settings)


@contextmanager
def run_beside(
    job: Callable[[], None], *, enabled: bool, name: str = "beside"
) -> Iterator[None]:
    """Run `job` in a forked process while the body of the `with` runs here.

    The child inherits what `job` needs (no pickling), so two stages that
    write different files use both cores. Without `enabled`, or where
    processes cannot fork, `job` runs here first. An error of the job is
    raised here when the body ends (a `KGError` keeps its class and message;
    a child that dies says so, with `name`: "writing the exports"); if the
    body fails, the child is stopped.
    """
    if not enabled or "fork" not in multiprocessing.get_all_start_methods():
        job()
        yield
        return
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_run_child, args=(job, writer), daemon=True)
    child.start()
    writer.close()
    try:
        yield
    except BaseException:
        child.terminate()
        child.join()
        raise
    try:
        failure = reader.recv()  # None when the job is done
    except EOFError:  # the child died before it could say
        failure = None
    finally:
        reader.close()
    child.join()
    if failure is None and child.exitcode != 0:
        code = child.exitcode
        why = " (killed: out of memory?)" if code is not None and code < 0 else ""
        failure = ("KGError", f"the process {name} ended with code {code}{why}")
    if failure is not None:
        raise _as_error(*failure)


def _run_child(job: Callable[[], None], writer: Connection) -> None:
    try:
        job()
    except BaseException as exc:  # sent whole to the parent, which raises it
        writer.send((type(exc).__name__, str(exc)))
        raise SystemExit(1) from None
    writer.send(None)


def _as_error(name: str, message: str) -> KGError:
    from . import errors

    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, KGError) and name in errors.__all__:
        try:
            return cls(message)
        except TypeError:  # an error class with other arguments
            pass
    return KGError(f"{message} ({name})" if name != "KGError" else message)
