"""Typed, compact callback data: one frozen dataclass per button action.

Telegram limits callback_data to 64 bytes and hands it back verbatim, so anything may arrive: an
old keyboard from before a restart, or a forged payload. Each button's data is an instance of
one class below, with named, typed fields (`ConfirmOrder(batch=…)`); `pack()` writes it as
`action:field:field` and `parse`/`unpack` read it back, or give `None` ("this button has
expired") for data that does not fit its class. Each class gives its own handler pattern
(`ConfirmOrder.pattern()`), and `callback_of(update)` reads a pressed button's data.

The data is the whole meaning of a button. PTB's `arbitrary_callback_data` is off (bot/app.py):
it would keep the real data in an in-memory cache and send only a key, and that cache is not
persisted here, so every button sent before a restart would stop working.

The wire format of an action never changes: buttons already sent stay in chats for ever. A
class's fields are its wire arguments in order; `bool` travels as 1/0.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, overload

if TYPE_CHECKING:
    from telegram import Update

MAX_BYTES = 64


class Action(StrEnum):
    """The first segment of a button's data; the class of that action says what follows."""

    MENU = "m"
    LANGUAGE = "lg"
    ACCESS_REQUEST = "ar"
    ACCESS_DECIDE = "ad"
    USERS_PAGE = "up"
    DIALOG_CANCEL = "dc"
    NOTIFY_TOGGLE = "nt"
    DELETE_KEY_YES = "dk"
    # catalog
    CATEGORIES = "cc"
    CATEGORY = "cs"
    SERVICE = "sv"
    CATALOG_REFRESH = "cr"
    SEARCH_PAGE = "sp"
    ORDER_SERVICE = "os"
    SERVICE_MORE = "km"
    # ordering dialog and previews
    DRIPFEED = "df"
    ORDER_SKIP = "sk"
    NO_DRIPFEED = "nd"
    # back, edit and quick picks of the ordering dialog
    EDIT_ANSWER = "e"
    QUESTION_BACK = "eb"
    QUICK_QUANTITY = "q"
    LAST_LINK = "ql"
    LIST_DONE = "id"
    LIST_EDIT = "ie"
    CHOOSE_VALUE = "iv"
    CONFIRM = "ok"
    DISCARD = "no"
    BULK_CONFIRM = "bk"
    BULK_DISCARD = "bd"
    BULK_CONFIRM_FIRST = "bf"
    BULK_AGAIN = "ba"
    # the duplicate-link guard's second button (issue 24 item 3)
    ORDER_ANYWAY = "oa"
    BULK_ANYWAY = "ka"
    # orders
    ORDER_CARD = "oc"
    ORDERS_PAGE = "op"
    ORDER_REFRESH = "or"
    ORDER_REFILL = "rf"
    ORDER_CANCEL = "ca"
    ORDER_CANCEL_YES = "cy"
    REORDER = "ro"
    STATUS_OF = "st"
    CANCEL_MANY = "cm"
    CANCEL_MANY_NO = "cn"
    # unknown outcomes the user settles (issue 20 item 4)
    FOUND_ON_PANEL = "uf"
    NOT_PLACED = "un"
    NOT_PLACED_YES = "uy"
    WHICH_PANEL = "wp"
    # favourites and the catalog's sort and filters
    FAVOURITE = "fv"
    CATALOG_OPTION = "fo"
    # time zones, quiet hours, pushes (issue 13 items 3 and 4)
    OPEN_CARD = "zo"
    MUTE_ORDER = "zu"
    DIGEST_ORDERS = "zl"
    ZONE_MENU = "zm"
    SET_ZONE = "zs"
    TYPE_ZONE = "zt"
    QUIET_MENU = "hm"
    SET_QUIET = "hs"
    TYPE_QUIET = "ht"
    # several panels (/panels)
    PANELS = "pl"
    PANEL_CARD = "pc"
    PANEL_ADD = "pa"
    PANEL_ADD_PRESET = "pp"
    PANEL_ADD_URL = "pu"
    PANEL_DEFAULT = "pd"
    PANEL_RENAME = "pn"
    PANEL_REMOVE = "pr"
    PANEL_REMOVE_YES = "py"
    PANEL_ORDER = "po"
    PANEL_COMPARE = "pv"
    PANEL_SERVICE = "pw"
    PANEL_KEEP_NAME = "pq"
    PANEL_ALERT = "pb"
    PANEL_BROWSE = "ps"
    PANEL_ORDERS = "pf"
    PANEL_NEW_KEY = "pk"
    BROWSE_MAKE_DEFAULT = "bm"


