"""The web client's pages: the same domain functions as the JSON API, rendered as HTML.

A page route is authenticated by the session cookie (not a bearer token), checks the CSRF token
on every state-changing request, validates its path like an API route, opens the unit of work the
route declares, and renders a template in the reader's language and time zone. Errors become HTML
pages; a signed-out browser asking for a page is sent to sign in.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web
from multidict import MultiDictProxy
from yarl import URL

from portal.db import Connection, transaction
from portal.errors import Forbidden, PortalError
from portal.http.keys import CALLER_LABEL, POOL, SETTINGS
from portal.http.uploads import read_form_with_files
from portal.http.view import SESSION_COOKIE, PageHandler, View, base_url
from portal.i18n import Formats, negotiate
from portal.sessions import service as sessions
from portal.sessions.service import Session
from portal.web.http import parse_path
from portal.web.spec import PATH_PARAM

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfRejected(Forbidden):
    title, slug = "Request not accepted", "csrf"


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    handler: PageHandler
    # "anyone": no session needed (sign-in); "employee": a signed-in employee (the domain checks
    # leads and admins itself, so pages and API refuse the same people).
    access: Literal["anyone", "employee"] = "employee"
    tx: Literal["read", "write"] | None = "read"
    route_name: str | None = None
    # A form with a file in it (multipart), read up to PORTAL_IMPORT_MAX_BYTES.
    upload: bool = False

    @property
    def name(self) -> str:
        return self.route_name or self.handler.__name__


def page(path: str, handler: PageHandler, **options: Any) -> Page:
    """A page a browser GETs, read in one snapshot unless `tx` says otherwise."""
    return Page("GET", path, handler, **options)


def form(path: str, handler: PageHandler, **options: Any) -> Page:
    """A form a browser POSTs, in one read-write transaction."""
    return Page("POST", path, handler, **{"tx": "write", **options})


async def current_session(request: web.Request) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 100:
        return None
    async with request.app[POOL].acquire() as conn:
        return await sessions.load(conn, token)


def _same_origin(request: web.Request) -> bool:
    """A state-changing request must come from the portal's own pages (the CSRF token proves it
    for signed-in pages; this also covers sign-in itself, where there is no session yet)."""
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:  # not sent by every browser for every form; the CSRF token still is
        return True
    try:
        return origin != "null" and URL(origin).origin() == URL(base_url(request)).origin()
    except ValueError:  # not an origin at all ("http://a:b"): not ours
        return False


async def _check_csrf(request: web.Request, session: Session | None, form: MultiDictProxy[Any] | None) -> None:
    if not _same_origin(request):
        raise CsrfRejected("this form was sent from another site")
    if session is None:
        return
    sent = request.headers.get("X-CSRF-Token") or (form.get("csrf_token") if form is not None else None)
    if not isinstance(sent, str) or not secrets.compare_digest(sent, session.csrf_token):
        raise CsrfRejected("this form has expired; reload the page and try again")


def page_endpoint(page: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    path_params = PATH_PARAM.findall(page.path)

    async def handle(request: web.Request) -> web.StreamResponse:
        settings = request.app[SETTINGS]
        session = await current_session(request)
        locale = negotiate(
            session.locale if session else request.cookies.get("portal_locale"),
            request.headers.get("Accept-Language"),
            settings.default_locale,
        )
        time_zone = (session.time_zone if session else None) or settings.default_time_zone
        view = View(request, session, locale, Formats(locale, time_zone))
        if session is not None and page.tx == "read":
            view.names_version = session.names_version
        request[CALLER_LABEL] = view.caller.label if session else "anonymous"
        try:
            if page.access == "employee" and session is None:
                return _to_sign_in(view)
            view.path = parse_path(request, path_params)
            if request.method in UNSAFE_METHODS:
                multipart = page.upload and request.content_type == "multipart/form-data"
                view.form = (
                    await read_form_with_files(request, settings.import_max_bytes)
                    if multipart
                    else await request.post()
                )
                await _check_csrf(request, session, view.form)
            if page.tx is None:
                return await page.handler(view)

            async def work(conn: Connection) -> web.StreamResponse:
                view.conn = conn
                return await page.handler(view)

            return await transaction(request.app[POOL], work, readonly=page.tx == "read")
        except PortalError as error:
            return await render_error(view, error)

    handle.__name__ = page.name
    return handle


def _to_sign_in(view: View) -> web.Response:
    target = view.request.path_qs if view.request.method == "GET" else "/"
    return view.redirect(view.url("sign_in", query={"next": target}))


async def error_page(request: web.Request, error: PortalError) -> web.Response:
    """An error outside any page (an unknown path, a failure before the page ran) as a page."""
    settings = request.app[SETTINGS]
    try:
        session = await current_session(request)
    except Exception:  # noqa: BLE001 - the database may be why we are here; render without a session
        session = None
    locale = negotiate(
        session.locale if session else request.cookies.get("portal_locale"),
        request.headers.get("Accept-Language"),
        settings.default_locale,
    )
    view = View(request, session, locale, Formats(locale, settings.default_time_zone))
    return await render_error(view, error)


async def render_error(view: View, error: PortalError) -> web.Response:
    view.conn = None  # type: ignore[assignment]  # the unit of work has ended
    response = await view.render("errors/error.html", status=error.status, error=error)
    for name, value in error.headers.items():
        if name != "WWW-Authenticate":
            response.headers[name] = value
    return response
