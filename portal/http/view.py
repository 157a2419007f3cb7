"""One page request as a page handler sees it: who is signed in, in which language and time
zone, its validated path and form, and the connection of its unit of work; and how it answers
(a template in the reader's language, or a redirect)."""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from urllib.parse import quote, urlencode

import aiohttp_jinja2
from aiohttp import web
from babel.support import NullTranslations
from multidict import MultiDictProxy
from pydantic import BaseModel, ValidationError

from portal.auth.caller import Caller, Employee
from portal.db import Connection
from portal.http.forms import describe
from portal.http.keys import KNOWN_NAMES, PAGE_CONTEXT, PATHS, SETTINGS, TRANSLATIONS
from portal.http.uploads import Upload
from portal.i18n import Formats
from portal.lookups import Names
from portal.sessions.service import Session
from portal.vocabulary import LABELS

SESSION_COOKIE = "portal_session"
SIGN_IN_COOKIE = "portal_sign_in"
GZIP_LEVEL = 1  # a page of 100 KB in about half a millisecond, to a quarter of its size
NO_NAMES = Names({}, {})  # pages without a session show no team or service
Model = TypeVar("Model", bound=BaseModel)


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
    # The names' version the session was read with, for a page that writes nothing (a page that
    # writes may change them, so it reads them); None: read them.
    names_version: int | None = None
    _names: Names | None = field(default=None, repr=False)

    async def names(self) -> Names:
        """Teams' and services' names, once per page (by the handler or the page hook), from
        memory while their version is the one the session was read with."""
        if self._names is None:
            self._names = await self.request.app[KNOWN_NAMES].current(self.conn, self.names_version)
        return self._names

    @property
    def settings(self) -> Any:
        return self.request.app[SETTINGS]

    @property
    def caller(self) -> Caller:
        return Caller(employee=self.session.employee, address=self.request.remote) if self.session else Caller()

    @property
    def employee(self) -> Employee:
        return self.caller.require_employee()

    @property
    def htmx(self) -> bool:
        """Asked for by the page's own script (a fragment is enough), not by a full navigation."""
        return self.request.headers.get("HX-Request") == "true"

    def url(self, name: str, query: Mapping[str, Any] | None = None, **params: Any) -> str:
        """The path of a named route (a page or an API route), with an optional query."""
        path = self.request.app[PATHS][name]
        if params:  # a page's links are mostly to routes without parameters: those need no formatting
            path = path.format(**{key: quote(str(value), safe="") for key, value in params.items()})
        if query:
            kept = {k: str(v) for k, v in query.items() if v not in (None, "", False)}
            if kept:
                path += "?" + urlencode(kept, safe="?/:@")  # as yarl quotes: readable paths in `next`
        return path

    def id_url(self, name: str) -> Callable[..., str]:
        """The path maker of a named route whose parameters are all numbers (nothing to quote), for
        a list that links each of its rows: view.id_url("idea_page")(idea_id=7)."""
        return cast(Callable[..., str], self.request.app[PATHS][name].format)

    def field(self, name: str, default: str = "") -> str:
        """A submitted form field's text, without the surrounding spaces a browser keeps."""
        value = self.form.get(name, default) if self.form is not None else default
        return value.strip() if isinstance(value, str) else default

    def upload(self, name: str) -> Upload | None:
        """A file sent with the form (pages declared with upload=True)."""
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, Upload) and value.content else None

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

    @property
    def translations(self) -> NullTranslations:
        return self.request.app[TRANSLATIONS][self.locale]

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def label(self, kind: str, value: str) -> str:
        """The reader's word for an API value ("under_review" -> "Under review"); unknown values as they are."""
        message = LABELS[kind].get(value)
        return self.gettext(message) if message else value

    async def render(self, template: str, *, status: int = 200, **context: Any) -> web.Response:
        shared: dict[str, Any] = {}
        if self.session is not None and self.conn is not None:  # what every signed-in page shows
            for hook in self.request.app.get(PAGE_CONTEXT, []):
                shared.update(await hook(self))
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
                "unread": None,
                "names": NO_NAMES,
                **shared,
                **context,
            },
            app_key=environment_key(self.locale),
            status=status,
        )
        response.headers["Content-Language"] = self.locale
        response.headers["Vary"] = "Accept-Encoding"
        body = response.body
        if "gzip" in self.request.headers.get("Accept-Encoding", "") and isinstance(body, bytes) and len(body) > 1024:
            # Compressed here, quickly: aiohttp's own compression hands every page to a thread at
            # the default level, a fifth of a page's time under load (bench/pages.py).
            response.body = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
            response.headers["Content-Encoding"] = "gzip"
        return response

    @property
    def here(self) -> str:
        """This page's path and query, for a form's way back, without what the last form did."""
        url = self.request.rel_url
        return str(url.without_query_params("done")) if "done" in url.query else url.path_qs

    @property
    def done(self) -> str:
        """What the form that led here did, in the reader's words ('' when nothing or unknown)."""
        key = self.request.query.get("done", "")
        return self.label("done", key) if key in LABELS["done"] else ""

    def redirect(self, location: str, *, done: str | None = None) -> web.Response:
        """303 See Other: after a form, the browser GETs the result (and a reload does not post again).
        done names what was done (vocabulary's "done"), said on the page it leads to."""
        if done is not None:
            path, _, fragment = location.partition("#")
            location = f"{path}{'&' if '?' in path else '?'}done={done}" + (f"#{fragment}" if fragment else "")
        if self.htmx:  # htmx follows a redirect by asking for the page itself
            return web.Response(status=204, headers={"HX-Location": location})
        return web.Response(status=303, headers={"Location": location})


PageHandler = Callable[[View], Awaitable[web.StreamResponse]]


async def page_names(view: View) -> dict[str, Names]:
    """Teams' and services' names, on every signed-in page (a hook of portal.http.keys.PAGE_CONTEXT)."""
    return {"names": await view.names()}


ENVIRONMENT_KEYS: dict[str, web.AppKey[Any]] = {}


def environment_key(locale: str) -> web.AppKey[Any]:
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
