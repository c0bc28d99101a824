"""What end-to-end tests do and read, in one place: a message's text and buttons, the /order
dialog, orders seeded as if placed, a poll and a drain of the outbox.

Test modules import these from here, never from one another (issue 22).
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

from bot.callbacks.base import decode
from bot.jobs import jobs_of
from bot.services.poller import CycleReport
from bot.storage.models import Order, OrderDraft
from tests.fakes.panel import FakePanel
from tests.fakes.panel_catalog import DEFAULT_SERVICES, default_services
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness, TestClock

_SERVICES = {s["service"]: s for s in DEFAULT_SERVICES}
FIRST_PANEL_ID = 23501  # the id the fake panel gives its first order

# --- reading a message ---------------------------------------------------------------------


def text_of(msg: BotMessage) -> str:
    """A message's text, or the caption of a document or photo."""
    return msg.text or msg.caption or ""


def plain_text_of(msg: BotMessage) -> str:
    """What the user reads, without the HTML markup."""
    return msg.plain_text or msg.text or msg.caption or ""


def labels(msg: BotMessage) -> list[str]:
    return [text for text, _ in msg.buttons()]


def data_of(msg: BotMessage, label_part: str) -> str:
    """The callback data of the first button whose label contains `label_part`."""
    for text, data in msg.buttons():
        if label_part in text:
            return data
    raise AssertionError(f"no button with {label_part!r}: {labels(msg)}")


# --- walking the screens -------------------------------------------------------------------


async def screen(u: FakeUser, command: str, *presses: str) -> BotMessage:
    """Send `command`, then press each of `presses` in turn (each one edits the screen in
    place); the last screen."""
    await u.send(command)
    shown = await u.reply()
    return await press_through(u, *presses) if presses else shown


async def press_through(u: FakeUser, *presses: str) -> BotMessage:
    """Press each of `presses` in turn on the newest screen; the screen the last one leaves."""
    *before, last = presses
    for label in before:
        await u.press(label)
        await u.update()
    await u.press(last)
    return await u.update()


async def menu_screen(u: FakeUser, command: str, button: str) -> BotMessage:
    """Send `command` and press `button` on the message it answers with; the screen it opens."""
    await u.send(command)
    menu = await u.reply()
    await u.press(button, message=menu)
    return await u.update()


async def say(u: FakeUser, *texts: str) -> BotMessage:
    """Send each of `texts` in turn, each answered by a new message; the last answer."""
    *before, last = texts
    for text in before:
        await ask(u, text)
    await u.send(last)
    return await u.reply()


def catalog_row(service: int, name: str, **fields: Any) -> dict[str, Any]:
    """A panel's `services` row: a Default service in "Misc" at $1.00, 10 to 1,000, with refill
    and cancel, with `fields` changed (a field given as None is left out: the panel did not say)."""
    row: dict[str, Any] = {
        "service": service,
        "name": name,
        "type": "Default",
        "category": "Misc",
        "rate": "1.00",
        "min": 10,
        "max": 1000,
        "refill": True,
        "cancel": True,
    }
    return {name: value for name, value in (row | fields).items() if value is not None}


# --- the /order dialog ---------------------------------------------------------------------


async def ask(u: FakeUser, text: str) -> str:
    await u.send(text)
    return (await u.reply()).text or ""


async def dialog(u: FakeUser, service_id: int, *answers: str) -> BotMessage:
    """/order <id> and the answers, in any language; the last reply (the preview, when the
    answers were all it asks)."""
    return await say(u, f"/order {service_id}", *answers)


async def preview_for(u: FakeUser, service_id: int, *answers: str) -> BotMessage:
    """Run the dialog for `service_id` with text answers; returns the preview message."""
    msg = await dialog(u, service_id, *answers)
    assert any("Confirm" in b for b in labels(msg)), msg.text
    return msg


async def confirm(u: FakeUser, preview: BotMessage) -> BotMessage:
    """Press Confirm and wait for the result (the preview is edited to "sending", then result)."""
    await u.press("Confirm", message=preview)
    sending = await u.update()
    assert sending.message_id == preview.message_id
    return await u.update()


