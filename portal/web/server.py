"""Serving the app: requests that never reach it still get problem+json, and a clean stop.

aiohttp answers a request its HTTP parser refuses (a raw non-ASCII URL, an 8 KB header, a control
character, an unknown method, a bad Content-Length) itself, in text/plain that quotes the offending
bytes back, and logs it with a traceback at error level. Those are the client's mistakes: here they
are answered as RFC 9457 problems that quote nothing, and logged at info.

aiohttp has no public hook for this: the request handler class is chosen by ``web.Server``, which
``AppRunner._make_server`` builds. ``PortalRunner`` swaps in ``ProblemServer``; the tests run every
app through it (tests/test_http_edges.py sends the raw bytes), so an aiohttp upgrade that moves
the hook fails there and not in production.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from http import HTTPStatus

from aiohttp import http_exceptions, web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from portal.http.keys import SETTINGS
from portal.problems import DEFAULT_BASE
from portal.web.http import PROBLEM_TYPE

log = logging.getLogger("portal.http")

# Why a request was refused, in words that quote nothing from it (most specific class first).
REFUSALS: list[tuple[type[Exception], str, str]] = [
    (http_exceptions.LineTooLong, "too-long", "The request line or a header is longer than this server accepts."),
    (http_exceptions.InvalidURLError, "invalid-url", "The request target is not a valid URL; percent-encode it."),
    (http_exceptions.BadHttpMethod, "unknown-method", "The request method is not one this server knows."),
    (http_exceptions.InvalidHeader, "invalid-header", "A request header is not valid."),
    (http_exceptions.BadStatusLine, "invalid-request-line", "The request line is not valid HTTP."),
    (http_exceptions.ContentLengthError, "invalid-body", "The request body does not match its declared length."),
    (http_exceptions.TransferEncodingError, "invalid-body", "The request body's transfer encoding is not valid."),
    (http_exceptions.BadHttpMessage, "invalid-http", "The request is not valid HTTP/1.1."),
]


def refusal(exc: BaseException | None) -> tuple[str, str]:
    for kind, slug, detail in REFUSALS:
        if isinstance(exc, kind):
            return slug, detail
    return "invalid-http", "The request is not valid HTTP/1.1."


class ProblemRequestHandler(RequestHandler):
    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status >= 500:  # the app's middleware answers its own errors; this one escaped it
            return super().handle_error(request, status, exc, message)
        slug, detail = refusal(exc)
        log.info(
            "request refused by the HTTP parser",
            extra={"fields": {"status": status, "reason": slug, "remote": request.remote}},
        )
        if request.writer.output_size > 0:
            raise ConnectionError("a response was already started; the connection is closed")
        base = getattr(self._manager, "problem_base", DEFAULT_BASE)
        body = {"type": base + slug, "title": _title(status), "status": status, "detail": detail}
        response = web.Response(status=status, body=json.dumps(body).encode(), content_type=PROBLEM_TYPE)
        response.force_close()
        return response


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Bad Request"


class ProblemServer(web.Server):
    def __call__(self) -> RequestHandler:
        return ProblemRequestHandler(self, loop=self._loop, **self._kwargs)


class PortalRunner(web.AppRunner):
    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = ProblemServer  # the same server; only the class of each connection's handler differs
        settings = self._app.get(SETTINGS)  # a test's stand-in server has none
        server.problem_base = settings.problem_base if settings else DEFAULT_BASE  # type: ignore[attr-defined]
        return server


async def serve(app: web.Application, *, host: str, port: int, shutdown_timeout: float) -> None:
    """Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish (up to
    ``shutdown_timeout``) and runs the app's cleanup: what ``web.run_app`` does, with our runner."""
    runner = PortalRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await web.TCPSite(runner, host, port).start()
        await stop.wait()
    finally:
        await runner.cleanup()
