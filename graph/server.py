"""A SPARQL 1.1 Protocol endpoint over the store, with a per-query time limit.

HTTP is Starlette on uvicorn (HTTP/1.1, keep-alive, HEAD, a 1024-deep listen
backlog, strict header parsing by h11); `graph.deadlines` adds deadlines for slow
clients. Queries run in a small pool of worker *processes* (`graph.workers`),
each holding the store open read-only and cut off from the network; there the
guard (`graph.guard`) refuses SERVICE, LOAD and deep nesting with Oxigraph's own
parser. pyoxigraph cannot be interrupted from Python, so a query over the time
limit is stopped by killing its worker, which is then replaced: the answer is
503 "query exceeded time limit of N s" and the server stays usable. A
`.ttl`/`.nt` source is bulk-loaded once into a scratch store that the workers
open. Updates are refused unless `allow_update` (then one worker opens the store
read-write), and a cross-site update (foreign `Origin` or `Host`) always is.
"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .deadlines import CLIENT_TIMEOUT, BodyError, make_protocol, read_body
from .errors import InputError
from .page import render_page
from .query import read_ready_queries
from .store import find_source, load_file
from .workers import Reply, WorkerPool, text_reply

__all__ = ["BACKLOG", "MAX_BODY", "SparqlServer", "make_server", "make_app"]

logger = logging.getLogger(__name__)

BACKLOG = 1024
MAX_BODY = 1 << 20
LOOPBACK = ("127.0.0.1", "localhost", "::1")
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
_BODY_KINDS = (_FORM, "application/sparql-query", "application/sparql-update")


class SparqlServer:
    """The bound endpoint: `serve_forever`, `shutdown` and `server_close`."""

    def __init__(
        self, sock: socket.socket, config: uvicorn.Config, *, pool: WorkerPool
    ) -> None:
        self.socket, self.pool = sock, pool
        self.scratch: Path | None = None
        self._server = uvicorn.Server(config)
        self._stopped = threading.Event()
        self._stopped.set()

    @property
    def url(self) -> str:
        """Return the base URL, e.g. `http://127.0.0.1:7878/`."""
        host, port = self.socket.getsockname()[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    def serve_forever(self) -> None:
        """Answer requests until `shutdown` (or SIGINT/SIGTERM in the main thread)."""
        self._stopped.clear()
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Ask `serve_forever` to stop, and wait until it has."""
        self._server.should_exit = True
        self._stopped.wait(30)

    def server_close(self) -> None:
        """Close the socket, stop the workers and remove the scratch store."""
        self.socket.close()
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
    cors: str | None = None,
    client_timeout: float = CLIENT_TIMEOUT,
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
    ready = read_ready_queries(queries) if queries is not None else {}
    pool = sock = None
    try:
        pool = WorkerPool(
            found, size=1 if allow_update else workers, writable=allow_update
        )
        sock = _bind(host, port)
        app = make_app(
            pool,
            timeout=timeout,
            max_rows=max_rows,
            allow_update=allow_update,
            page=render_page(ready).encode("utf-8"),
            cors=cors,
            hosts=_own_hosts(host),
            client_timeout=client_timeout,
        )
        server = SparqlServer(sock, _config(app, client_timeout), pool=pool)
    except BaseException:
        for resource in (pool, sock):
            if resource is not None:
                resource.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    server.scratch = scratch
    if host not in LOOPBACK:
        logger.warning("endpoint %s is reachable from other machines", server.url)
    logger.info("serving %s from %s", server.url, source)
    return server


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=BACKLOG)


def _own_hosts(host: str) -> frozenset[str] | None:
    """Name the hosts an update's Host header may give (None: any, for 0.0.0.0)."""
    if host in ("", "0.0.0.0", "::"):
        return None
    return frozenset((*LOOPBACK, host.strip("[]").lower()))


def _config(app: Starlette, client_timeout: float) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=make_protocol(client_timeout),
        loop="asyncio",
        lifespan="off",
        log_config=None,
        access_log=False,
        backlog=BACKLOG,
        timeout_keep_alive=5,
        limit_concurrency=1000,
        server_header=False,
    )


def make_app(
    pool: WorkerPool,
    *,
    timeout: float,
    max_rows: int,
    allow_update: bool,
    page: bytes,
    cors: str | None = None,
    hosts: frozenset[str] | None = frozenset(LOOPBACK),
    client_timeout: float = CLIENT_TIMEOUT,
) -> Starlette:
    """Build the ASGI application: the page at `/` and the protocol at `/sparql`."""
    endpoint = _Endpoint(pool, timeout, max_rows, allow_update)
    endpoint.cors, endpoint.hosts, endpoint.client_timeout = cors, hosts, client_timeout

    async def index(request: Request) -> Response:
        return _response(Reply(200, "text/html; charset=utf-8", page))

    middleware = []
    if cors is not None:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=[cors],
                allow_methods=["GET", "HEAD", "POST"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-SPARQL-MaxRows"],
            )
        )
    routes = [
        Route("/", index, methods=["GET"]),
        Route("/index.html", index, methods=["GET"]),
        Route("/sparql", endpoint.get, methods=["GET"]),
        Route("/sparql", endpoint.post, methods=["POST"]),
    ]
    handlers = {404: _not_found, 405: _not_allowed}
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


