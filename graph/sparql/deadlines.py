"""Deadlines for slow HTTP clients: request headers and bodies arrive in time.

uvicorn parses HTTP with h11 (a `Content-Length` of `²` is a 400, not a crash)
and serves each connection on the event loop, so a slow client holds no thread.
It has no deadline for a request's headers, though, nor for a body shorter than
its `Content-Length`: `make_protocol` closes a connection whose next request's
headers take longer than the deadline, and `read_body` answers 408 for a body.
"""

from __future__ import annotations

import asyncio

from starlette.requests import ClientDisconnect, Request
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["CLIENT_TIMEOUT", "BodyError", "make_protocol", "read_body"]

CLIENT_TIMEOUT = 10.0


class BodyError(Exception):
    """A request body that is too large, too slow or cut off (with its status)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def make_protocol(deadline: float) -> type[H11Protocol]:
    """Make an h11 protocol that closes connections slower than `deadline` s."""

    class DeadlineProtocol(H11Protocol):
        """Close a connection whose request headers are not in after `deadline` s."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            self._waiting_for = self.cycle
            self._timer = self.loop.call_later(deadline, self._expire)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def handle_events(self) -> None:
            super().handle_events()
            if self._timer is not None and self.cycle is not self._waiting_for:
                self._disarm()  # the headers of a new request are in

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._disarm()
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _expire(self) -> None:
            self._timer = None
            if not self.transport.is_closing():
                self.transport.close()

    return DeadlineProtocol


async def read_body(request: Request, *, limit: int, timeout: float) -> bytes:
    """Read a request body of at most `limit` bytes within `timeout` s.

    Raises:
        BodyError: 413 when larger, 408 when slower, 400 when the client left.
    """
    declared = request.headers.get("content-length")
    if declared is not None and int(declared) > limit:  # h11 checked it is digits
        raise BodyError(413, f"request body over {limit} bytes")
    chunks: list[bytes] = []

    async def collect() -> None:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyError(413, f"request body over {limit} bytes")
            chunks.append(chunk)

    try:
        await asyncio.wait_for(collect(), timeout)
    except asyncio.TimeoutError as exc:
        raise BodyError(408, f"request body not received within {timeout:g} s") from exc
    except ClientDisconnect as exc:
        raise BodyError(400, "client disconnected before sending the body") from exc
    return b"".join(chunks)
