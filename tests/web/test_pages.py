"""The web client over HTTP: sessions, CSRF, headers, languages, Markdown, pinned files."""

from __future__ import annotations

import hashlib
import re

import pytest
from aiohttp.test_utils import TestClient
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from portal.app import create_app
from portal.config import PROJECT_ROOT
from portal.i18n import Formats
from portal.markdown import render
from portal.routing.service import route_idea
from portal.seed import seed
from portal.web.middlewares import CONTENT_SECURITY_POLICY
from portal.web.static import STATIC_ROOT
from tests.servers import PortalTestServer


async def _sign_in(client, email: str = "aiko@example.com") -> str:
    """Signs in through the development page; returns the page's CSRF token."""
    response = await client.post("/dev/sign-in", data={"email": email, "next": "/"}, allow_redirects=False)
    assert response.status == 303, await response.text()
    page = await (await client.get("/settings")).text()
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


async def _seeded(client, db) -> None:
    await seed(db)


async def test_a_signed_out_browser_is_sent_to_sign_in_with_its_destination(client):
    response = await client.get("/ideas/1?x=1", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/sign-in?next=/ideas/1?x%3D1"


async def test_sign_in_sets_a_strict_session_cookie_and_a_new_id_each_time(client, db):
    await seed(db)
    first = await client.post("/dev/sign-in", data={"email": "aiko@example.com"}, allow_redirects=False)
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie and "Secure" not in cookie
    token = first.cookies["portal_session"].value
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', await (await client.get("/sign-in")).text()).group(1)
    second = await client.post(
        "/dev/sign-in", data={"email": "aiko@example.com", "csrf_token": csrf}, allow_redirects=False
    )
    assert second.cookies["portal_session"].value != token
    assert await db.fetchval("SELECT count(*) FROM web_sessions") == 1  # the first one ended
    stored = await db.fetchval("SELECT token_hash FROM web_sessions")
    assert stored == hashlib.sha256(second.cookies["portal_session"].value.encode()).digest()


async def test_the_session_cookie_is_secure_behind_https(settings, db):
    await seed(db)
    behind_https = settings.model_copy(update={"public_url": "https://ideas.example.com"})
    async with TestClient(PortalTestServer(create_app(behind_https))) as client:
        response = await client.post(
            "/dev/sign-in",
            data={"email": "aiko@example.com"},
            allow_redirects=False,
            headers={"Origin": "https://ideas.example.com"},
        )
    assert "Secure" in response.headers["Set-Cookie"]


async def test_signing_out_ends_the_session_on_the_server(client, db):
    await seed(db)
    csrf = await _sign_in(client)
    token = client.session.cookie_jar.filter_cookies(client.make_url("/"))["portal_session"].value
    response = await client.post("/sign-out", data={"csrf_token": csrf}, allow_redirects=False)
    assert response.status == 303
    assert await db.fetchval("SELECT count(*) FROM web_sessions") == 0
    client.session.cookie_jar.update_cookies({"portal_session": token})  # a copied cookie no longer works
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_a_state_changing_request_without_the_csrf_token_changes_nothing(client, db):
    await seed(db)
    await _sign_in(client)
    response = await client.post("/ideas/1/vote", data={"action": "cast"})
    assert response.status == 403 and "reload the page" in await response.text()
    assert (
        await db.fetchval(
            "SELECT count(*) FROM votes WHERE idea_id = 1 AND employee_id = "
            "(SELECT id FROM employees WHERE email = 'aiko@example.com')"
        )
        == 0
    )


async def test_a_request_from_another_origin_is_refused_even_with_a_token(client, db):
    await seed(db)
    csrf = await _sign_in(client)
    response = await client.post(
        "/ideas/1/vote", data={"action": "cast", "csrf_token": csrf}, headers={"Origin": "https://evil.example.com"}
    )
    assert response.status == 403


async def test_with_the_token_a_vote_is_cast_and_the_browser_sent_back(client, db):
    await seed(db)
    csrf = await _sign_in(client, "tom@example.com")
    response = await client.post(
        "/ideas/1/vote", data={"action": "cast", "csrf_token": csrf, "next": "/?sort=top"}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/?sort=top"
    assert (
        await db.fetchval(
            "SELECT count(*) FROM votes WHERE idea_id = 1 AND employee_id = "
            "(SELECT id FROM employees WHERE email = 'tom@example.com')"
        )
        == 1
    )


async def test_an_htmx_vote_answers_the_fragment_and_an_open_redirect_is_not_followed(client, db):
    await seed(db)
    csrf = await _sign_in(client, "tom@example.com")
    response = await client.post(
        "/ideas/1/vote",
        data={"action": "cast", "next": "//evil.example.com"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert response.status == 200 and 'id="vote-1"' in await response.text()
    plain = await client.post(
        "/ideas/1/vote",
        data={"action": "withdraw", "csrf_token": csrf, "next": "//evil.example.com"},
        allow_redirects=False,
    )
    assert plain.headers["Location"] == "/ideas/1"


async def test_pages_forbid_inline_script_framing_and_other_hosts(client):
    response = await client.get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    html = await response.text()
    assert "<script>" not in html and " on" + "click=" not in html and "style=" not in html
    assert not re.search(r'(src|href)="https?://', html)  # nothing loaded from another host


async def test_the_development_sign_in_does_not_exist_in_production(settings, db):
    await seed(db)
    production = settings.model_copy(update={"environment": "production"})
    async with TestClient(PortalTestServer(create_app(production))) as client:
        response = await client.post("/dev/sign-in", data={"email": "admin@example.com"}, allow_redirects=False)
        page = await (await client.get("/sign-in")).text()
    assert response.status in (404, 405) and "portal_session" not in response.cookies
    assert "dev-email" not in page


async def test_the_language_follows_the_choice_then_the_browser(client, db):
    await seed(db)
    english = await (await client.get("/sign-in", headers={"Accept-Language": "en"})).text()
    japanese = await (await client.get("/sign-in", headers={"Accept-Language": "ja,en;q=0.5"})).text()
    assert 'lang="en"' in english and "Sign in to the Idea Portal" in english
    assert 'lang="ja"' in japanese and "アイデアポータルにサインイン" in japanese
    csrf = await _sign_in(client)
    await client.post("/settings", data={"csrf_token": csrf, "locale": "ja", "time_zone": "Europe/London"})
    chosen = await (await client.get("/", headers={"Accept-Language": "en"})).text()
    assert 'lang="ja"' in chosen


async def test_form_errors_are_shown_at_the_field_in_the_readers_language(client, db):
    await seed(db)
    csrf = await _sign_in(client)
    response = await client.post(
        "/ideas", data={"csrf_token": csrf, "title": "tiny"}, headers={"Accept-Language": "ja"}
    )
    page = await response.text()
    assert response.status == 422
    assert 'aria-invalid="true"' in page and "5 文字以上で入力してください" in page


def test_every_message_in_the_templates_and_code_has_a_japanese_translation():
    catalog = read_po((PROJECT_ROOT / "portal/locale/ja/LC_MESSAGES/messages.po").open("rb"), locale="ja")
    method_map = [
        ("portal/templates/**.html", "jinja2"),
        ("portal/templates/**.txt", "jinja2"),
        ("portal/**.py", "python"),
    ]
    jinja = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}
    options = {"portal/templates/**.html": jinja, "portal/templates/**.txt": jinja}
    untranslated = []
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options, keywords={"_": None, "ngettext": (1, 2)}
    ):
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        text = entry.string if entry else None
        if not (text[0] if isinstance(text, tuple) else text):
            untranslated.append(key)
    assert untranslated == []


def test_markdown_is_rendered_and_sanitised():
    html = render("**ok** <script>alert(1)</script> [x](javascript:alert(1)) [y](https://example.com) <img src=x>")
    assert "<strong>ok</strong>" in html and "<script>" not in html and 'href="javascript:' not in html
    assert 'href="https://example.com" rel="nofollow noopener noreferrer"' in html and "<img" not in html


def test_a_long_body_is_rendered_the_same_but_not_kept_in_the_render_cache():
    from portal import markdown

    long = "**word** " * (markdown.CACHED_LENGTH // 8)
    before = markdown._render_cached.cache_info().currsize
    assert render(long).startswith("<p><strong>word</strong>")
    assert markdown._render_cached.cache_info().currsize == before
    render("**short**")
    assert markdown._render_cached.cache_info().currsize <= markdown.CACHED


def test_vendored_files_are_the_pinned_versions():
    listed = (STATIC_ROOT / "vendor" / "README.md").read_text()
    for name, digest in re.findall(r"\| `([^`]+)` \|[^\n]*\| `([0-9a-f]{64})` \|", listed):
        assert hashlib.sha256((STATIC_ROOT / "vendor" / name).read_bytes()).hexdigest() == digest, name
    assert "htmx-2.0.11/htmx.min.js" in listed


async def test_static_files_are_cached_for_a_year_by_content_hash_and_gzipped(client):
    page = await (await client.get("/sign-in")).text()
    url = re.search(r'href="(/static/[0-9a-f]+/app\.css)"', page).group(1)
    response = await client.get(url, headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    again = await client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304


def test_pkce_challenges_match_an_independent_implementation():
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    from portal.signin.oidc import pkce_challenge

    for verifier in ("dBjftJeZ4CVP-mJ0kZw0ZRXJmSu3Fi9j1u6sXo6sWKN", "a" * 43, "Z" * 128):
        assert pkce_challenge(verifier) == create_s256_code_challenge(verifier)


async def test_the_sign_in_starts_an_authorization_code_flow_with_pkce_state_and_nonce(settings, db):
    from aiohttp import web

    async def discovery(request):
        base = str(request.url.origin())
        return web.json_response(
            {
                "issuer": base,
                "authorization_endpoint": base + "/authorize",
                "token_endpoint": base + "/token",
                "jwks_uri": base + "/jwks",
            }
        )

    idp = web.Application()
    idp.router.add_get("/.well-known/openid-configuration", discovery)
    async with PortalTestServer(idp) as provider:
        configured = settings.model_copy(
            update={"oidc_issuer": str(provider.make_url("")).rstrip("/"), "oidc_client_id": "portal"}
        )
        async with TestClient(PortalTestServer(create_app(configured))) as client:
            response = await client.get("/auth/login?next=/ideas/3", allow_redirects=False)
    location = response.headers["Location"]
    for part in (
        "response_type=code",
        "client_id=portal",
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "scope=openid",
    ):
        assert part in location
    assert "HttpOnly" in response.headers["Set-Cookie"] and "portal_sign_in" in response.headers["Set-Cookie"]
    assert await db.fetchval("SELECT next_path FROM web_sign_ins") == "/ideas/3"


async def test_a_callback_from_another_browser_is_refused(settings, db):
    configured = settings.model_copy(update={"oidc_issuer": "http://127.0.0.1:9", "oidc_client_id": "portal"})
    async with TestClient(PortalTestServer(create_app(configured))) as client:
        response = await client.get("/auth/callback?code=x&state=y")
    assert response.status == 400 and "not started in this browser" in await response.text()


async def test_a_long_inbox_is_shown_a_page_at_a_time_with_a_link_to_more(client, db):
    await seed(db)
    for idea_id in await db.fetchval("SELECT array_agg(id) FROM ideas"):
        await route_idea(db, idea_id=idea_id)
    routed = await db.fetchval("SELECT count(*) FROM routings r JOIN teams t ON t.id = r.team_id WHERE t.slug = 'it'")
    assert routed >= 2
    await _sign_in(client, "ken.lead@example.com")
    page = await (await client.get("/teams/it/inbox?shown=1")).text()
    assert page.count("#teams") == 1
    assert re.search(r'<p class="more"><a [^>]*href="/teams/it/inbox\?shown=51"', page)
    everything = await (await client.get("/teams/it/inbox?shown=51")).text()
    assert everything.count("#teams") == routed and 'class="more"' not in everything


async def test_an_error_page_in_japanese_says_what_happened_in_japanese(client, db):
    await seed(db)
    await _sign_in(client)
    response = await client.get("/ideas/999999", headers={"Accept-Language": "ja"})
    page = await response.text()
    assert response.status == 404
    assert "お探しのものは存在しないか、削除されました。" in page and "no idea" not in page


@pytest.mark.parametrize(
    "target",
    ["/\\evil.example/phish", "/\t/evil.example", "/\n/evil.example", "//evil.example", "https://evil.example/"],
)
async def test_after_sign_in_a_browser_is_never_sent_to_another_site(client, db, target):
    await seed(db)
    response = await client.post(
        "/dev/sign-in", data={"email": "aiko@example.com", "next": target}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/"


async def test_a_form_sent_with_a_malformed_origin_is_refused_not_an_error(client, db):
    await seed(db)
    csrf = await _sign_in(client)
    response = await client.post("/settings", data={"csrf_token": csrf}, headers={"Origin": "http://a:b"})
    assert response.status == 403


def test_whole_numbers_are_grouped_as_babel_groups_them_in_each_language():
    for locale in ("en", "ja", "de", "fr"):
        for value in (0, 7, 1234, -98765, 1234567890):
            assert Formats(locale, "UTC").number(value) == format_decimal(value, locale=locale)
