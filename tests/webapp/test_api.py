"""The Mini App's API over real HTTP: who may ask, and what a refused request costs (issue 23).

Every API route, present and future (tests/webapp walks the server's route list), refuses
forged, expired and other-bot initData with 401 before any other work: no panel is called, no
user row is written.
"""

from __future__ import annotations

import asyncio
import json
import re
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web

import bot.webapp
from bot.webapp.api import MAX_BODY_BYTES, ApiHandler
from bot.webapp.server import CONTENT_SECURITY_POLICY, webapp_routes
from tests.harness import ADMIN_ID
from tests.miniapp import PREFIX, MiniApp, running_miniapp

MEMBER = 5101
KEY = "key-5101"


def api_paths(app: MiniApp) -> list[str]:
    """Every API route of the server, relative to the page (`api/...`)."""
    paths = []
    for pattern, _handler, _kwargs in webapp_routes(app.ctx):
        if pattern.startswith(PREFIX + "api/"):
            paths.append(re.sub(r"\(.*?\)", "1", pattern).removeprefix(PREFIX))
    return paths


async def member(app: MiniApp, user_id: int = MEMBER) -> None:
    await app.harness.member(user_id, key=KEY)


def refusals(app: MiniApp) -> dict[str, dict[str, str]]:
    forged = app.init_data(MEMBER).replace("Ay%C5%9Fe", "Mallory")
    return {
        "forged": {"Authorization": "tma " + forged},
        "expired": app.headers(MEMBER, age=3601),
        "other bot": app.headers(MEMBER, token="7654321:AAE-another-bot"),
        "no header": {},
        "bearer": {"Authorization": "Bearer " + app.init_data(MEMBER)},
    }


async def test_bad_init_data_gets_401_and_calls_no_panel(miniapp: MiniApp) -> None:
    await member(miniapp)
    before = miniapp.harness.panel.count()
    users_before = await miniapp.harness.deps.storage.users.count()
    paths = api_paths(miniapp)
    assert "api/session" in paths
    async with miniapp.client() as http:
        for path in paths:
            for name, headers in refusals(miniapp).items():
                for method in ("GET", "POST"):
                    answer = await http.request(method, path, headers=headers, json={})
                    assert answer.status_code == HTTPStatus.UNAUTHORIZED, (path, name, method)
                    assert answer.json()["error"] == "unauthorized"
    assert miniapp.harness.panel.count() == before
    assert await miniapp.harness.deps.storage.users.count() == users_before
    assert "Mallory" not in miniapp.harness.logs.text


async def test_the_user_is_the_signed_one(miniapp: MiniApp) -> None:
    await member(miniapp)
    async with miniapp.client() as http:
        answer = await http.get(
            "api/session", headers=miniapp.headers(MEMBER), params={"user_id": ADMIN_ID}
        )
    assert answer.status_code == HTTPStatus.OK
    body = answer.json()
    assert body["user"] == {"id": MEMBER, "first_name": "Ayşe"}
    assert body["is_admin"] is False
    assert body["texts"]["tab_catalog"] == "Catalog"


async def test_texts_come_in_the_users_language(miniapp: MiniApp) -> None:
    await miniapp.harness.member(MEMBER, key=KEY, language_code="tr")
    await miniapp.harness.deps.users.set_language(MEMBER, "tr")
    async with miniapp.client() as http:
        answer = await http.get("api/session", headers=miniapp.headers(MEMBER))
    body = answer.json()
    assert body["language"] == "tr"
    assert body["texts"]["tab_catalog"] == "Katalog"
    assert body["texts"]["tab_orders"] == "Siparişler"


async def test_the_chats_access_rules_apply(miniapp: MiniApp) -> None:
    async with miniapp.client() as http:
        stranger = await http.get("api/session", headers=miniapp.headers(7777))
        admin = await http.get("api/session", headers=miniapp.headers(ADMIN_ID))
    assert stranger.status_code == HTTPStatus.FORBIDDEN
    assert stranger.json()["error"] == "no_access"
    assert admin.status_code == HTTPStatus.OK
    assert admin.json()["is_admin"] is True


async def test_a_standby_answers_503_after_checking_who_asks(miniapp: MiniApp) -> None:
    await member(miniapp)
    async with (
        running_miniapp(miniapp.harness, accepting=lambda: False) as standby,
        standby.client() as http,
    ):
        answer = await http.get("api/session", headers=standby.headers(MEMBER))
        forged = await http.get("api/session", headers={"Authorization": "tma user=1"})
    assert answer.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert answer.json() == {
        "error": "standby",
        "message": "The bot is restarting: try again in a moment.",
    }
    assert answer.headers["Retry-After"] == "1"
    assert forged.status_code == HTTPStatus.UNAUTHORIZED


