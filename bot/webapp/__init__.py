"""The Telegram Mini App (issue 23): the catalog and the order form as a web page in the chat.

`server` builds the routes (static page and JSON API) that the bot's own tornado server serves;
`auth` validates Telegram's initData; `api` is the base of every endpoint.
"""