CONFIRM = {"en": "✅ Confirm", "tr": "✅ Onayla"}


async def confirm_in(user: FakeUser, preview: BotMessage, language: str) -> BotMessage:
    """Press Confirm in `language`; the result (after "sending…")."""
    await user.press(CONFIRM[language], message=preview)
    await user.update()  # "sending…"
    return await user.update()


async def orders_of(bot: Harness, user_id: int) -> list[Order]:
    rows = await bot.deps.storage.db.fetchall(
        "SELECT id FROM orders WHERE user_id = ? ORDER BY id", (user_id,)
    )
    found = [await bot.deps.storage.orders.get(r[0]) for r in rows]
    return [o for o in found if o is not None]


def add_params(bot: Harness) -> list[Mapping[str, Any]]:
    return [r.params for r in bot.panel.requests if r.action == "add"]


# --- previews as the promise tests make and tap them --------------------------------------


def batch_of(msg: BotMessage) -> str:
    decoded = decode(data_of(msg, "Confirm"))
    assert decoded is not None
    return decoded.text(0)


def catalog_with(service_id: int, **changes: Any) -> list[dict[str, Any]]:
    services = default_services()
    for service in services:
        if service["service"] == service_id:
            service.update(changes)
    return services


def placing_calls(bot: Harness) -> int:
    return bot.panel.count("add") + bot.panel.bulk_calls()


async def single_preview(
    u: FakeUser, link: str = "https://instagram.com/a", quantity: str = "1000"
) -> BotMessage:
    preview = await dialog(u, 1, link, quantity)
    assert any("Confirm" in label for label, _ in preview.buttons()), text_of(preview)
    return preview


async def bulk_preview(u: FakeUser, lines: str) -> BotMessage:
    await u.send("/bulk\n" + lines)
    preview = await u.reply()
    assert any("Confirm" in label for label, _ in preview.buttons()), text_of(preview)
    return preview


async def tap(u: FakeUser, data: str, message: BotMessage) -> str:
    """A tap with `data` on `message` (a stale keyboard, a replay or a forgery); its answer."""
    qid = await u.press_data(data, message)
    return str((await u.answer(qid)).params.get("text") or "")


async def set_key(u: FakeUser, key: str) -> None:
    await u.send("/setkey")
    await u.reply()
    await u.send(key)
    assert "Key saved" in text_of(await u.reply())


# --- /bulk ---------------------------------------------------------------------------------

BULK_KEY = "pk_bulk_9f8e7d6c5b4a39281706f5e4d3c2"
BULK_UID = 7101

THREE = (
    "1 | https://instagram.com/alpha | 1000\n"
    "2 | https://instagram.com/p/beta | 500\n"
    "6 | https://youtube.com/watch?v=gamma | 2000\n"
)


async def open_bulk(
    bot: Harness, *, balance: str = "100", uid: int = BULK_UID, key: str = BULK_KEY
) -> FakeUser:
    """A member at /bulk's question (test_bulk's member unless `uid` and `key` say)."""
    u = await bot.member(uid, key=key, balance=balance)
    await u.send("/bulk")
    prompt = await u.reply()
    assert "service id | link | quantity" in (prompt.text or "")
    return u


async def paste(u: FakeUser, text: str) -> BotMessage:
    await u.send(text)
    return await u.reply()


async def reply_containing(
    u: FakeUser, needle: str, limit: int = 6, *, wait: float = 5.0
) -> BotMessage:
    """The first of the next `limit` new messages with `needle` in it."""
    seen: list[str] = []
    for _ in range(limit):
        msg = await u.reply(timeout=wait)
        if needle in text_of(msg):
            return msg
        seen.append(text_of(msg))
    raise AssertionError(f"no reply with {needle!r}: {seen}")


def confirm_data(preview: BotMessage) -> str:
    data = [d for label, d in preview.buttons() if "Confirm" in label]
    assert len(data) == 1, preview.buttons()
    return data[0]


