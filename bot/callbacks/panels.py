"""Several panels: /panels, and the catalog and orders of one panel account (`slot`)
(bot/handlers/panels.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class PanelsList(CallbackData, action="pl"):
    """/panels: the linked panels."""


class PanelCardOf(CallbackData, action="pc"):
    """One linked panel (by its slot) with Make default, Rename and Remove."""

    slot: int


class PanelAdd(CallbackData, action="pa"):
    """➕ Add a panel: the operator's panels to pick from (and "Other URL" when allowed)."""


class PanelAddPreset(CallbackData, action="pp"):
    """Link the operator's panel number `index` (PANELS order): asks for its key."""

    index: int


class PanelAddUrl(CallbackData, action="pu"):
    """Link a panel by its URL (ALLOW_CUSTOM_PANELS): asks for the URL, then the key."""


class PanelKeepName(CallbackData, action="pq"):
    """The suggested name (its host) kept for panel account `slot`, just added by URL."""

    slot: int


class PanelMakeDefault(CallbackData, action="pd"):
    slot: int


class PanelRename(CallbackData, action="pn"):
    slot: int


class PanelRemove(CallbackData, action="pr"):
    """🗑 Remove: asks first."""

    slot: int


class PanelRemoveYes(CallbackData, action="py"):
    slot: int


class PanelOrderService(CallbackData, action="po"):
    """ "Order here": the order dialog for `service_id` on panel account `slot`."""

    slot: int
    service_id: int


class PanelServiceCard(CallbackData, action="pw"):
    """A result of /services <words> over every panel: the card of `service_id` on panel
    account `slot` (issue 21 item 7), where the user reads it before ordering."""

    slot: int
    service_id: int


class PanelBrowse(CallbackData, action="ps"):
    """🔁 on /services: look at (and order from) panel account `slot`; the ★ default stays."""

    slot: int


class BrowseMakeDefault(CallbackData, action="bm"):
    """★ Make default on /services while looking at panel account `slot` (issue 21 item 3)."""

    slot: int


class PanelNewKey(CallbackData, action="pk"):
    """🔑 New key for panel account `slot`: asks for it."""

    slot: int


class PanelAlert(CallbackData, action="pb"):
    """🔔 Low-balance alert of panel account `slot`: asks for the threshold."""

    slot: int


class PanelCompare(CallbackData, action="pv"):
    """⚖️ Compare on a service card: similar services of `service_id` (on panel account
    `slot`) on the user's other panels."""

    slot: int
    service_id: int
