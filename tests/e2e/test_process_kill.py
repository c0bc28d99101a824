"""Issue 19 item 11: an update fetched just before a kill -9 is handled after the restart.

`python -m bot` fetches a bulk Confirm, and Telegram's next long poll confirms it while the
handler still waits (here on the catalog re-read before the claim). The process is killed -9
there. Restarted, it handles the Confirm from its fetched-updates file: the orders are placed,
exactly once.
"""

from __future__ import annotations

import signal
from pathlib import Path

from cryptography.fernet import Fernet

from tests.fakes.panel import FakePanel, Fault
from tests.fakes.telegram import FakeTelegram
from tests.processes import finish, spawn

UID = 7501
KEY = "pk_kill9_0a1b2c3d4e5f60718293a4b5"
LINES = 3
WAIT = 30.0


async def test_a_bulk_confirm_fetched_before_a_kill_9_is_placed_once_after_restart(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        settings = {
            "BOT_TOKEN": telegram.token,
            "TELEGRAM_BASE_URL": telegram.base_url,
            "TELEGRAM_BASE_FILE_URL": telegram.base_file_url,
            "PANEL_API_URL": panel.url,
            "DATABASE_PATH": str(tmp_path / "data" / "bot.sqlite3"),
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "ADMIN_IDS": str(UID),
            # Confirm reads the catalog again: the handler waits there, before its claim.
            "SERVICES_CACHE_SECONDS": "0",
        }
        user = telegram.user(UID)
        panel.add_key(KEY, balance="1000")
        proc = await spawn(tmp_path, settings)
        try:
            await user.send(f"/setkey {KEY}")
            await user.reply(timeout=WAIT)
            await user.send("/bulk")
            await user.reply(timeout=WAIT)
            await user.send("\n".join(f"9 | https://t.me/kill{i} | 100" for i in range(LINES)))
            preview = await user.reply(timeout=WAIT)
            assert f"{LINES} valid orders" in (preview.text or ""), preview.describe()
            panel.inject(Fault.latency(WAIT * 2), action="services", times=1)
            services = panel.count("services")
            await user.press("Confirm", message=preview)
            await panel.wait_for_request("services", count=services + 1, timeout=WAIT)
            # The next long poll is out: Telegram has forgotten the Confirm.
            await telegram.wait_until(
                lambda: telegram.pending_updates == 0 and telegram.polls_in_flight > 0,
                timeout=WAIT,
            )
            proc.kill()
            await proc.wait()
            assert panel.count("add_bulk") == 0

            proc = await spawn(tmp_path, settings)
            await telegram.wait_until(
                lambda: any("Bulk order result" in t for t in user.sent_texts()), timeout=WAIT
            )
            proc.send_signal(signal.SIGTERM)
            result = await finish(proc, WAIT)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Traceback" not in result.output
        assert panel.count("add_bulk") == 1
        assert len([o for o in panel.orders.values() if o.key == KEY]) == LINES
        assert sum("Bulk order result" in t for t in user.sent_texts()) == 1