# --- typed button data -----------------------------------------------------------------------


class CallbackData:
    """Base of every button's data. Subclasses are frozen dataclasses naming their action:

    @dataclass(frozen=True)
    class ConfirmOrder(CallbackData, action=Action.CONFIRM):
        batch: str
    """

    action: ClassVar[Action]
    # Declared for type checkers: every concrete subclass is a dataclass.
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def __init_subclass__(cls, action: Action | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if action is not None:
            cls.action = action

    def pack(self) -> str:
        """The button's callback_data; ValueError if it cannot be sent (over 64 bytes, ':')."""
        wire = [int(v) if isinstance(v, bool) else v for v in _values(self)]
        return encode(self.action, *wire)

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        """`data` as this class (or a subclass of it), None for anything else."""
        found = parse(data)
        return found if isinstance(found, cls) else None

    @classmethod
    def pattern(cls) -> Callable[[object], bool]:
        """A CallbackQueryHandler pattern taking only well-formed data of this class."""

        def check(data: object) -> bool:
            return isinstance(parse(data), cls)

        return check


def _values(data: CallbackData) -> list[int | str | bool]:
    return [getattr(data, f.name) for f in fields(data)]


@dataclass(frozen=True)
class Menu(CallbackData, action=Action.MENU):
    """A main-menu entry ("services", "order", "home", …); see bot/handlers/menu.py."""

    name: str


@dataclass(frozen=True)
class SetLanguage(CallbackData, action=Action.LANGUAGE):
    code: str


@dataclass(frozen=True)
class RequestAccess(CallbackData, action=Action.ACCESS_REQUEST):
    pass


@dataclass(frozen=True)
class DecideAccess(CallbackData, action=Action.ACCESS_DECIDE):
    """An admin's Approve / Reject of `user_id`'s access request."""

    user_id: int
    approve: bool


@dataclass(frozen=True)
class UsersPage(CallbackData, action=Action.USERS_PAGE):
    page: int


@dataclass(frozen=True)
class ToggleNotifications(CallbackData, action=Action.NOTIFY_TOGGLE):
    pass


@dataclass(frozen=True)
class DeleteKeyYes(CallbackData, action=Action.DELETE_KEY_YES):
    """ "Yes, delete" under the Settings' 🗑 Delete API key question."""


@dataclass(frozen=True)
class DialogButton(CallbackData):
    """A button of one dialog run: `dialog` is the run's instance id (bot/handlers/dialog.py).

    Old keyboards stay in the chat; the id makes their buttons "closed" once that run is over.
    """

    dialog: str


@dataclass(frozen=True)
class CancelDialog(DialogButton, action=Action.DIALOG_CANCEL):
    """✖️ Cancel under a dialog question."""


@dataclass(frozen=True)
class QuestionButton(DialogButton):
    """A button answering one question of a dialog run: it acts only while that one is open."""

    question: str


@dataclass(frozen=True)
class DripfeedChoice(QuestionButton, action=Action.DRIPFEED):
    """Yes/No of the drip-feed question, or the ⏱ Drip-feed switch at the quantity question."""

    yes: bool


@dataclass(frozen=True)
class SkipQuestion(QuestionButton, action=Action.ORDER_SKIP):
    """Skip of an optional order question."""


@dataclass(frozen=True)
class QuestionBack(QuestionButton, action=Action.QUESTION_BACK):
    """« Back at an order question: to the previous question (from an Edit: to a new preview)."""


@dataclass(frozen=True)
class QuickQuantity(QuestionButton, action=Action.QUICK_QUANTITY):
    """A quick quantity (min, 1K, 5K, 10K, max) at the quantity question."""

    quantity: int


@dataclass(frozen=True)
class LastLink(QuestionButton, action=Action.LAST_LINK):
    """A link used before for this service: the local id of the order it came from (the link
    itself may not fit in 64 bytes; ownership is checked again when it is pressed)."""

    order_id: int


@dataclass(frozen=True)
class FinishList(QuestionButton, action=Action.LIST_DONE):
    """✅ Done under a list question: the lines collected so far are the answer."""


class ListChange(StrEnum):
    """What a `ListEdit` button does to the lines a list question collected."""

    UNDO = "undo"  # ↩️ Remove the last message: its lines leave the list
    RESTART = "restart"  # 🗑 Start over: every collected line goes
    SHOW = "show"  # 📄 Show all: every collected line (a file when long)


@dataclass(frozen=True)
class ListEdit(QuestionButton, action=Action.LIST_EDIT):
    """A button under a list question; `change` is a `ListChange` value (another one, from
    a forged or newer button, does nothing)."""

    change: str


@dataclass(frozen=True)
class ChooseValue(QuestionButton, action=Action.CHOOSE_VALUE):
    """One of a question's fixed values (a Subscriptions delay), as if it had been typed."""

    value: int


# catalog


@dataclass(frozen=True)
class CategoriesPage(CallbackData, action=Action.CATEGORIES):
    page: int


@dataclass(frozen=True)
class CategoryPage(CallbackData, action=Action.CATEGORY):
    """A page of one category; `version` is the catalog's, so a stale position is detected."""

    category: int
    page: int
    version: str


# A ServiceCard's `category` when the card was opened from the quick picks (★ favourites and
# 🕘 recent services at the top of the categories): its « Back leads to the categories.
FROM_QUICK_PICKS = -2


@dataclass(frozen=True)
class ServiceCard(CallbackData, action=Action.SERVICE):
    """A service card; `category` and `page` lead back (category -1: the search results, -2:
    the quick picks on the categories' page `page`)."""

    service_id: int
    category: int
    page: int


@dataclass(frozen=True)
class RefreshCatalog(CallbackData, action=Action.CATALOG_REFRESH):
    pass


@dataclass(frozen=True)
class SearchPage(CallbackData, action=Action.SEARCH_PAGE):
    page: int


@dataclass(frozen=True)
class OrderService(CallbackData, action=Action.ORDER_SERVICE):
    """🛒 Order on a service card."""

    service_id: int


@dataclass(frozen=True)
class ToggleFavourite(CallbackData, action=Action.FAVOURITE):
    """☆/★ on a service card: make it a favourite (`on`) or not; the rest is the card's
    `ServiceCard` data, to redraw it with the same « Back."""

    service_id: int
    category: int
    page: int
    on: bool


@dataclass(frozen=True)
class CatalogOption(CallbackData, action=Action.CATALOG_OPTION):
    """A sort or filter toggle above a service list (`option`: bot.services.catalog_view.Option)
    of category `category` in catalog `version`, or of the search results (category -1)."""

    option: str
    category: int
    version: str


@dataclass(frozen=True)
class ServiceMore(CallbackData, action=Action.SERVICE_MORE):
    """📖 More of a long service description: `part` 1 is the first after the card's cut.

    `category` and `page` are the card's own (`ServiceCard`), so its way back survives.
    """

    service_id: int
    part: int
    category: int
    page: int


# previews (batch: the draft's token)


@dataclass(frozen=True)
class OrderWithoutDripfeed(CallbackData, action=Action.NO_DRIPFEED):
    """A fresh preview of a refused drip-feed order (local order id), without drip-feed."""

    order_id: int


@dataclass(frozen=True)
class EditAnswer(CallbackData, action=Action.EDIT_ANSWER):
    """✏️ Edit of one answer (`field`) on a single-order preview: closes that preview."""

    batch: str
    field: str


@dataclass(frozen=True)
class ConfirmOrder(CallbackData, action=Action.CONFIRM):
    batch: str


@dataclass(frozen=True)
class DiscardOrder(CallbackData, action=Action.DISCARD):
    batch: str


@dataclass(frozen=True)
class ConfirmBulk(CallbackData, action=Action.BULK_CONFIRM):
    batch: str


@dataclass(frozen=True)
class DiscardBulk(CallbackData, action=Action.BULK_DISCARD):
    batch: str


@dataclass(frozen=True)
class ConfirmBulkFirst(CallbackData, action=Action.BULK_CONFIRM_FIRST):
    """Place only the `first` lines of a bulk preview (the ones the balance covers)."""

    batch: str
    first: int


@dataclass(frozen=True)
class OrderAnyway(CallbackData, action=Action.ORDER_ANYWAY):
    """⚠️ Order anyway: confirm a preview that warned of an open order on the same link."""

    batch: str


@dataclass(frozen=True)
class BulkAnyway(CallbackData, action=Action.BULK_ANYWAY):
    """⚠️ Order anyway under a bulk preview that warned; `first` lines only (0: all)."""

    batch: str
    first: int


@dataclass(frozen=True)
class BulkAgain(CallbackData, action=Action.BULK_AGAIN):
    """Check an expired or closed bulk list again."""

    batch: str


# orders (order_id: the local order id; panel ids only where said)


@dataclass(frozen=True)
class OrderCard(CallbackData, action=Action.ORDER_CARD):
    order_id: int


@dataclass(frozen=True)
class OrdersPage(CallbackData, action=Action.ORDERS_PAGE):
    filter: str
    page: int


@dataclass(frozen=True)
class RefreshOrder(CallbackData, action=Action.ORDER_REFRESH):
    order_id: int


@dataclass(frozen=True)
class RefillOrder(CallbackData, action=Action.ORDER_REFILL):
    order_id: int


@dataclass(frozen=True)
class CancelOrder(CallbackData, action=Action.ORDER_CANCEL):
    """🛑 Cancel order on a card: asks first."""

    order_id: int


@dataclass(frozen=True)
class CancelOrderYes(CallbackData, action=Action.ORDER_CANCEL_YES):
    order_id: int


@dataclass(frozen=True)
class Reorder(CallbackData, action=Action.REORDER):
    order_id: int


@dataclass(frozen=True)
class StatusOf(CallbackData, action=Action.STATUS_OF):
    """📊 Status under results sent before they carried the local order (`OpenCard`): the
    panel's id alone, so an id stored on several panels asks which one."""

    panel_order_id: int


@dataclass(frozen=True)
class WhichPanel(CallbackData, action=Action.WHICH_PANEL):
    """The panel picked for a typed id stored on several: `token` names the waiting command
    in user_data (bot/handlers/which_panel.py), `slot` the panel account."""

    token: str
    slot: int


@dataclass(frozen=True)
class CancelManyYes(CallbackData, action=Action.CANCEL_MANY):
    """/cancelorder's Yes; `token` names the ids kept in user_data."""

    token: str


@dataclass(frozen=True)
class CancelManyNo(CallbackData, action=Action.CANCEL_MANY_NO):
    token: str


# unknown outcomes: the user says what the panel shows (never a resend)


@dataclass(frozen=True)
class FoundOnPanel(CallbackData, action=Action.FOUND_ON_PANEL):
    """🔎 I found it on the panel: asks for the panel's id of unknown order `order_id`."""

    order_id: int


@dataclass(frozen=True)
class NotPlaced(CallbackData, action=Action.NOT_PLACED):
    """It was not placed: asks first."""

    order_id: int


@dataclass(frozen=True)
class NotPlacedYes(CallbackData, action=Action.NOT_PLACED_YES):
    order_id: int


# pushes, time zones, quiet hours


@dataclass(frozen=True)
class OpenCard(CallbackData, action=Action.OPEN_CARD):
    """📄 Open order under a push: the card as a NEW message, the push stays as it was."""

    order_id: int


@dataclass(frozen=True)
class MuteOrder(CallbackData, action=Action.MUTE_ORDER):
    """🔕 / 🔔 of one order; `card`: pressed on its card (shown again), else on a push."""

    order_id: int
    mute: bool
    card: bool


@dataclass(frozen=True)
class DigestOrders(CallbackData, action=Action.DIGEST_ORDERS):
    """📋 List them under a digest push: `item` is the digest's outbox item id."""

    item: int


@dataclass(frozen=True)
class ZoneMenu(CallbackData, action=Action.ZONE_MENU):
    pass


@dataclass(frozen=True)
class SetZone(CallbackData, action=Action.SET_ZONE):
    """A time zone button: an IANA name (they have no ':' and fit the 64 bytes)."""

    zone: str


@dataclass(frozen=True)
class TypeZone(CallbackData, action=Action.TYPE_ZONE):
    pass


@dataclass(frozen=True)
class QuietMenu(CallbackData, action=Action.QUIET_MENU):
    pass


@dataclass(frozen=True)
class SetQuiet(CallbackData, action=Action.SET_QUIET):
    """Quiet hours from `start` to `end`, minutes after midnight; start == end: off."""

    start: int
    end: int


@dataclass(frozen=True)
class TypeQuiet(CallbackData, action=Action.TYPE_QUIET):
    pass


# several panels


@dataclass(frozen=True)
class PanelsList(CallbackData, action=Action.PANELS):
    """/panels: the linked panels."""


@dataclass(frozen=True)
class PanelCardOf(CallbackData, action=Action.PANEL_CARD):
    """One linked panel (by its slot) with Make default, Rename and Remove."""

    slot: int


@dataclass(frozen=True)
class PanelAdd(CallbackData, action=Action.PANEL_ADD):
    """➕ Add a panel: the operator's panels to pick from (and "Other URL" when allowed)."""


@dataclass(frozen=True)
class PanelAddPreset(CallbackData, action=Action.PANEL_ADD_PRESET):
    """Link the operator's panel number `index` (PANELS order): asks for its key."""

    index: int


@dataclass(frozen=True)
class PanelAddUrl(CallbackData, action=Action.PANEL_ADD_URL):
    """Link a panel by its URL (ALLOW_CUSTOM_PANELS): asks for the URL, then the key."""


@dataclass(frozen=True)
class PanelKeepName(CallbackData, action=Action.PANEL_KEEP_NAME):
    """The suggested name (its host) kept for panel account `slot`, just added by URL."""

    slot: int


@dataclass(frozen=True)
class PanelMakeDefault(CallbackData, action=Action.PANEL_DEFAULT):
    slot: int


@dataclass(frozen=True)
class PanelRename(CallbackData, action=Action.PANEL_RENAME):
    slot: int


@dataclass(frozen=True)
class PanelRemove(CallbackData, action=Action.PANEL_REMOVE):
    """🗑 Remove: asks first."""

    slot: int


@dataclass(frozen=True)
class PanelRemoveYes(CallbackData, action=Action.PANEL_REMOVE_YES):
    slot: int


@dataclass(frozen=True)
class PanelOrderService(CallbackData, action=Action.PANEL_ORDER):
    """ "Order here": the order dialog for `service_id` on panel account `slot`."""

    slot: int
    service_id: int


@dataclass(frozen=True)
class PanelServiceCard(CallbackData, action=Action.PANEL_SERVICE):
    """A result of /services <words> over every panel: the card of `service_id` on panel
    account `slot` (issue 21 item 7), where the user reads it before ordering."""

    slot: int
    service_id: int


@dataclass(frozen=True)
class PanelBrowse(CallbackData, action=Action.PANEL_BROWSE):
    """🔁 on /services: look at (and order from) panel account `slot`; the ★ default stays."""

    slot: int


@dataclass(frozen=True)
class BrowseMakeDefault(CallbackData, action=Action.BROWSE_MAKE_DEFAULT):
    """★ Make default on /services while looking at panel account `slot` (issue 21 item 3)."""

    slot: int


@dataclass(frozen=True)
class PanelOrdersFilter(CallbackData, action=Action.PANEL_ORDERS):
    """/orders with several panels: only panel account `slot`'s orders (0: every panel)."""

    slot: int


@dataclass(frozen=True)
class PanelNewKey(CallbackData, action=Action.PANEL_NEW_KEY):
    """🔑 New key for panel account `slot`: asks for it."""

    slot: int


@dataclass(frozen=True)
class PanelAlert(CallbackData, action=Action.PANEL_ALERT):
    """🔔 Low-balance alert of panel account `slot`: asks for the threshold."""

    slot: int


@dataclass(frozen=True)
class PanelCompare(CallbackData, action=Action.PANEL_COMPARE):
    """⚖️ Compare on a service card: similar services of `service_id` (on panel account
    `slot`) on the user's other panels."""

    slot: int
    service_id: int


def _concrete(base: type[CallbackData]) -> Iterator[type[CallbackData]]:
    for sub in base.__subclasses__():
        if "action" in vars(sub):
            yield sub
        yield from _concrete(sub)


def _classes() -> Mapping[Action, type[CallbackData]]:
    found: dict[Action, type[CallbackData]] = {}
    for cls in _concrete(CallbackData):
        params = getattr(cls, "__dataclass_params__", None)
        if params is None or not params.frozen:
            raise TypeError(f"{cls.__name__} must be a frozen dataclass")
        if cls.action in found:
            raise TypeError(f"{cls.action!r} has two classes")
        found[cls.action] = cls
    missing = set(Action) - set(found)
    if missing:
        raise TypeError(f"actions without a class: {sorted(missing)}")
    return MappingProxyType(found)


CLASSES = _classes()
# Each class's field types, and what travels on the wire (bool as int).
_FIELD_TYPES: Mapping[Action, tuple[type, ...]] = MappingProxyType(
    {
        action: tuple(typing.get_type_hints(cls)[f.name] for f in fields(cls))
        for action, cls in CLASSES.items()
    }
)
SCHEMA: Mapping[Action, tuple[type, ...]] = MappingProxyType(
    {
        action: tuple(int if kind is bool else kind for kind in kinds)
        for action, kinds in _FIELD_TYPES.items()
    }
)

T = TypeVar("T", bound=CallbackData)


def parse(data: object) -> CallbackData | None:
    """Any button's data as its class; None for garbage, forged or outdated data."""
    decoded = decode(data)
    if decoded is None:
        return None
    kinds = _FIELD_TYPES[decoded.action]
    # A forged bool other than 1 reads as "no", never as "yes".
    values = [
        value == 1 if kind is bool else value
        for value, kind in zip(decoded.args, kinds, strict=True)
    ]
    factory: Callable[..., CallbackData] = CLASSES[decoded.action]
    return factory(*values)


@overload
def callback_of(update: Update) -> CallbackData | None: ...
@overload
def callback_of(update: Update, kind: type[T]) -> T | None: ...
def callback_of(update: Update, kind: type[CallbackData] = CallbackData) -> CallbackData | None:
    """The pressed button's data (of class `kind`), None for no button or data that does not fit."""
    query = update.callback_query
    found = parse(query.data if query is not None else None)
    return found if isinstance(found, kind) else None


# --- the wire codec underneath ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Callback:
    """Decoded data before it becomes its class: the action and its raw arguments."""

    action: Action
    args: tuple[int | str, ...]

    def num(self, i: int) -> int:
        value = self.args[i]
        if not isinstance(value, int):
            raise TypeError(f"argument {i} of {self.action.name} is not a number")
        return value

    def text(self, i: int) -> str:
        return str(self.args[i])


_BY_VALUE = {a.value: a for a in Action}


def encode(action: Action, *args: int | str) -> str:
    types = SCHEMA[action]
    if len(args) != len(types):
        raise ValueError(f"{action.name} takes {len(types)} arguments")
    parts = [action.value]
    for value, kind in zip(args, types, strict=True):
        text = str(value)
        if kind is str and (":" in text or not text):
            raise ValueError("string callback arguments must be non-empty and contain no ':'")
        if kind is int and not isinstance(value, int):
            raise ValueError("integer callback argument expected")
        parts.append(text)
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback data over 64 bytes")
    return data


def decode(data: object) -> Callback | None:
    if not isinstance(data, str):
        return None
    try:
        size = len(data.encode())
    except UnicodeEncodeError:  # lone surrogates: no real button carries them
        return None
    if size > MAX_BYTES:
        return None
    head, *raw = data.split(":")
    action = _BY_VALUE.get(head)
    if action is None:
        return None
    types = SCHEMA[action]
    if len(raw) != len(types):
        return None
    args: list[int | str] = []
    for text, kind in zip(raw, types, strict=True):
        if kind is int:
            if not _is_int(text):
                return None
            args.append(int(text))
        else:
            if not text:
                return None
            args.append(text)
    return Callback(action, tuple(args))


# SQLite integers are 64-bit: a forged number past them would fail in storage, not decode.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def _is_int(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    return (
        body.isascii() and body.isdigit() and len(body) <= 19 and _INT_MIN <= int(text) <= _INT_MAX
    )


def pattern(*actions: Action) -> Callable[[object], bool]:
    """A pattern accepting well-formed data of these actions (the classes' `pattern()` is usual)."""
    wanted = frozenset(actions)

    def check(data: object) -> bool:
        decoded = decode(data)
        return decoded is not None and decoded.action in wanted

    return check
