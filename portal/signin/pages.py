"""Signing in and out of the web client."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from portal.auth import queries as q
from portal.auth.service import employee_from_claims, require_allowed
from portal.errors import NotFound
from portal.http.view import SESSION_COOKIE, SIGN_IN_COOKIE, View, base_url, is_secure, set_session_cookie
from portal.seed import DEMO_LOGINS
from portal.sessions import service as sessions
from portal.signin.oidc import OIDC, SignInFailed


def local_path(target: str) -> str:
    """`target` when a browser would read it as a path on this site, else "/": never an open
    redirect. Browsers drop tabs and newlines from a URL and read a backslash as a slash, so
    `/\\evil.example` and `/<TAB>/evil.example` are `//evil.example`, another host; any control
    character, space or backslash is refused outright."""
    if not target.startswith("/") or len(target) >= 2000:
        return "/"
    if any(ord(char) <= 0x20 or ord(char) == 0x7F or char == "\\" for char in target):
        return "/"
    if target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _next_path(view: View) -> str:
    return local_path(view.request.query.get("next") or view.field("next") or "/")


def _dev_sign_in_enabled(view: View) -> bool:
    return view.settings.environment in ("development", "test")


async def sign_in(view: View) -> web.Response:
    demo = []
    if _dev_sign_in_enabled(view):
        demo = [dict(row) for row in await view.conn.fetch(q.EMPLOYEES_BY_EMAIL, list(DEMO_LOGINS.values()))]
    return await view.render(
        "auth/sign_in.html",
        next=_next_path(view),
        oidc=OIDC in view.request.app,
        dev=_dev_sign_in_enabled(view),
        demo=demo,
        roles=DEMO_LOGINS,
    )


def _callback_url(view: View) -> str:
    return base_url(view.request) + view.url("oidc_callback")


async def oidc_begin(view: View) -> web.Response:
    if OIDC not in view.request.app:
        raise NotFound("sign-in with an identity provider is not configured (PORTAL_OIDC_ISSUER)")
    url, state = await view.request.app[OIDC].begin(
        view.conn, redirect_uri=_callback_url(view), next_path=_next_path(view)
    )
    response = web.Response(status=303, headers={"Location": url})
    response.set_cookie(
        SIGN_IN_COOKIE, state, httponly=True, samesite="Lax", secure=is_secure(view.request), path="/auth/", max_age=600
    )
    return response


async def oidc_callback(view: View) -> web.Response:
    if OIDC not in view.request.app:
        raise NotFound("sign-in with an identity provider is not configured (PORTAL_OIDC_ISSUER)")
    query = view.request.query
    if "error" in query or "code" not in query or "state" not in query:
        raise SignInFailed("the identity provider did not sign you in; please try again")
    claims, next_path = await view.request.app[OIDC].finish(
        view.conn,
        code=query["code"],
        state=query["state"],
        cookie_state=view.request.cookies.get(SIGN_IN_COOKIE),
        redirect_uri=_callback_url(view),
    )
    employee = await employee_from_claims(view.conn, view.settings, claims)
    response = await _signed_in(view, employee.id, next_path)
    response.del_cookie(SIGN_IN_COOKIE, path="/auth/")
    return response


async def dev_sign_in(view: View) -> web.Response:
    """Development and tests only: sign in as an existing employee without an identity provider."""
    if not _dev_sign_in_enabled(view):
        raise NotFound("no such page")
    row = await view.conn.fetchrow(q.EMPLOYEE_BY_EMAIL, view.field("email").strip().lower())
    if row is None:
        raise SignInFailed("no employee has that email")
    return await _signed_in(view, require_allowed(view.settings, row)["id"], _next_path(view))


async def _signed_in(view: View, employee_id: int, next_path: str) -> web.Response:
    if token := view.request.cookies.get(SESSION_COOKIE):
        await sessions.end(view.conn, token)  # a new session id at every sign-in
    token = await sessions.start(view.conn, employee_id=employee_id, max_age_seconds=view.settings.session_hours * 3600)
    response = web.Response(status=303, headers={"Location": next_path})
    set_session_cookie(view.request, response, token)
    return response


async def sign_out(view: View) -> web.Response:
    if token := view.request.cookies.get(SESSION_COOKIE):
        await sessions.end(view.conn, token)
    response = web.Response(status=303, headers={"Location": view.url("sign_in")})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response
