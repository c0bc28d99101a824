"""Client for the standard SMM panel API v2. Knows nothing of Telegram.

Import each name from the module that defines it: `client` (PanelClient), `errors` (what a call
raises), `models` (what a call returns).
"""
