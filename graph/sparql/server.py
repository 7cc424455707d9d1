"""A SPARQL 1.1 Protocol endpoint over the store, with a per-query time limit.

HTTP is Starlette (`graph.sparql.endpoint`) on uvicorn (HTTP/1.1, keep-alive, HEAD, a
1024-deep listen backlog, strict header parsing by h11); `graph.sparql.deadlines` adds
deadlines for slow clients. Queries run in a small pool of worker *processes*
(`graph.sparql.workers`), each holding the store open read-only and cut off from the
network; there the guard (`graph.sparql.guard`) refuses SERVICE, LOAD and deep nesting
with Oxigraph's own parser. pyoxigraph cannot be interrupted from Python, so a
query over the time limit is stopped by killing its worker, which is then
replaced: the answer is 503 "query exceeded time limit of N s" and the server
stays usable. A `.ttl`/`.nt` source is bulk-loaded once into a scratch store
that the workers open. Updates are refused unless `allow_update` (then one
worker opens the store read-write), and a cross-site update (foreign `Origin`
or `Host`) always is."""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from ..errors import InputError
from .deadlines import CLIENT_TIMEOUT, make_protocol
from .endpoint import LOOPBACK, EndpointOptions, make_app
from .page import read_assets, render_page
from .query import read_ready_queries
from .store import find_source, load_file
from .workers import WorkerPool

__all__ = ["BACKLOG", "SparqlServer", "make_server"]

logger = logging.getLogger(__name__)

BACKLOG = 1024


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
        options = EndpointOptions(
            timeout=timeout,
            max_rows=max_rows,
            allow_update=allow_update,
            cors=cors,
            hosts=_own_hosts(host),
            client_timeout=client_timeout,
        )
        page = render_page(ready).encode("utf-8")
        app = make_app(pool, options, page=page, assets=read_assets())
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
