"""Real Chromium (Debian's, driven by Playwright) against the real app on a real port, an OIDC
provider process (oidc-provider-mock), and the demo data. Without Chromium the browser tests are
skipped with one line; with CI=true they must run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal.app import create_app
from portal.config import PROJECT_ROOT
from portal.seed import seed
from tests.servers import PortalTestServer

SCREENSHOTS = PROJECT_ROOT / "tests" / "browser" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
OIDC_ORIGIN = ["-"]  # the provider's address, once it runs
OIDC_USER = {"sub": "idp|mika", "email": "mika@example.com", "name": "Mika Ito", "team": "marketing"}


def chromium_path() -> str | None:
    return os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
        pytest.skip("browser tests need Chromium: apt-get install chromium fonts-noto-cjk")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[str]:
    """A real OpenID Connect provider process with one predefined person."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("oidc") / "provider.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oidc_provider_mock",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--user-claims",
            json.dumps(OIDC_USER),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    OIDC_ORIGIN[0] = url
    deadline = time.monotonic() + 90  # generous: a busy machine starts it slowly
    while True:
        try:
            urllib.request.urlopen(url + "/.well-known/openid-configuration", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the OIDC provider did not start") from None
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


@dataclass
class Site:
    url: str

    def at(self, path: str) -> str:
        return self.url + path


@pytest.fixture
async def site(settings, db, oidc_provider) -> AsyncIterator[Site]:
    """The portal with its demo data, on a real port, signing in through the OIDC provider."""
    await seed(db)
    web_settings = settings.model_copy(
        update={
            "oidc_issuer": oidc_provider,
            "oidc_client_id": "idea-portal",
            "oidc_client_secret": "not-checked-by-the-mock",
        }
    )
    server = PortalTestServer(create_app(web_settings), host="127.0.0.1")
    await server.start_server()
    yield Site(f"http://127.0.0.1:{server.port}")
    await server.close()


# Generous waits for what a page should show: a busy two-core machine renders slowly, and an
# assertion that holds only on an idle one is a defect.
EXPECT_TIMEOUT_MS = 15_000


@pytest.fixture
async def browser(chromium):
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


class Shots:
    """Screenshots of every page a scenario visits, desktop and phone, under one folder."""

    def __init__(self, scenario: str) -> None:
        self.folder = SCREENSHOTS / scenario
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    async def take(self, page, name: str) -> None:
        self.count += 1
        size = page.viewport_size
        await page.screenshot(path=self.folder / f"{self.count:02d}-{name}-desktop.png", full_page=True)
        await page.set_viewport_size(PHONE)
        await page.screenshot(path=self.folder / f"{self.count:02d}-{name}-phone.png", full_page=True)
        await page.set_viewport_size(size)


@pytest.fixture
def shots(request) -> Shots:
    return Shots(request.node.name.removeprefix("test_"))


async def new_page(browser, *, locale: str = "en-US", javascript: bool = True):
    """A page in a fresh browser context; `page.problems` collects script errors and failed loads
    of the portal's own pages (not the identity provider's)."""
    context = await browser.new_context(viewport=DESKTOP, locale=locale, java_script_enabled=javascript)
    page = await context.new_page()
    problems: list[str] = []

    def ours(url: str) -> bool:
        return url.startswith("http://127.0.0.1:") and "oidc" not in url and not url.startswith(OIDC_ORIGIN[0])

    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text} {message.location}")
            if message.type == "error" and ours(message.location.get("url", ""))
            else None
        ),
    )
    page.problems = problems  # type: ignore[attr-defined]
    return page


async def dev_sign_in(page, site: Site, email: str) -> None:
    await page.goto(site.at("/sign-in"))
    await page.locator("#dev-email").fill(email)
    await page.locator("#dev-email").press("Enter")
    await page.wait_for_url(site.at("/"))


def here() -> Path:
    return Path(__file__).parent