def csv_rows(msg: BotMessage) -> list[dict[str, str]]:
    assert msg.document is not None, msg.describe()
    text = msg.document.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- orders as if placed -------------------------------------------------------------------


def order_draft(**fields: Any) -> OrderDraft:
    """An order line as a preview stores it: 100 of service 1 (Instagram followers) for $1.25,
    with `fields` changed."""
    values: dict[str, Any] = {
        "service_id": 1,
        "service_name_text": "Instagram Takipçi",
        "service_type": "Default",
        "link": "https://instagram.com/p/x",
        "quantity": 100,
        "cost": Decimal("1.25"),
        "currency_text": "USD",
    }
    return OrderDraft(**(values | fields))


async def place(
    bot: Harness,
    user_id: int,
    key: str,
    *,
    service: int = 1,
    quantity: int = 1000,
    link: str | None = None,
    status: str = "Pending",
    name: str | None = None,
    runs: int | None = None,
) -> Order:
    """An order the fake panel knows, stored for `user_id` as if the order dialog placed it
    (`name`: the service's name as stored, instead of the catalog's; `runs`: a drip-feed)."""
    link = link or f"https://instagram.com/p/{secrets.token_hex(3)}"
    panel_id = bot.panel.create_order(key, service, link, quantity, status=status)
    svc = _SERVICES[service]
    cost = Decimal(str(svc["rate"])) * quantity / 1000
    name = name if name is not None else str(svc["name"])
    draft = order_draft(service_id=service, service_name_text=name, service_type=str(svc["type"]),
                        link=link, quantity=quantity, cost=cost, runs=runs)  # fmt: skip
    repo = bot.deps.storage.orders
    batch = secrets.token_hex(6)
    [order] = await repo.create_drafts(user_id, batch, [draft])
    assert (await repo.claim(batch, user_id)).won
    assert await repo.mark_placed(order.id, panel_id, status=status)
    stored = await repo.get(order.id)
    assert stored is not None
    return stored


async def stored_order(
    bot: Harness, panel: FakePanel, key: str, user_id: int, slot: int, service: int, **kw: str
) -> Order:
    """An order as the order dialog leaves it on panel account `slot`."""
    link = f"https://instagram.com/p/{secrets.token_hex(4)}"
    panel_id = panel.create_order(key, service, link, 200, status=kw.get("status", "Pending"))
    draft = order_draft(service_id=service, link=link, quantity=200, cost=Decimal("2.50"))
    repo = bot.deps.storage.orders
    batch = secrets.token_hex(6)
    [row] = await repo.create_drafts(user_id, batch, [draft], panel_slot=slot)
    assert (await repo.claim(batch, user_id)).won
    assert await repo.mark_placed(row.id, panel_id, status=kw.get("status", "Pending"))
    stored = await repo.get(row.id)
    assert stored is not None
    return stored


async def place_many(
    bot: Harness, user_id: int, key: str, n: int = 1, batch: str = "n"
) -> list[Order]:
    """`n` orders as the ordering flow leaves them: drafts → claim → placed with real panel ids."""
    storage = bot.deps.storage
    drafts = [order_draft(link=f"https://instagram.com/p/{user_id}_{batch}_{i}") for i in range(n)]
    token = f"{batch}{user_id}"
    rows = await storage.orders.create_drafts(user_id, token, drafts)
    assert (await storage.orders.claim(token, user_id)).won
    pairs = [(o.id, bot.panel.create_order(key, 1, o.link or "", 100)) for o in rows]
    await storage.orders.mark_placed_many(pairs)
    placed = [await storage.orders.get(o.id) for o in rows]
    return [o for o in placed if o is not None]


# --- the jobs: polling and the outbox ------------------------------------------------------


def clock_of(bot: Harness) -> TestClock:
    """The harness's TestClock (a bot started with `clock=TestClock()`)."""
    assert bot.clock is not None
    return bot.clock


async def due_again(bot: Harness) -> None:
    """Make every order due for polling (the harness polls hourly)."""
    await bot.deps.storage.db.execute("UPDATE orders SET polled_at = NULL")
    await bot.deps.storage.db.execute("UPDATE refills SET polled_at = NULL")


