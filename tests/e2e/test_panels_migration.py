"""A single-key database made before several panels (migrations 0001-0005) keeps working:
nothing is asked of the user, the key is the default panel's, the orders are that panel's."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet

from bot.storage import KeyCipher, Storage
from tests.e2e.steps import drain, due_again, poll
from tests.harness import running_bot
from tests.storage.steps import migrations_before_panels

KEY = "pk_legacy_0a1b2c3d4e5f60718293a4b5c6d7e8f9"
UID = 8201
FIRST_FAKE_ORDER = 23501  # the fake panel's first order id


async def old_database(tmp_path: Path, fernet_key: str) -> None:
    """What today's main leaves on disk: an allowed user, their key, a placed order."""
    cipher = KeyCipher([fernet_key.encode()])
    old = await Storage.open(
        tmp_path / "bot.sqlite3", cipher, migrations_dir=migrations_before_panels(tmp_path / "m")
    )
    try:
        await old.db.execute(
            "INSERT INTO users (id, first_name, language, access, created_at, updated_at) "
            "VALUES (?, 'Old', 'en', 'allowed', 1, 1)",
            (UID,),
        )
        await old.db.execute(
            "INSERT INTO panel_keys (user_id, ciphertext, added_at) VALUES (?, ?, 1)",
            (UID, cipher.encrypt(KEY)),
        )
        await old.db.execute(
            "INSERT INTO orders (user_id, token, batch, panel_order_id, service_id, "
            "service_name, service_type, link, quantity, cost, currency, submit_state, status, "
            "created_at, submitted_at, updated_at) VALUES (?, 'old', 'old', ?, 1, "
            "'Instagram Takipçi', 'Default', 'https://instagram.com/p/old', 200, '2.50', 'USD', "
            "'placed', 'Pending', 1, 1, 1)",
            (UID, FIRST_FAKE_ORDER),
        )
    finally:
        await old.close()


async def test_single_key_database_is_migrated_without_asking(tmp_path: Path) -> None:
    fernet_key = Fernet.generate_key().decode()
    await old_database(tmp_path, fernet_key)
    async with running_bot(tmp_path, encryption_key=fernet_key) as bot:
        bot.panel.add_key(KEY, balance="55")
        pid = bot.panel.create_order(KEY, 1, "https://instagram.com/p/old", 200)
        assert pid == FIRST_FAKE_ORDER
        user = bot.user(UID)

        await user.send("/balance")
        balance = (await user.reply()).text or ""
        assert "55.00" in balance and "setkey" not in balance

        await user.send("/panels")
        listed = (await user.reply()).text or ""
        assert "★" in listed and "127.0.0.1" in listed and "55.00" in listed

        await user.send(f"/status {pid}")
        assert f"#<code>{pid}</code>" in ((await user.reply()).text or "")

        # The poller asks the order's panel (the migrated account) and the push arrives.
        bot.panel.set_order(pid, status="Completed", remains=0)
        await due_again(bot)
        report = await poll(bot)
        assert report is not None and report.requests == 1
        await drain(bot)
        pushed = (await user.reply()).text or ""
        assert f"#<code>{pid}</code>" in pushed and "completed" in pushed.lower()
        # One panel: pushes do not name it.
        assert "127.0.0.1" not in pushed

        # Nothing was asked: no key prompt, no panel question anywhere in the chat.
        assert all("API key" not in text for text in user.sent_texts())
        account = await bot.deps.accounts.account(UID)
        assert account is not None and account.url == bot.panel.url and account.slot == 1
        assert bot.telegram.bad_requests() == []
