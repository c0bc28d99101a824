"""What the bot keeps for one user between updates: PTB's user_data, as one typed class.

`ContextTypes(user_data=UserState)` (bot/app.py) makes `context.user_data` a `UserState`; the
handlers read and write its fields instead of loose string keys. It is persisted as JSON
(bot/persistence.py, `USER_STATE_CODEC`) under the keys `to_json` writes: the very keys the
loose user_data used, so a row written before this class loads into it after an upgrade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.services.catalog_options import PLAIN, CatalogOptions

# The JSON key of each field that is not named alike.
WAITING_KEY = "which_panel"
REPLIED_AT_KEY = "access.replied_at"


@dataclass(slots=True)
class UserState:
    # The open dialog run, as `DialogState.to_dict()` wrote it (bot/handlers/dialog.py); a
    # change to a state object counts only once it is saved here.
    dialog: dict[str, Any] | None = None
    # Typed ids waiting for "which panel?": token -> `Waiting.dump()` (bot/handlers/which_panel.py).
    waiting: dict[str, Any] = field(default_factory=dict)
    # /cancelorder's pending confirmations: token -> [panel order id, slot] pairs.
    cancel_confirm: dict[str, Any] = field(default_factory=dict)
    # A bulk preview's rejected lines by batch: [line_no, raw, msgid, params] each.
    bulk_rejects: dict[str, Any] = field(default_factory=dict)
    # The last catalog search (its page buttons carry the page only).
    catalog_search: str | None = None
    # How service lists are sorted and filtered.
    catalog_options: CatalogOptions = PLAIN
    # The panel account /services shows when it is not the ★ default.
    catalog_panel: int | None = None
    # The orders list's filter and page, where an order card's « Back leads.
    orders_view: tuple[str, int] | None = None
    # The orders list's panel filter (a slot).
    orders_panel: int | None = None
    # When the last unprompted answer went to this user without access (AccessService.reply_due).
    replied_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON form; what is empty or unset is left out (an empty user stores no row)."""
        data: dict[str, Any] = {
            "dialog": self.dialog,
            WAITING_KEY: self.waiting or None,
            "cancel_confirm": self.cancel_confirm or None,
            "bulk_rejects": self.bulk_rejects or None,
            "catalog_search": self.catalog_search,
            "catalog_view": None if self.catalog_options.plain else self.catalog_options.to_json(),
            "catalog_panel": self.catalog_panel,
            "orders_view": list(self.orders_view) if self.orders_view is not None else None,
            "orders_panel": self.orders_panel,
            REPLIED_AT_KEY: self.replied_at,
        }
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserState:
        """What `to_json` wrote; a value of the wrong shape (an old or damaged row) is unset."""
        return cls(
            dialog=_dict(data.get("dialog")) or None,
            waiting=_dict(data.get(WAITING_KEY)),
            cancel_confirm=_dict(data.get("cancel_confirm")),
            bulk_rejects=_dict(data.get("bulk_rejects")),
            catalog_search=_text(data.get("catalog_search")),
            catalog_options=CatalogOptions.from_json(data.get("catalog_view")),
            catalog_panel=_whole(data.get("catalog_panel")),
            orders_view=_orders_view(data.get("orders_view")),
            orders_panel=_whole(data.get("orders_panel")),
            replied_at=_seconds(data.get(REPLIED_AT_KEY)),
        )


def _dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _orders_view(value: object) -> tuple[str, int] | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        name, page = value
        if isinstance(name, str) and _whole(page) is not None:
            return name, int(page)
    return None
