"""The fake's injected server errors: Telegram's JSON envelope, or a proxy's HTML page."""

from __future__ import annotations

import httpx

from tests.fakes.telegram import FakeTelegram


async def test_injected_5xx_answers_json_or_a_proxy_page() -> None:
    async with FakeTelegram() as fake, httpx.AsyncClient() as http:
        fake.user(5)
        url = f"{fake.base_url}{fake.token}/sendMessage"
        fake.inject("sendMessage", error_code=503)
        fake.inject("sendMessage", error_code=502, html=True)
        json_answer = await http.post(url, json={"chat_id": 5, "text": "a"})
        page = await http.post(url, json={"chat_id": 5, "text": "b"})
        ok = await http.post(url, json={"chat_id": 5, "text": "c"})
    assert json_answer.status_code == 503
    assert json_answer.json() == {
        "ok": False,
        "error_code": 503,
        "description": "Service Unavailable",
    }
    assert page.status_code == 502 and page.headers["content-type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in page.text
    assert ok.status_code == 200
    assert [(c.status, c.injected) for c in fake.calls] == [(503, True), (502, True), (200, False)]
    assert [m.text for m in fake.messages(5)] == ["c"]  # refused calls show nothing
