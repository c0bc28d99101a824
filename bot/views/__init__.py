"""What the user reads: pure functions from data and a `Translator` to message text, screens
(text and keyboard) and CSV files, one module per feature as in bot/handlers. No Telegram calls,
so each view is tested on its own (tests/views). Shared pieces: `text` (escaping, length),
`errors` (panel failures, old buttons), `previews` (closed previews), `screen`.
"""
