"""`python -m bot`: load settings, configure redacted logging, run the bot."""

from __future__ import annotations

import sys

from bot.config import SettingsError, load_settings
from bot.logs import SecretRegistry, configure_logging


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"smm-panel-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    secrets = SecretRegistry([settings.bot_token.get_secret_value()])
    configure_logging(settings.log_level, secrets)

    from bot.app import run  # imported late: a configuration error must not pay for PTB's import

    run(settings, secrets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
