"""Several panels: /panels, and the catalog and orders of one panel account (`slot`)
(bot/handlers/panels.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class PanelAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    PANELS = "pl"
    PANEL_CARD = "pc"
    PANEL_ADD = "pa"
    PANEL_ADD_PRESET = "pp"
    PANEL_ADD_URL = "pu"
    PANEL_KEEP_NAME = "pq"
    PANEL_DEFAULT = "pd"
    PANEL_RENAME = "pn"
    PANEL_REMOVE = "pr"
    PANEL_REMOVE_YES = "py"
    PANEL_ORDER = "po"
    PANEL_SERVICE = "pw"
    PANEL_BROWSE = "ps"
    BROWSE_MAKE_DEFAULT = "bm"
    PANEL_NEW_KEY = "pk"
    PANEL_ALERT = "pb"
    PANEL_COMPARE = "pv"


@dataclass(frozen=True)
class PanelsList(CallbackData, action=PanelAction.PANELS):
    """/panels: the linked panels."""


@dataclass(frozen=True)
class PanelCardOf(CallbackData, action=PanelAction.PANEL_CARD):
    """One linked panel (by its slot) with Make default, Rename and Remove."""

    slot: int


@dataclass(frozen=True)
class PanelAdd(CallbackData, action=PanelAction.PANEL_ADD):
    """➕ Add a panel: the operator's panels to pick from (and "Other URL" when allowed)."""


@dataclass(frozen=True)
class PanelAddPreset(CallbackData, action=PanelAction.PANEL_ADD_PRESET):
    """Link the operator's panel number `index` (PANELS order): asks for its key."""

    index: int


@dataclass(frozen=True)
class PanelAddUrl(CallbackData, action=PanelAction.PANEL_ADD_URL):
    """Link a panel by its URL (ALLOW_CUSTOM_PANELS): asks for the URL, then the key."""


@dataclass(frozen=True)
class PanelKeepName(CallbackData, action=PanelAction.PANEL_KEEP_NAME):
    """The suggested name (its host) kept for panel account `slot`, just added by URL."""

    slot: int


@dataclass(frozen=True)
class PanelMakeDefault(CallbackData, action=PanelAction.PANEL_DEFAULT):
    slot: int


@dataclass(frozen=True)
class PanelRename(CallbackData, action=PanelAction.PANEL_RENAME):
    slot: int


@dataclass(frozen=True)
class PanelRemove(CallbackData, action=PanelAction.PANEL_REMOVE):
    """🗑 Remove: asks first."""

    slot: int


@dataclass(frozen=True)
class PanelRemoveYes(CallbackData, action=PanelAction.PANEL_REMOVE_YES):
    slot: int


@dataclass(frozen=True)
class PanelOrderService(CallbackData, action=PanelAction.PANEL_ORDER):
    """ "Order here": the order dialog for `service_id` on panel account `slot`."""

    slot: int
    service_id: int


@dataclass(frozen=True)
class PanelServiceCard(CallbackData, action=PanelAction.PANEL_SERVICE):
    """A result of /services <words> over every panel: the card of `service_id` on panel
    account `slot` (issue 21 item 7), where the user reads it before ordering."""

    slot: int
    service_id: int


@dataclass(frozen=True)
class PanelBrowse(CallbackData, action=PanelAction.PANEL_BROWSE):
    """🔁 on /services: look at (and order from) panel account `slot`; the ★ default stays."""

    slot: int


@dataclass(frozen=True)
class BrowseMakeDefault(CallbackData, action=PanelAction.BROWSE_MAKE_DEFAULT):
    """★ Make default on /services while looking at panel account `slot` (issue 21 item 3)."""

    slot: int


@dataclass(frozen=True)
class PanelNewKey(CallbackData, action=PanelAction.PANEL_NEW_KEY):
    """🔑 New key for panel account `slot`: asks for it."""

    slot: int


@dataclass(frozen=True)
class PanelAlert(CallbackData, action=PanelAction.PANEL_ALERT):
    """🔔 Low-balance alert of panel account `slot`: asks for the threshold."""

    slot: int


@dataclass(frozen=True)
class PanelCompare(CallbackData, action=PanelAction.PANEL_COMPARE):
    """⚖️ Compare on a service card: similar services of `service_id` (on panel account
    `slot`) on the user's other panels."""

    slot: int
    service_id: int
