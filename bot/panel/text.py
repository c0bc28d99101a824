"""Telegram HTML that is safe to send (issue 19 item 6: panel text is text).

Every string a panel sends (service names, categories, descriptions, currencies, statuses, error
texts) and every name a user typed may hold `<`, `&` or a whole `<a href=…>`. `Html` is text
already fit for a message; the one way to make it from such a string is `escaped`. The views'
placeholders for panel text (`Translator.gettext`'s `panel`, `name`, `category`, `type`,
`currency`, `status` and `error`, and `link` and `query` for what a user typed; `ngettext`'s
`category`) take only `Html`, so mypy rejects a raw string there. Text that is not HTML (button
labels, a chart's title) goes through `Translator.plain` instead, which takes text as it is.
The bot's own markup becomes `Html` where it is written (`Html(f"<b>{esc(label)}</b>")`, our
own words around text that is itself escaped).
"""

from __future__ import annotations

import html
from typing import NewType

Html = NewType("Html", str)


def escaped(value: object) -> Html:
    """`value` as text that shows as itself in a Telegram HTML message."""
    return Html(html.escape(str(value), quote=False))