async def poll(bot: Harness) -> CycleReport | None:
    """One poll cycle as the job runs it (a drain is kicked when something was queued)."""
    assert bot.app is not None
    return await jobs_of(bot.app).poll()


async def drain(bot: Harness) -> None:
    assert bot.app is not None
    # A drain may already be running (tick or kick); wait for it, then run one of our own.
    jobs = jobs_of(bot.app)
    while await jobs.drain() is None:
        await bot.telegram.wait_until(lambda: not jobs.notifier.running)


# --- two members with orders on the harness's panel (/orders, /status, isolation) ------------

ORDERS_KEY_A = "pk_orders_a_5f2e9c1d7b3a4e6f8091a2b3"
ORDERS_KEY_B = "pk_orders_b_0c1d2e3f4a5b6c7d8e9f0a1b"
ORDERS_USER_A = 7101
ORDERS_USER_B = 7102


# --- two panels: PANEL_API_URL's (alpha) and a preset "Beta" (fixtures `beta`, `two`) -------

KEY_A = "pk_alpha_1f2e3d4c5b6a79881726354433221100"
KEY_B = "pk_beta_00112233445566778899aabbccddeeff00"
# Beta's catalog: other ids, the same kinds of service at other prices.
BETA_FIRST_ORDER = 900_001


def beta_services() -> list[dict[str, object]]:
    """Another panel's words for the same kinds of service (compare folds them together)."""
    rows = [
        (501, "IG Followers [Real]", "Insta", "9.00", 50, 5000),
        (502, "Instagram Likes HQ", "Instagram", "2.00", 10, 20000),  # another kind
        (503, "Cheap IG followers", "Instagram", "7.50", 20000, 90000),  # no quantity in common
        (504, "TikTok Followers", "TikTok", "1.00", 100, 10000),  # another platform
    ]
    return [
        {
            "service": sid,
            "name": name,
            "type": "Default",
            "category": category,
            "rate": rate,
            "min": lo,
            "max": hi,
            "refill": True,
            "cancel": True,
        }
        for sid, name, category, rate, lo, hi in rows
    ]


async def make_default(user: FakeUser, panel: str) -> BotMessage:
    """/panels → the panel → ★ Make default; the message it leaves."""
    await user.send("/panels")
    await user.reply()
    await user.press(panel)
    await user.update()
    await user.press("★")
    return await user.update()


async def beta_key_question(user: FakeUser) -> BotMessage:
    """/panels → ➕ Add a panel → Beta: the question for its key."""
    await screen(user, "/panels", "➕")
    await user.press("Beta", exact=True)
    return await user.update()


async def link_beta(bot: Harness, beta: FakePanel, user: FakeUser, balance: str = "40") -> None:
    """Through /panels → ➕ Add a panel → Beta → the key."""
    beta.add_key(KEY_B, balance=balance)
    await beta_key_question(user)
    key_message = await user.send(KEY_B)
    await user.reply()
    assert key_message.deleted


# --- two panels that number orders alike (the harness's and a Beta like it) -----------------

COLLIDING = 23501  # the first order id on both


@pytest.fixture(name="beta")
async def colliding_beta() -> AsyncIterator[FakePanel]:
    """Beta numbers orders and refills exactly as alpha (the harness's panel) does."""
    async with FakePanel(beta_services(), currency="EUR") as fake:
        yield fake


async def both(
    bot: Harness, beta: FakePanel, user_id: int, status: str = "Pending", language: str = "en"
) -> Order:
    """A user with alpha and beta, and order #23501 stored on each; returns beta's."""
    user = await bot.member(user_id, key=KEY_A, language_code=language)
    await link_beta(bot, beta, user)
    alpha_order = await stored_order(bot, bot.panel, KEY_A, user_id, 1, 1, status=status)
    beta_order = await stored_order(bot, beta, KEY_B, user_id, 2, 501, status=status)
    assert alpha_order.panel_order_id == beta_order.panel_order_id == COLLIDING
    return beta_order
