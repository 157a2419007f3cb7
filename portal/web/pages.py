"""The web client's pages: the same domain functions as the JSON API, rendered as HTML.

A page route is authenticated by the session cookie (not a bearer token), checks the CSRF token
on every state-changing request, validates its path like an API route, opens the unit of work the
route declares, and renders a template in the reader's language and time zone. Errors become HTML
pages; a signed-out browser asking for a page is sent to sign in.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlencode

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy
from pydantic import BaseModel, ValidationError
from yarl import URL

from portal.auth.caller import Caller, Employee
from portal.db import Connection, transaction
from portal.errors import Forbidden, PortalError
from portal.i18n import Formats, negotiate
from portal.notifications.queries import UNREAD_COUNT
from portal.sessions import service as sessions
from portal.sessions.service import Session
from portal.vocabulary import LABELS
from portal.web.form_errors import describe
from portal.web.http import parse_path
from portal.web.keys import CALLER_LABEL, PATHS, POOL, SETTINGS, TRANSLATIONS
from portal.web.spec import PATH_PARAM

SESSION_COOKIE = "portal_session"
SIGN_IN_COOKIE = "portal_sign_in"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Model = TypeVar("Model", bound=BaseModel)


class CsrfRejected(Forbidden):
    title, slug = "Request not accepted", "csrf"


@dataclass
class View:
    """One page request: who is signed in, in which language and time zone, its validated path,
    its form, and the connection of the route's unit of work."""

    request: web.Request
    session: Session | None
    locale: str
    formats: Formats
    path: dict[str, Any] = field(default_factory=dict)
    conn: Connection = None  # type: ignore[assignment]  # set for routes with tx
    form: MultiDictProxy[str | bytes | Any] | None = None

    @property
    def settings(self) -> Any:
        return self.request.app[SETTINGS]

    @property
    def caller(self) -> Caller:
        return Caller(employee=self.session.employee) if self.session else Caller()

    @property
    def employee(self) -> Employee:
        return self.caller.require_employee()

    @property
    def htmx(self) -> bool:
        """Asked for by the page's own script (a fragment is enough), not by a full navigation."""
        return self.request.headers.get("HX-Request") == "true"

    def url(self, name: str, query: Mapping[str, Any] | None = None, **params: Any) -> str:
        """The path of a named route (a page or an API route), with an optional query."""
        path = self.request.app[PATHS][name].format(
            **{key: quote(str(value), safe="") for key, value in params.items()}
        )
        if query:
            kept = {k: str(v) for k, v in query.items() if v not in (None, "", False)}
            if kept:
                path += "?" + urlencode(kept, safe="?/:@")  # as yarl quotes: readable paths in `next`
        return path

    def field(self, name: str, default: str = "") -> str:
        """A submitted form field's text, without the surrounding spaces a browser keeps."""
        value = self.form.get(name, default) if self.form is not None else default
        return value.strip() if isinstance(value, str) else default

    def fields(self, name: str) -> list[str]:
        return [v for v in self.form.getall(name, []) if isinstance(v, str)] if self.form is not None else []

    def validate(self, model: type[Model], values: dict[str, Any]) -> tuple[Model | None, dict[str, str]]:
        """The form as the API's own model validates it, or its errors by field name."""
        try:
            return model.model_validate(values), {}
        except ValidationError as exc:
            errors: dict[str, str] = {}
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "_form"
                errors.setdefault(name, describe(dict(error), self.gettext))
            return None, errors

    def gettext(self, message: str) -> str:
        return self.request.app[TRANSLATIONS][self.locale].gettext(message)

    def label(self, kind: str, value: str) -> str:
        """The reader's word for an API value ("under_review" -> "Under review"); unknown values as they are."""
        message = LABELS[kind].get(value)
        return self.gettext(message) if message else value

    async def render(self, template: str, *, status: int = 200, **context: Any) -> web.Response:
        unread = None
        if self.session is not None and self.conn is not None:  # the header's notification badge
            unread = await self.conn.fetchval(UNREAD_COUNT, self.session.employee.id)
        response = aiohttp_jinja2.render_template(
            template,
            self.request,
            {
                "view": self,
                "me": self.session.employee if self.session else None,
                "lead_of": self.session.lead_of if self.session else (),
                "csrf_token": self.session.csrf_token if self.session else "",
                "fmt": self.formats,
                "label": self.label,
                "locale": self.locale,
                "now": datetime.now(UTC),
                "unread": unread,
                **context,
            },
            app_key=_environment_key(self.locale),
            status=status,
        )
        response.headers["Content-Language"] = self.locale
        if "gzip" in self.request.headers.get("Accept-Encoding", ""):
            response.enable_compression(web.ContentCoding.gzip)
        return response

    def redirect(self, location: str) -> web.Response:
        """303 See Other: after a form, the browser GETs the result (and a reload does not post again)."""
        if self.htmx:  # htmx follows a redirect by asking for the page itself
            return web.Response(status=204, headers={"HX-Location": location})
        return web.Response(status=303, headers={"Location": location})


PageHandler = Callable[[View], Awaitable[web.StreamResponse]]


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

    @property
    def name(self) -> str:
        return self.route_name or self.handler.__name__


ENVIRONMENT_KEYS: dict[str, web.AppKey[Any]] = {}


def _environment_key(locale: str) -> web.AppKey[Any]:
    if locale not in ENVIRONMENT_KEYS:
        ENVIRONMENT_KEYS[locale] = web.AppKey(f"jinja2_{locale}", object)
    return ENVIRONMENT_KEYS[locale]


def is_secure(request: web.Request) -> bool:
    public = request.app[SETTINGS].public_url
    return public.startswith("https://") if public else request.secure


def base_url(request: web.Request) -> str:
    """The portal's address as the browser sees it."""
    public = request.app[SETTINGS].public_url
    return public.rstrip("/") if public else f"{request.scheme}://{request.host}"


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=is_secure(request),
        path="/",
        max_age=int(request.app[SETTINGS].session_hours * 3600),
    )


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
        request[CALLER_LABEL] = view.caller.label if session else "anonymous"
        try:
            if page.access == "employee" and session is None:
                return _to_sign_in(view)
            view.path = parse_path(request, path_params)
            if request.method in UNSAFE_METHODS:
                view.form = await request.post()
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
