"""`python -m bot`: load settings, configure redacted logging, run the bot."""

from __future__ import annotations

import sys

from bot import excepthooks
from bot.config import SettingsError, load_settings
from bot.logs import SecretRegistry, configure_logging


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
