"""Pure rendering: data and a translator in, message text / file bytes out (no Telegram calls)."""
