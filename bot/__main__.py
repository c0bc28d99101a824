"""`python -m bot`: load settings, configure redacted logging, run the bot."""

from __future__ import annotations

import sys

from bot import excepthooks
from bot.config import Settings, SettingsError, load_settings
from bot.logs import SecretRegistry, configure_logging


def leave_out_unused_modules(settings: Settings) -> None:
    """Marks absent, before PTB's import, the modules this process would import and never use.

    * httpx imports its command-line client (`httpx._main`: rich, click, pygments; ~5 MiB
      resident) whenever those are installed, and developer tools (import-linter) bring them.
      The bot never runs it; marked absent, httpx falls back to its stub, as in an image
      without them.
    * PTB imports tornado for its own webhook server whenever tornado is installed (~2.5 MiB).
      The bot never runs PTB's server; its own (bot/webhook.py, and the Mini App's in
      bot/webapp/) import tornado themselves, and only a bot with WEBHOOK_URL or WEBAPP_URL
      starts one. Without either, PTB sees no tornado and leaves its webhook support out.

    Only the process `python -m bot` starts is changed: tests and tools import as usual.
    """
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    if not settings.webhook_url and not settings.webapp_url:
        sys.modules.setdefault("tornado", None)  # type: ignore[arg-type]


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"smm-panel-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    secrets = SecretRegistry([settings.bot_token.get_secret_value(), *settings.database_secrets])
    configure_logging(settings.log_level, secrets)
    excepthooks.install()

    # Imported late: a configuration error must not pay for PTB's import.
    leave_out_unused_modules(settings)
    from bot.app import run
    from bot.runner import Stopped

    try:
        run(settings, secrets)
    except Stopped as exc:
        # One line naming the cause; non-zero, so Docker or systemd restart the bot.
        print(secrets.redact(f"smm-panel-bot: {exc}"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
