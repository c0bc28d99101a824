"""Neither the panel key nor the bot token leaks: logs, sent messages, files, database bytes.

Also: a stranger's forged buttons and commands reach no handler.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.callbacks.admin import DecideAccess, UsersPage
from bot.callbacks.base import encode
from bot.callbacks.bulk import ConfirmBulk
from bot.callbacks.menu import Menu
from bot.callbacks.new_order import ConfirmOrder, Reorder
from bot.callbacks.order_history import CancelOrderYes, OrderCard, StatusOf
from bot.jobs import jobs_of
from bot.storage.models import AccessState
from tests.e2e.steps import dialog, screen, text_of
from tests.fakes.panel import Fault
from tests.harness import ADMIN_ID, Harness, running_bot

KEY = "pk_secret_7c1d9e2f4a6b8c0d1e3f5a7b9c"
STRANGER = 9001
INTRUDER = 9002


class RawHandler(logging.Handler):
    """Every record as a plain StreamHandler would print it: no redaction filter at all."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # includes formatted tracebacks


@contextmanager
def raw_logs() -> Iterator[RawHandler]:
    handler = RawHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def session(bot: Harness) -> None:
    """A full working day: approval, key, catalog, orders, bulk, status, a fault, a push."""
    admin = bot.user(ADMIN_ID)
    await admin.send("/start")
    await admin.reply()
    u = bot.user(STRANGER, first_name="Ayşe")
    await screen(u, "/start", "Request access")
    request = await admin.reply()
    await admin.press("Approve", message=request)
    await admin.update()
    await u.reply()

    bot.panel.add_key(KEY, balance="500")
    await u.send("/setkey")
    await u.reply()
    await u.send(KEY)
    assert "Key saved" in text_of(await u.reply())
    await u.send("/services")
    await u.reply()
    preview = await dialog(u, 1, "https://instagram.com/secret_session", "1000")
    await u.press("Confirm", message=preview)
    await u.update()
    assert "Order placed" in text_of(await u.update())
    await u.send("/bulk")
    await u.reply()
    await u.send("1 | https://instagram.com/a | 1000\n6 | https://youtube.com/watch?v=b | 2000")
    bulk = await u.reply()
    await u.press("Confirm", message=bulk)
    await u.update()
    assert "2 placed" in text_of(await u.reply())
    await u.send(f"/status {min(bot.panel.orders)}")
    await u.reply()
    # An error with the key in play: the panel answers junk to a write.
    bot.panel.inject(Fault.html_200(), action="add")
    preview = await dialog(u, 1, "https://instagram.com/secret_fault", "1000")
    await u.press("Confirm", message=preview)
    await u.update()
    assert "cannot tell" in text_of(await u.update())
    # A notification through the poller and the outbox.
    first = min(bot.panel.orders)
    bot.panel.set_order(first, status="Completed", remains=0)
    await bot.deps.storage.db.execute("UPDATE orders SET polled_at = NULL")  # all due now
    assert bot.app is not None
    jobs = jobs_of(bot.app)
    report = await jobs.poll()
    assert report is not None and report.queued >= 1
    assert "is completed" in text_of(await u.reply())
    while await jobs.drain() is None:
        await bot.telegram.wait_until(lambda: not jobs.notifier.running)
    # Admin actions.
    await admin.send("/users")
    assert str(STRANGER) in text_of(await admin.reply())
    await u.send("/export")
    export = await u.reply()
    assert export.document is not None


async def test_full_session_leaks_no_secret_anywhere(tmp_path: Path) -> None:
    with raw_logs() as raw:
        # Menus and descriptions published too: what goes to Telegram at start is looked at.
        async with running_bot(tmp_path, publish_profile=True) as bot:
            token = bot.telegram.token
            enc_key = bot.settings.encryption_key
            assert enc_key is not None
            secrets = {"panel key": KEY, "bot token": token,
                       "encryption key": enc_key.get_secret_value()}  # fmt: skip
            await session(bot)
            sent = bot.telegram.calls
            redacted = bot.logs.text
            db_path = bot.settings.database_path
        # Stopped: the database is closed and every byte is on disk.
        db_files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]

    assert raw.lines and redacted
    everything_logged = "\n".join(raw.lines)
    assert "panel add failed" in everything_logged  # the fault was logged, and still no secret
    outgoing = [(c.method, json.dumps(c.params, ensure_ascii=False, default=str)) for c in sent] + [
        (c.method, name) for c in sent for name, *_ in c.files.values()
    ]
    uploads = [content for c in sent for _, content, _ in c.files.values()]
    assert uploads, "the export document was uploaded"
    db_bytes = b"".join(p.read_bytes() for p in db_files)
    assert db_bytes

    for what, value in secrets.items():
        assert value not in redacted, f"{what} in the redacted log"
        assert value not in everything_logged, f"{what} printed by some logger at DEBUG"
        for method, params in outgoing:
            assert value not in params, f"{what} sent to Telegram via {method}"
        for content in uploads:
            assert value.encode() not in content, f"{what} in an uploaded file"
        for encoding in ("utf-8", "utf-16-le"):
            assert value.encode(encoding) not in db_bytes, f"{what} in the database ({encoding})"


async def test_stranger_forgeries_reach_no_handler(bot: Harness) -> None:
    owner = await bot.member(STRANGER, key=KEY)
    preview = await dialog(owner, 1, "https://instagram.com/victim", "1000")
    confirm = next(d for t, d in preview.buttons() if "Confirm" in t)
    batch = confirm.split(":")[1]
    [row] = await bot.deps.storage.orders.get_batch(batch)
    bot.panel.clear_log()

    intruder = bot.user(INTRUDER)
    await intruder.send("/start")
    greeting = await intruder.reply()
    assert "private" in text_of(greeting).lower()
    for command in ("/balance", "/services", "/order 1", "/status 23501", "/refill 23501",
                    "/cancelorder 23501", "/export", "/users", f"/allow {INTRUDER}",
                    "/setkey", KEY, "/bulk", "1 | https://instagram.com/a | 1000"):  # fmt: skip
        await intruder.send(command)
    forged = [
        confirm,
        encode(ConfirmOrder.action, row.batch),
        encode(ConfirmBulk.action, row.batch),
        encode(DecideAccess.action, INTRUDER, 1),
        encode(OrderCard.action, row.id),
        encode(CancelOrderYes.action, row.id),
        encode(Reorder.action, row.id),
        encode(StatusOf.action, 23501),
        encode(Menu.action, "balance"),
        encode(UsersPage.action, 0),
        "garbage:::",
    ]
    for data in forged:
        qid = await intruder.press_data(data, greeting)
        answer = await intruder.answer(qid)
        assert "do not have access" in str(answer.params.get("text")), data
    # The /start after everything gets the same greeting again, and nothing more.
    await intruder.send("/start")
    again = await intruder.reply()
    qid = await intruder.press_data(encode(Menu.action, "home"), greeting)
    await intruder.answer(qid)

    assert bot.panel.count() == 0
    assert [text_of(m) for m in intruder.bot_messages()] == [text_of(greeting)] * 2
    assert text_of(again) == text_of(greeting)
    user = await bot.deps.storage.users.get(INTRUDER)
    assert user is not None and user.access is not AccessState.ALLOWED
    assert not await bot.deps.accounts.has_key(INTRUDER)
    assert await bot.deps.storage.orders.all_for_user(INTRUDER) == []
    [still] = await bot.deps.storage.orders.get_batch(batch)
    assert still.submit_state is row.submit_state
    assert len(owner.bot_messages()) == 3  # nobody else's action touched the owner's chat
    assert bot.telegram.bad_requests() == []