async def test_rate_limit_per_user(miniapp: MiniApp) -> None:
    await member(miniapp)
    await member(miniapp, MEMBER + 1)
    async with miniapp.client() as http:
        codes = [
            (await http.get("api/session", headers=miniapp.headers(MEMBER))).status_code
            for _ in range(45)
        ]
        other = await http.get("api/session", headers=miniapp.headers(MEMBER + 1))
    assert HTTPStatus.TOO_MANY_REQUESTS in codes
    assert codes[:40] == [HTTPStatus.OK] * 40
    assert other.status_code == HTTPStatus.OK


async def status_of_head(app: MiniApp, head: str) -> int:
    """Send only a request's head and read the status line: a refusal must not wait for the
    body (none is sent)."""
    port = int(app.base.split(":")[2].split("/")[0])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode())
        line = await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()
    return int(line.split()[1])


async def test_a_body_over_64_kb_is_refused_unread(miniapp: MiniApp) -> None:
    await member(miniapp)
    auth = miniapp.headers(MEMBER)["Authorization"]
    head = (
        f"POST {PREFIX}api/session HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {{size}}\r\n\r\n"
    )
    assert await status_of_head(miniapp, head.format(size=90_000_000)) == 413
    assert await status_of_head(miniapp, head.format(size=MAX_BODY_BYTES + 1)) == 413
    async with miniapp.client() as http:
        small = await http.post("api/session", headers=miniapp.headers(MEMBER), content=b" " * 1000)
    # Within the cap the endpoint runs (session is GET-only: 405).
    assert small.status_code == HTTPStatus.METHOD_NOT_ALLOWED


async def test_the_page_has_a_strict_csp_and_no_inline_script(miniapp: MiniApp) -> None:
    async with miniapp.client() as http:
        page = await http.get("")
        script = await http.get("app.js", headers={"Accept-Encoding": "gzip"})
        missing = await http.get("nothing-here.js")
        bare = await http.get(miniapp.base.rstrip("/"), follow_redirects=False)
    assert page.status_code == HTTPStatus.OK
    csp = page.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "script-src 'self' https://telegram.org" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert "https://telegram.org/js/telegram-web-app.js" in page.text
    assert not re.search(r"<[^>]+\son\w+\s*=", page.text)  # no inline event handlers
    assert script.headers["Content-Encoding"] == "gzip"
    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert bare.status_code in (HTTPStatus.MOVED_PERMANENTLY, HTTPStatus.FOUND)


class _Failing(ApiHandler):
    async def get(self) -> None:
        raise RuntimeError("database password hunter2 at 10.0.0.5")


def test_the_page_preloads_every_module() -> None:
    """The browser fetches all modules at once instead of discovering imports level by level
    (time to interactive): a module added to static/ must be listed in index.html."""
    static = Path(bot.webapp.__file__).parent / "static"
    preloaded = set(
        re.findall(r'rel="modulepreload" href="([^"]+)"', (static / "index.html").read_text())
    )
    assert preloaded == {p.name for p in static.glob("*.js")}


async def test_an_endpoint_failure_says_nothing_of_its_cause(miniapp: MiniApp) -> None:
    await member(miniapp)
    app = tornado.web.Application([("/boom", _Failing, {"ctx": miniapp.ctx})])
    server = tornado.httpserver.HTTPServer(app)
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient() as http:
            url = f"http://127.0.0.1:{port}/boom"
            boom = await http.get(url, headers=miniapp.headers(MEMBER))
            post = await http.post(url, headers=miniapp.headers(MEMBER), content=b"{")
    finally:
        server.stop()
    assert boom.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert boom.json() == {"error": "internal"}
    # A GET-only endpoint answers POST with 405, in JSON too.
    assert post.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert json.loads(post.text) == {"error": "method_not_allowed"}
    assert "hunter2" not in boom.text
    # Above DEBUG (production's level) the log names the failure's type only.
    logged = [line for line in miniapp.harness.logs.lines if not line.startswith("DEBUG")]
    assert "ERROR bot.webapp.api mini app: /boom failed (RuntimeError)" in logged
    assert not [line for line in logged if "hunter2" in line or "HTTPError" in line]


async def test_a_refusal_is_worded_in_the_claimed_language(miniapp: MiniApp) -> None:
    expired = miniapp.headers(MEMBER, age=7200, language_code="tr")
    async with miniapp.client() as http:
        answer = await http.get("api/session", headers=expired)
    assert answer.status_code == HTTPStatus.UNAUTHORIZED
    assert answer.json()["message"].startswith("Oturumun süresi doldu")


@pytest.mark.parametrize("header", ["tma", "tma %%%", "tma user=1", "tma a=1&a=2"])
async def test_garbage_headers_are_401(miniapp: MiniApp, header: str) -> None:
    async with miniapp.client() as http:
        answer = await http.get("api/session", headers={"Authorization": header})
    assert answer.status_code == HTTPStatus.UNAUTHORIZED
