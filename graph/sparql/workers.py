"""Query worker processes: each holds the store open; a job has a time limit.

pyoxigraph cannot be interrupted from Python, so a job over the time limit is
stopped by killing its worker, which is then replaced in the background: the
answer is 503 "query exceeded time limit of N s" and the pool stays usable.
Workers are *spawned*, check each job with `graph.sparql.guard` (SERVICE, LOAD, deep
nesting) and answer with a ready HTTP `Reply` (SPARQL results or RDF, or a
plain-text error), so the server only relays it. On Linux a worker first moves
into a network namespace of its own, which has no interface up: whatever the
query, the engine cannot open a connection (`WorkerPool.isolated` tells).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import queue
import sys
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Store

from ..errors import ForbiddenError, InputError, KGError, QueryError
from .formats import FORMATS, format_names, negotiate, serialize_result
from .guard import UPDATE_WORDS, check_query, check_update, find_keywords, one_line
from .prefixes import PREFIX_MAP
from .store import QueryResult, execute, open_store

__all__ = ["Reply", "text_reply", "isolate_network", "WorkerPool"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer: status, media type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def text_reply(status: int, message: str) -> Reply:
    """Make a plain-text reply of one line."""
    return Reply(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


def _not_acceptable(kind: str, accept: str) -> Reply:
    what = "graph" if kind == "graph" else "results"
    offered = ", ".join(FORMATS[name].media_type for name in format_names(what))
    return text_reply(
        406, f"no format of {accept!r} fits a {kind.upper()} answer; offered: {offered}"
    )


_READ_ONLY = (
    "updates are not allowed: this endpoint is read-only "
    "(start kg serve with --allow-update to accept them)"
)
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


def _misplaced_update(text: str, allow_update: bool) -> Reply | None:
    """Explain a query that does not parse because it is an update."""
    words = [word for word in find_keywords(text) if word in UPDATE_WORDS]
    if not words:
        return None
    if not allow_update:
        return text_reply(403, _READ_ONLY)
    return text_reply(400, f"{words[0]} is an update; send it as 'update', not 'query'")


def _read_graph(store: Store, job: dict, prefixes: dict[str, str]) -> Reply:
    """Answer a Graph Store Protocol read: the default graph or one named graph."""
    iri = job.get("graph")
    try:
        graph = DefaultGraph() if iri is None else NamedNode(iri)
    except ValueError as exc:
        return text_reply(400, f"bad graph IRI {iri!r}: {one_line(str(exc))}")
    if iri is not None and not store.contains_named_graph(graph):
        return text_reply(404, f"no graph <{iri}> in this store")
    fmt = negotiate("graph", job["formats"], job.get("accept", ""))
    if fmt is None:
        return _not_acceptable("graph", job.get("accept", ""))
    triples = tuple(q.triple for q in store.quads_for_pattern(None, None, None, graph))
    result = QueryResult("graph", triples=triples)
    body = serialize_result(result, fmt.name, prefixes=prefixes)
    return Reply(200, f"{fmt.media_type}; charset=utf-8", body)


def _answer(store: Store, job: dict, prefixes: dict[str, str]) -> Reply:
    if job["kind"] == "store":
        return _read_graph(store, job, prefixes)
    text = job["text"]
    try:
        if job["kind"] == "update":
            check_update(text, prefixes=prefixes)
            store.update(text, prefixes=prefixes)
            return text_reply(200, "update done")
        check_query(text, prefixes=prefixes)
        result = execute(
            store,
            text,
            prefixes=prefixes,
            max_rows=job["max_rows"],
            default_graphs=job.get("default_graphs", ()),
            named_graphs=job.get("named_graphs", ()),
        )
        kind = "graph" if result.kind == "graph" else "results"
        fmt = negotiate(kind, job["formats"], job.get("accept", ""))
        if fmt is None:
            return _not_acceptable(result.kind, job.get("accept", ""))
        body = serialize_result(result, fmt.name, prefixes=prefixes)
    except ForbiddenError as exc:
        return text_reply(403, str(exc))
    except QueryError as exc:
        misplaced = None
        if str(exc).startswith("bad query"):
            misplaced = _misplaced_update(text, job.get("allow_update", False))
        return misplaced or text_reply(400, str(exc))
    except InputError as exc:
        return text_reply(400, str(exc))
    except SyntaxError as exc:  # from an update
        return text_reply(400, f"bad update: {one_line(str(exc))}")
    except (KGError, OSError) as exc:
        return text_reply(500, one_line(str(exc)))
    headers = {"X-SPARQL-MaxRows": str(job["max_rows"])} if result.truncated else {}
    return Reply(200, f"{fmt.media_type}; charset=utf-8", body, headers)


def isolate_network() -> str:
    """Move this process into a new network namespace; say why not if it cannot."""
    if not sys.platform.startswith("linux"):
        return f"no network namespaces on {sys.platform}"
    try:
        unshare = ctypes.CDLL(None, use_errno=True).unshare
    except (OSError, AttributeError) as exc:
        return f"no unshare() ({exc})"
    if unshare(_CLONE_NEWNET) == 0:
        return ""
    if unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:  # unprivileged users
        return ""
    return f"unshare() failed with errno {ctypes.get_errno()}"


def _work(conn: Connection, store_path: str, writable: bool, prefixes: dict) -> None:
    """Serve jobs from `conn` until it closes (runs in a worker process)."""
    problem = isolate_network()
    try:
        store = open_store(Path(store_path), writable=writable)
    except KGError as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", problem))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_answer(store, job, prefixes))


class WorkerPool:
    """Worker processes that each hold the store open; a stuck one is replaced."""

    def __init__(self, store_path: Path, *, size: int, writable: bool) -> None:
        self._args = (str(store_path), writable, PREFIX_MAP)
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue = queue.Queue()
        self._all: set = set()
        self._lock = threading.Lock()
        self._closed = False
        self.isolated = True
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> tuple:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_work, args=(theirs, *self._args))
        process.daemon = True
        process.start()
        theirs.close()
        try:
            status, message = ours.recv() if ours.poll(120) else ("failed", "no reply")
        except (EOFError, OSError):
            status, message = "failed", f"exited with code {process.exitcode}"
        if status != "ready":
            process.kill()
            raise KGError(f"query worker failed to start: {message}")
        if message:
            self.isolated = False
            logger.warning("query worker keeps the network: %s", message)
        with self._lock:
            self._all.add((process, ours))
        return process, ours

    def _stop(self, worker: tuple) -> None:
        process, conn = worker
        with self._lock:
            self._all.discard(worker)
        conn.close()
        process.join(2)
        if process.is_alive():
            process.kill()
            process.join()

    def run(self, job: dict, timeout: float) -> Reply:
        """Run a job on an idle worker; kill and replace it after `timeout` s."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return text_reply(503, f"server busy: no worker free within {timeout:g} s")
        process, conn = worker
        try:
            conn.send(job)
            if conn.poll(timeout):
                reply = conn.recv()
                self._idle.put(worker)
                return reply
            message = f"query exceeded time limit of {timeout:g} s"
            status = 503
        except (EOFError, OSError) as exc:
            message, status = f"query worker failed ({exc or 'exited'})", 500
        logger.warning("%s; restarting worker %s", message, process.pid)
        process.kill()
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        return text_reply(status, message)

    def _replace(self, worker: tuple) -> None:
        self._stop(worker)
        if self._closed:
            return
        try:
            self._idle.put(self._start())
        except KGError as exc:
            logger.error("%s", exc)

    def close(self) -> None:
        """Stop every worker (busy ones are killed)."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._stop(worker)
