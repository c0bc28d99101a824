"""Notifications: what the bot tells a user outside the answer to their update.

Pushes (an order's status, a digest, a price change, a low balance, a rejected key, a scheduled
run) and replies Telegram would not take at the time (`replies.ReplyQueue`) are queued in the
outbox (bot/storage/outbox.py) by the service that has something to say; `notifier.Notifier`
drains it, `compose.Composer` writes each item (wording: bot/views/notifications.py), and
`settings.NotificationSettings` holds what the user decides (mute, quiet hours, time zone).
Sending to Telegram and the buttons under a notification are bot/handlers/notifications.py.
"""