async def _not_found(request: Request, exc: Exception) -> Response:
    path = request.url.path
    return _response(text_reply(404, f"not found: {path}; the endpoint is /sparql"))


async def _not_allowed(request: Request, exc: Exception) -> Response:
    methods = "GET, HEAD, POST" if request.url.path == "/sparql" else "GET, HEAD"
    reply = text_reply(405, f"method {request.method} not allowed; use {methods}")
    return _response(reply, {"Allow": methods})


def _response(reply: Reply, extra: dict[str, str] | None = None) -> Response:
    headers = reply.headers | (extra or {})
    return Response(reply.body, reply.status, headers, media_type=reply.content_type)


class _Endpoint:
    """The `/sparql` handlers: read the request, check it, run it on a worker."""

    def __init__(
        self, pool: WorkerPool, timeout: float, max_rows: int, allow_update: bool
    ) -> None:
        self.pool, self.timeout, self.max_rows = pool, timeout, max_rows
        self.allow_update = allow_update
        self.cors: str | None = None
        self.hosts: frozenset[str] | None = frozenset(LOOPBACK)
        self.client_timeout = CLIENT_TIMEOUT

    async def get(self, request: Request) -> Response:
        params = parse_qs(request.url.query, keep_blank_values=True)
        if "update" in params:
            return _response(text_reply(405, "send updates with POST, not GET"))
        return await self._handle(request, params)

    async def post(self, request: Request) -> Response:
        params = parse_qs(request.url.query, keep_blank_values=True)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in _BODY_KINDS:
            return _response(
                text_reply(
                    415,
                    f"unsupported Content-Type {kind!r}; use {_FORM}, "
                    "application/sparql-query or application/sparql-update",
                )
            )
        try:
            body = await read_body(request, limit=MAX_BODY, timeout=self.client_timeout)
        except BodyError as exc:
            return _response(text_reply(exc.status, str(exc)), {"Connection": "close"})
        text = body.decode("utf-8", errors="replace")
        if kind == _FORM:
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        else:
            params["update" if kind.endswith("update") else "query"] = [text]
        return await self._handle(request, params)

    async def _handle(self, request: Request, params: dict[str, list[str]]) -> Response:
        queries, updates = params.get("query", []), params.get("update", [])
        if len(queries) + len(updates) != 1:
            reply = text_reply(400, "give exactly one 'query' (or 'update') parameter")
            return _response(reply)
        if updates:
            refused = self._refuse_update(request)
            if refused is not None:
                return _response(refused)
        wanted = [_MEDIA_FORMATS.get(f, f) for f in params.get("format", [])]
        job = {
            "kind": "update" if updates else "query",
            "text": (queries or updates)[0],
            "formats": wanted + _accepted(request.headers.get("accept", "")),
            "max_rows": self.max_rows,
            "allow_update": self.allow_update,
        }
        return _response(await run_in_threadpool(self.pool.run, job, self.timeout))

    def _refuse_update(self, request: Request) -> Reply | None:
        if not self.allow_update:
            return text_reply(
                403,
                "updates are not allowed: this endpoint is read-only "
                "(start kg serve with --allow-update to accept them)",
            )
        host = request.headers.get("host", "")
        origin = request.headers.get("origin")
        if not _is_own_host(host, self.hosts):
            return text_reply(403, f"update refused: foreign Host header {host!r}")
        if origin is not None and origin not in (f"http://{host}", self.cors):
            return text_reply(403, f"update refused: cross-site Origin {origin!r}")
        site = request.headers.get("sec-fetch-site", "none")
        if site not in ("same-origin", "none") and origin != self.cors:
            return text_reply(403, f"update refused: Sec-Fetch-Site {site}")
        return None


def _is_own_host(host: str, names: frozenset[str] | None) -> bool:
    """Tell whether a Host header names this server (a guard against DNS rebinding).

    Examples:
        >>> own = frozenset(LOOPBACK)
        >>> _is_own_host("127.0.0.1:7878", own), _is_own_host("[::1]:80", own)
        (True, True)
        >>> _is_own_host("evil.example:7878", own), _is_own_host("", own)
        (False, False)
    """
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:
        return False
    return bool(name) and (names is None or name in names)


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
