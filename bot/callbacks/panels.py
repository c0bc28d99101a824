"""Several panels: /panels, and the catalog and orders of one panel account (`slot`)
(bot/handlers/panels.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class PanelButton(CallbackData):
    """A button acting on one of the user's panel accounts: `slot` names it."""

    slot: int


class PanelServiceButton(PanelButton):
    """A button about service `service_id` of panel account `slot`."""

    service_id: int


class PanelsList(CallbackData, action="pl"):
    """/panels: the linked panels."""


class PanelCardOf(PanelButton, action="pc"):
    """One linked panel (by its slot) with Make default, Rename and Remove."""


class PanelAdd(CallbackData, action="pa"):
    """➕ Add a panel: the operator's panels to pick from (and "Other URL" when allowed)."""


class PanelAddPreset(CallbackData, action="pp"):
    """Link the operator's panel number `index` (PANELS order): asks for its key."""

    index: int


class PanelAddUrl(CallbackData, action="pu"):
    """Link a panel by its URL (ALLOW_CUSTOM_PANELS): asks for the URL, then the key."""


class PanelKeepName(PanelButton, action="pq"):
    """The suggested name (its host) kept for panel account `slot`, just added by URL."""


class PanelMakeDefault(PanelButton, action="pd"):
    """★ Make default on a panel's card."""


class PanelRename(PanelButton, action="pn"):
    """✏️ Rename on a panel's card: asks for the name."""


class PanelRemove(PanelButton, action="pr"):
    """🗑 Remove: asks first."""


class PanelRemoveYes(PanelButton, action="py"):
    """Yes under 🗑 Remove's question."""


class PanelOrderService(PanelServiceButton, action="po"):
    """ "Order here": the order dialog for `service_id` on panel account `slot`."""


class PanelServiceCard(PanelServiceButton, action="pw"):
    """A result of /services <words> over every panel: the card of `service_id` on panel
    account `slot` (issue 21 item 7), where the user reads it before ordering."""


class PanelBrowse(PanelButton, action="ps"):
    """🔁 on /services: look at (and order from) panel account `slot`; the ★ default stays."""


class BrowseMakeDefault(PanelButton, action="bm"):
    """★ Make default on /services while looking at panel account `slot` (issue 21 item 3)."""


class PanelNewKey(PanelButton, action="pk"):
    """🔑 New key for panel account `slot`: asks for it."""


class PanelAlert(PanelButton, action="pb"):
    """🔔 Low-balance alert of panel account `slot`: asks for the threshold."""


class PanelCompare(PanelServiceButton, action="pv"):
    """⚖️ Compare on a service card: similar services of `service_id` (on panel account
    `slot`) on the user's other panels."""
