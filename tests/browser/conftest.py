"""Browser tests of the Mini App (issue 23): Playwright for Python driving Debian's Chromium.

* One Chromium per test session (per xdist worker), launched from the system's package through
  `executable_path` (`playwright install` downloads nothing here). Where there is none the
  tests skip, saying why; with CI_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser is an
  error instead, so CI cannot pass with the browser tests quietly skipped.
* Every test here runs in the session's event loop (the browser lives there); the bot and its
  fakes are per test, on SQLite (the storage is tested on both engines elsewhere).
* telegram.org's script is routed to tests/fakes/telegram_web_app.js, which implements what the
  page uses (initData from the URL hash, MainButton, theme parameters).

Fixtures for pages' tests: `webapp` (the bot with three linked-panel presets and its Mini App),
`browser`, `open_page(user_id, theme=..., language=...)` (a 390x844 page on the Mini App, ready)
and `shots` (where screenshots go).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio

from tests.fakes.panel import FakePanel
from tests.harness import Harness, running_bot
from tests.miniapp import WEBAPP_URL, MiniApp, running_miniapp

try:
    from playwright.async_api import Browser, Page, Route, ViewportSize, async_playwright

    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover - the test extra installs it
    HAVE_PLAYWRIGHT = False

REPO = Path(__file__).resolve().parents[2]
STAND_IN = REPO / "tests" / "fakes" / "telegram_web_app.js"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
PHONE: ViewportSize = {"width": 390, "height": 844}
# Debian's package puts the real binary here; /usr/bin/chromium is a shell wrapper.
CHROMIUM_CANDIDATES = (
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
)


def chromium_path() -> str | None:
    """CHROMIUM_PATH, else the first system Chromium found."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def no_browser(reason: str) -> None:
    if os.environ.get("CI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser's event loop is the session's: every test here runs in it."""
    here = Path(__file__).parent
    session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if here in Path(str(item.path)).parents and pytest_asyncio.is_async_test(item):
            item.add_marker(session_loop, append=False)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_PLAYWRIGHT:
        no_browser("playwright is not installed (pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        no_browser("no Chromium found: apt-get install chromium, or set CHROMIUM_PATH")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=path,
            headless=True,
            # Containers and CI run as root, where Chromium's sandbox cannot start.
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            yield launched
        finally:
            await launched.close()


PANEL_NAMES = ("Beta", "Gamma")


@dataclass
class WebAppBot:
    """The bot, its Mini App, and fake panels: the harness's own ("127.0.0.1", the default
    preset) and presets Beta and Gamma."""

    app: MiniApp
    panels: dict[str, FakePanel] = field(default_factory=dict)

    @property
    def harness(self) -> Harness:
        return self.app.harness

    async def member(
        self, user_id: int, *, language: str = "en", panels: tuple[str, ...] = ()
    ) -> None:
        """An allowed user with a key on the default panel and on each of `panels`."""
        await self.harness.member(user_id, key=f"key-{user_id}", language_code=language)
        await self.harness.deps.users.set_language(user_id, language)
        for name in panels:
            fake = self.panels[name]
            key = f"key-{user_id}-{name}"
            fake.add_key(key, balance="50")
            await self.harness.deps.panels.add(user_id, key, url=fake.url, name=name, custom=False)


@pytest_asyncio.fixture(loop_scope="session")
async def webapp(tmp_path: Path) -> AsyncIterator[WebAppBot]:
    async with FakePanel() as beta, FakePanel(currency="EUR") as gamma:
        presets = f"Beta={beta.url},Gamma={gamma.url}"
        async with (
            running_bot(tmp_path, webapp_url=WEBAPP_URL, panels=presets) as harness,
            running_miniapp(harness) as app,
        ):
            yield WebAppBot(app, {"Beta": beta, "Gamma": gamma})


async def _stand_in(route: Route) -> None:
    await route.fulfill(path=STAND_IN, content_type="application/javascript; charset=utf-8")


OpenPage = Callable[..., Awaitable[Page]]


@pytest_asyncio.fixture(loop_scope="session")
async def open_page(browser: Browser, webapp: WebAppBot) -> AsyncIterator[OpenPage]:
    """`await open_page(user_id, theme="light"|"dark", init_data=None, ready=True)`: a
    390x844 page on the Mini App as Telegram opens it for that user (`init_data` replaces the
    signed data: forged, expired)."""
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
    await context.route(TELEGRAM_SCRIPT, _stand_in)
    errors: list[str] = []

    async def opener(
        user_id: int, *, theme: str = "light", init_data: str | None = None, ready: bool = True
    ) -> Page:
        page = await context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type == "error" else None,
        )
        data = init_data if init_data is not None else webapp.app.init_data(user_id)
        await page.goto(webapp.app.page_url(data, theme))
        if ready:
            await page.wait_for_selector("body[data-ready='true']")
        return page

    opener.errors = errors  # type: ignore[attr-defined]
    try:
        yield opener
    finally:
        await context.close()
    # No script error and no CSP violation on any page a test opened, refused API calls aside.
    unexpected = [e for e in errors if "status of 40" not in e]
    assert not unexpected, unexpected


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The path of a screenshot named `name`: under MINIAPP_SCREENSHOTS when set (the README's
    pictures: MINIAPP_SCREENSHOTS=docs/screenshots), else a temporary directory."""
    configured = os.environ.get("MINIAPP_SCREENSHOTS")
    folder = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def path(name: str) -> Path:
        return folder / f"{name}.png"

    return path
