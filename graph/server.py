"""A SPARQL 1.1 Protocol endpoint over the store, with a per-query time limit.

`ThreadingHTTPServer` parses requests; queries run in a small pool of worker
*processes* (`graph.workers`), each holding the store open read-only. pyoxigraph
cannot be interrupted from Python, so a query over the time limit is stopped by
killing its worker, which is then replaced: the answer is 503 "query exceeded
time limit of N s" and the server stays usable. A `.ttl`/`.nt` source is
bulk-loaded once into a scratch store that the workers open. Updates are refused
unless `allow_update` (then one worker opens the store read-write); LOAD and
SERVICE are always refused, so the server never fetches from the network.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import InputError
from .page import render_page
from .query import find_forbidden, read_ready_queries
from .store import find_source, load_file
from .workers import Reply, WorkerPool, text_reply

__all__ = ["SparqlServer", "make_server"]

logger = logging.getLogger(__name__)

MAX_BODY = 1 << 20
_MEDIA_FORMATS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
}
_FORM = "application/x-www-form-urlencoded"


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server: settings, worker pool and ready queries for the handler."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        pool: WorkerPool,
        timeout: float,
        max_rows: int,
        allow_update: bool,
        page: bytes,
        scratch: Path | None,
    ) -> None:
        super().__init__(address, _Handler)
        self.pool, self.query_timeout, self.max_rows = pool, timeout, max_rows
        self.allow_update, self.page, self.scratch = allow_update, page, scratch

    @property
    def url(self) -> str:
        """Return the base URL, e.g. `http://127.0.0.1:7878/`."""
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    def server_close(self) -> None:
        """Close the socket, stop the workers and remove the scratch store."""
        super().server_close()
        self.pool.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def make_server(
    source: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 10.0,
    max_rows: int = 10000,
    workers: int = 2,
    allow_update: bool = False,
    queries: Path | None = None,
) -> SparqlServer:
    """Prepare the store and workers, and bind the endpoint (not yet serving)."""
    if timeout <= 0 or max_rows <= 0 or workers <= 0:
        raise InputError("--timeout, --max-rows and --workers must be positive")
    found = find_source(source)
    scratch = None
    if found.is_file():
        scratch = Path(tempfile.mkdtemp(prefix="kg-serve-"))
        load_file(found, scratch / "store")
        found = scratch / "store"
    size = 1 if allow_update else workers
    ready = read_ready_queries(queries) if queries is not None else {}
    pool = None
    try:
        pool = WorkerPool(found, size=size, writable=allow_update)
        server = SparqlServer(
            (host, port),
            pool=pool,
            timeout=timeout,
            max_rows=max_rows,
            allow_update=allow_update,
            page=render_page(ready).encode("utf-8"),
            scratch=scratch,
        )
    except BaseException:
        if pool is not None:
            pool.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    if host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning("endpoint %s is reachable from other machines", server.url)
    logger.info("serving %s from %s", server.url, source)
    return server


def _accepted(header: str) -> list[str]:
    """List the format names an Accept header asks for, best first.

    Examples:
        >>> _accepted("text/csv;q=0.5, application/sparql-results+json")
        ['json', 'csv']
    """
    ranked = []
    for position, item in enumerate(header.split(",")):
        media, *options = (part.strip() for part in item.split(";"))
        weight = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media.lower() in _MEDIA_FORMATS and weight > 0:
            ranked.append((-weight, position, _MEDIA_FORMATS[media.lower()]))
    return [fmt for *_, fmt in sorted(ranked)]


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-sparql/0.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.info("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self._send(Reply(200, "text/html; charset=utf-8", self.server.page))
        elif url.path != "/sparql":
            self._send(
                text_reply(404, f"not found: {url.path}; the endpoint is /sparql")
            )
        else:
            params = parse_qs(url.query, keep_blank_values=True)
            if "update" in params:
                self._send(text_reply(405, "send updates with POST, not GET"))
            else:
                self._send(self._handle(params))

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self._send(text_reply(405 if url.path == "/" else 404, "POST to /sparql"))
            return
        self._send(self._read_post(parse_qs(url.query, keep_blank_values=True)))

    def _refuse(self) -> None:
        reply = text_reply(405, f"method {self.command} not allowed; use GET or POST")
        self._send(
            Reply(reply.status, reply.content_type, reply.body, {"Allow": "GET, POST"})
        )

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse  # noqa: N815

    def _read_post(self, params: dict[str, list[str]]) -> Reply:
        length_text = self.headers.get("Content-Length") or "0"
        if not length_text.isdigit():
            return text_reply(400, f"bad Content-Length {length_text!r}")
        length = int(length_text)
        if length > MAX_BODY:
            return text_reply(413, f"request body over {MAX_BODY} bytes")
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == _FORM:
            for key, values in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif kind == "application/sparql-query":
            params["query"] = [body]
        elif kind == "application/sparql-update":
            params["update"] = [body]
        else:
            return text_reply(
                415,
                f"unsupported Content-Type {kind!r}; use {_FORM}, "
                "application/sparql-query or application/sparql-update",
            )
        return self._handle(params)

    def _handle(self, params: dict[str, list[str]]) -> Reply:
        queries, updates = params.get("query", []), params.get("update", [])
        if len(queries) + len(updates) != 1:
            return text_reply(400, "give exactly one 'query' (or 'update') parameter")
        text = (queries or updates)[0]
        refused = self._check(text, is_update=bool(updates))
        if refused is not None:
            return refused
        wanted = [_MEDIA_FORMATS.get(f, f) for f in params.get("format", [])]
        job = {
            "kind": "update" if updates else "query",
            "text": text,
            "formats": wanted + _accepted(self.headers.get("Accept") or ""),
            "max_rows": self.server.max_rows,
        }
        return self.server.pool.run(job, self.server.query_timeout)

    def _check(self, text: str, *, is_update: bool) -> Reply | None:
        word = find_forbidden(text)
        if word in ("SERVICE", "LOAD"):
            return text_reply(
                403,
                f"{word} is not allowed: this endpoint never fetches from the network",
            )
        if (is_update or word) and not self.server.allow_update:
            return text_reply(
                403,
                "updates are not allowed: this endpoint is read-only "
                "(start kg serve with --allow-update to accept them)",
            )
        if word and not is_update:
            return text_reply(
                400, f"{word} is an update; send it as 'update', not 'query'"
            )
        return None

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
