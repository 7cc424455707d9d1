"""The SPARQL endpoint as an ASGI app: the page at `/`, the protocol at `/sparql`.

`GET /sparql` without a query answers the SPARQL 1.1 Service Description;
`GET /store?default` and `GET /store?graph=IRI` are the Graph Store Protocol's
reads. Every answer of `/sparql` and `/store` is negotiated (`Accept`, or a
`format=` name of `graph.sparql.formats.FORMATS`), says `Vary: Accept`, and is
406 when nothing the client accepts fits.

The handlers read a request (at most `MAX_BODY` bytes, within the client
deadline), refuse what needs no worker to refuse (an update on a read-only
endpoint, a cross-site update: foreign `Host` or `Origin`), and hand the job to
the worker pool, whose `Reply` they relay. The guard against SERVICE, LOAD and
deep nesting runs in the worker (`graph.sparql.workers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import InputError
from .deadlines import CLIENT_TIMEOUT, BodyError, read_body
from .description import describe_service
from .formats import find_format
from .workers import Reply, WorkerPool, text_reply

__all__ = ["LOOPBACK", "MAX_BODY", "EndpointOptions", "make_app"]

MAX_BODY = 1 << 20
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_FORM = "application/x-www-form-urlencoded"
_VARY = {"Vary": "Accept"}
_BODY_KINDS = (_FORM, "application/sparql-query", "application/sparql-update")


@dataclass(frozen=True, slots=True)
class EndpointOptions:
    """How the endpoint answers: limits, updates, CORS and the hosts it answers as.

    `hosts` lists the names an update's `Host` header may give (None: any, for
    a server bound to every address).
    """

    timeout: float = 10.0
    max_rows: int = 10000
    allow_update: bool = False
    cors: str | None = None
    hosts: frozenset[str] | None = frozenset(LOOPBACK)
    client_timeout: float = CLIENT_TIMEOUT


def make_app(
    pool: WorkerPool,
    options: EndpointOptions,
    *,
    page: bytes,
    assets: dict[str, tuple[str, bytes]] | None = None,
) -> Starlette:
    """Build the ASGI application: the page at `/`, the protocol at `/sparql`.

    `assets` maps a file name under `/assets/` to its media type and bytes
    (the page's scripts and styles, shipped in the package).
    """
    assets = assets or {}
    endpoint = _Endpoint(pool, options)

    async def index(request: Request) -> Response:
        return _response(Reply(200, "text/html; charset=utf-8", page))

    async def asset(request: Request) -> Response:
        found = assets.get(request.path_params["name"])
        if found is None:
            return _response(text_reply(404, f"not found: {request.url.path}"))
        headers = {"Cache-Control": "max-age=3600"}
        return _response(Reply(200, found[0], found[1]), headers)

    middleware = []
    if options.cors is not None:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=[options.cors],
                allow_methods=["GET", "HEAD", "POST"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-SPARQL-MaxRows", "Vary"],
            )
        )
    routes = [
        Route("/", index, methods=["GET"]),
        Route("/index.html", index, methods=["GET"]),
        Route("/sparql", endpoint.get, methods=["GET"]),
        Route("/sparql", endpoint.post, methods=["POST"]),
        Route("/store", endpoint.store, methods=["GET"]),
        Route("/assets/{name}", asset, methods=["GET"]),
    ]
    handlers = {404: _not_found, 405: _not_allowed}
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


async def _not_found(request: Request, exc: Exception) -> Response:
    path = request.url.path
    return _response(text_reply(404, f"not found: {path}; the endpoint is /sparql"))


async def _not_allowed(request: Request, exc: Exception) -> Response:
    methods = "GET, HEAD, POST" if request.url.path == "/sparql" else "GET, HEAD"
    if request.url.path == "/store":
        return _response(
            text_reply(405, "the graph store is read-only; use GET or HEAD"),
            {"Allow": methods},
        )
    reply = text_reply(405, f"method {request.method} not allowed; use {methods}")
    return _response(reply, {"Allow": methods})


def _response(reply: Reply, extra: dict[str, str] | None = None) -> Response:
    headers = reply.headers | (extra or {})
    return Response(reply.body, reply.status, headers, media_type=reply.content_type)


class _Endpoint:
    """The `/sparql` handlers: read the request, check it, run it on a worker."""

    def __init__(self, pool: WorkerPool, options: EndpointOptions) -> None:
        self.pool, self.options = pool, options

    async def get(self, request: Request) -> Response:
        params = parse_qs(request.url.query, keep_blank_values=True)
        if "update" in params:
            return _response(text_reply(405, "send updates with POST, not GET"))
        if "query" not in params:
            return self._describe(request, params)
        return await self._handle(request, params)

    def _describe(self, request: Request, params: dict[str, list[str]]) -> Response:
        """Answer the SPARQL 1.1 Service Description of this endpoint."""
        accept = request.headers.get("accept", "")
        url = str(request.url.replace(query=""))
        try:
            reply = describe_service(
                url.rstrip("?"),
                allow_update=self.options.allow_update,
                formats=params.get("format", []),
                accept=accept,
            )
        except InputError as exc:
            reply = text_reply(400, str(exc))
        return _response(reply, _VARY)

    async def store(self, request: Request) -> Response:
        """Answer a Graph Store Protocol read: `?default` or `?graph=IRI`."""
        params = parse_qs(request.url.query, keep_blank_values=True)
        graphs = params.get("graph", [])
        if ("default" in params) == bool(graphs) or len(graphs) > 1:
            reply = text_reply(400, "give either ?default or one ?graph=IRI")
            return _response(reply, _VARY)
        try:
            formats = [find_format(f, "graph").name for f in params.get("format", [])]
        except InputError as exc:
            return _response(text_reply(400, str(exc)), _VARY)
        job = {
            "kind": "store",
            "graph": graphs[0] if graphs else None,
            "formats": formats,
            "accept": request.headers.get("accept", ""),
        }
        reply = await run_in_threadpool(self.pool.run, job, self.options.timeout)
        return _response(reply, _VARY)

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
            body = await read_body(
                request, limit=MAX_BODY, timeout=self.options.client_timeout
            )
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
        try:
            wanted = [find_format(f).name for f in params.get("format", [])]
        except InputError as exc:
            return _response(text_reply(400, str(exc)), _VARY)
        job = {
            "kind": "update" if updates else "query",
            "text": (queries or updates)[0],
            "formats": wanted,
            "accept": request.headers.get("accept", ""),
            "max_rows": self.options.max_rows,
            "allow_update": self.options.allow_update,
            # The protocol's dataset: it overrides FROM / FROM NAMED.
            "default_graphs": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }
        reply = await run_in_threadpool(self.pool.run, job, self.options.timeout)
        return _response(reply, _VARY)

    def _refuse_update(self, request: Request) -> Reply | None:
        if not self.options.allow_update:
            return text_reply(
                403,
                "updates are not allowed: this endpoint is read-only "
                "(start kg serve with --allow-update to accept them)",
            )
        host = request.headers.get("host", "")
        origin = request.headers.get("origin")
        if not _is_own_host(host, self.options.hosts):
            return text_reply(403, f"update refused: foreign Host header {host!r}")
        if origin is not None and origin not in (f"http://{host}", self.options.cors):
            return text_reply(403, f"update refused: cross-site Origin {origin!r}")
        site = request.headers.get("sec-fetch-site", "none")
        if site not in ("same-origin", "none") and origin != self.options.cors:
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
