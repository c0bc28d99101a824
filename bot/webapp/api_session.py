"""GET api/session: who the page is for, in which language, and the page's texts.

The texts come from the same Babel catalogs as the chat's (bot/i18n.py): each API module lists
the ones its page uses in `TEXTS` (key -> English source, marked with N_ for extraction) and the
page gets them translated into the caller's language, placeholders (`{n}`) left for it to fill.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from bot.i18n import N_
from bot.webapp.api import REFUSAL_TEXTS, ApiHandler, WebAppContext

TEXTS: Mapping[str, str] = {
    "tab_catalog": N_("Catalog"),
    "tab_order": N_("Order"),
    "tab_bulk": N_("Bulk"),
    "tab_orders": N_("Orders"),
    "loading": N_("Loading…"),
    "error_generic": N_("Something went wrong. Please try again."),
    **{f"error_{code}": text for code, text in REFUSAL_TEXTS.items()},
    "coming_soon": N_("Not available yet."),
}


class WebAppUserInfo(BaseModel):
    id: int
    first_name: str


class SessionAnswer(BaseModel):
    user: WebAppUserInfo
    language: str
    is_admin: bool
    texts: dict[str, str]


class SessionHandler(ApiHandler):
    def initialize(  # type: ignore[override]
        self, ctx: WebAppContext, texts: Mapping[str, str]
    ) -> None:
        super().initialize(ctx)
        self._texts = texts

    async def get(self) -> None:
        caller = self.caller
        t = caller.t
        self.reply(
            SessionAnswer(
                user=WebAppUserInfo(id=caller.id, first_name=caller.telegram.first_name),
                language=t.language,
                is_admin=caller.is_admin,
                texts={key: t.gettext(source) for key, source in self._texts.items()},
            )
        )
