"""Typed callback data (bot/callbacks/): one class per action over the 64-byte codec.

Buttons already sent stay in chats for ever, so the wire format is pinned here byte for byte.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.callbacks.admin import DecideAccess, UsersPage
from bot.callbacks.base import (
    CLASSES,
    MAX_BYTES,
    SCHEMA,
    CallbackData,
    callback_of,
    decode,
    encode,
    every_action,
    parse,
)
from bot.callbacks.bulk import BulkAgain, BulkAnyway, ConfirmBulk, ConfirmBulkFirst, DiscardBulk
from bot.callbacks.catalog import (
    CategoriesPage,
    CategoryPage,
    RefreshCatalog,
    SearchPage,
    ServiceCard,
    ServiceMore,
)
from bot.callbacks.dialog import CancelDialog, DialogButton, QuestionButton
from bot.callbacks.favourites import CatalogOption, ToggleFavourite
from bot.callbacks.gate import RequestAccess
from bot.callbacks.keys import DeleteKeyYes
from bot.callbacks.menu import Menu
from bot.callbacks.new_order import (
    ChooseValue,
    ConfirmOrder,
    DiscardOrder,
    DripfeedChoice,
    FinishList,
    ListChange,
    ListEdit,
    OrderAnyway,
    OrderService,
    OrderWithoutDripfeed,
    Reorder,
    SkipQuestion,
)
from bot.callbacks.notifications import DigestOrders, MuteOrder, OpenCard
from bot.callbacks.order_edit import EditAnswer, LastLink, QuestionBack, QuickQuantity
from bot.callbacks.order_history import (
    CancelOrder,
    CancelOrderYes,
    OrderCard,
    OrdersPage,
    PanelOrdersFilter,
    RefillOrder,
    RefreshOrder,
    StatusOf,
)
from bot.callbacks.panels import (
    BrowseMakeDefault,
    PanelAdd,
    PanelAddPreset,
    PanelAddUrl,
    PanelAlert,
    PanelBrowse,
    PanelCardOf,
    PanelCompare,
    PanelKeepName,
    PanelMakeDefault,
    PanelNewKey,
    PanelOrderService,
    PanelRemove,
    PanelRemoveYes,
    PanelRename,
    PanelServiceCard,
    PanelsList,
)
from bot.callbacks.prices import MutePrices, PriceAlertsMenu, PriceCard, SetPriceThreshold
from bot.callbacks.resolutions import FoundOnPanel, NotPlaced, NotPlacedYes
from bot.callbacks.schedules import (
    ScheduleAnswer,
    ScheduleCancel,
    ScheduleLater,
    ScheduleQuick,
    ScheduleRepeat,
)
from bot.callbacks.start import SetLanguage, ToggleNotifications
from bot.callbacks.status import CancelManyNo, CancelManyYes, WhichPanel
from bot.callbacks.zones import QuietMenu, SetQuiet, SetZone, TypeQuiet, TypeZone, ZoneMenu

# One example per action and the exact data the bot sent for it before the typed classes.
WIRE: list[tuple[CallbackData, str]] = [
    (Menu("services"), "m:services"),
    (PanelsList(), "pl"),
    (PanelCardOf(2), "pc:2"),
    (PanelAdd(), "pa"),
    (PanelAddPreset(1), "pp:1"),
    (PanelAddUrl(), "pu"),
    (PanelMakeDefault(3), "pd:3"),
    (PanelRename(3), "pn:3"),
    (PanelRemove(3), "pr:3"),
    (PanelRemoveYes(3), "py:3"),
    (PanelOrderService(2, 501), "po:2:501"),
    (PanelCompare(1, 7), "pv:1:7"),
    (PanelAlert(2), "pb:2"),
    (PanelBrowse(2), "ps:2"),
    (PanelOrdersFilter(0), "pf:0"),
    (PanelNewKey(2), "pk:2"),
    (PriceAlertsMenu(), "wa"),
    (SetPriceThreshold(5), "wt:5"),
    (MutePrices(2, 101, -1, 0, mute=True), "wm:2:101:-1:0:1"),
    (PriceCard(2, 101), "wc:2:101"),
    (SetLanguage("tr"), "lg:tr"),
    (RequestAccess(), "ar"),
    (DecideAccess(4242, approve=True), "ad:4242:1"),
    (DecideAccess(4242, approve=False), "ad:4242:0"),
    (UsersPage(3), "up:3"),
    (CancelDialog("Ab-_9xYz"), "dc:Ab-_9xYz"),
    (ToggleNotifications(), "nt"),
    (DeleteKeyYes(), "dk"),
    (CategoriesPage(2), "cc:2"),
    (CategoryPage(5, 1, "v1a2b3"), "cs:5:1:v1a2b3"),
    (ServiceCard(1234, -1, 0), "sv:1234:-1:0"),
    (RefreshCatalog(), "cr"),
    (SearchPage(4), "sp:4"),
    (OrderService(77), "os:77"),
    (ServiceMore(1234, 2, -1, 0), "km:1234:2:-1:0"),
    (DripfeedChoice("Ab-_9xYz", "dripfeed?", yes=True), "df:Ab-_9xYz:dripfeed?:1"),
    (DripfeedChoice("Ab-_9xYz", "quantity", yes=False), "df:Ab-_9xYz:quantity:0"),
    (SkipQuestion("Ab-_9xYz", "posts"), "sk:Ab-_9xYz:posts"),
    (FinishList("Ab-_9xYz", "comments"), "id:Ab-_9xYz:comments"),
    (ListEdit("Ab-_9xYz", "comments", ListChange.UNDO), "ie:Ab-_9xYz:comments:undo"),
    (ChooseValue("Ab-_9xYz", "delay", 600), "iv:Ab-_9xYz:delay:600"),
    (OrderWithoutDripfeed(9), "nd:9"),
    (EditAnswer("tok-EN_123", "quantity"), "e:tok-EN_123:quantity"),
    (QuestionBack("Ab-_9xYz", "link"), "eb:Ab-_9xYz:link"),
    (QuickQuantity("Ab-_9xYz", "quantity", 5000), "q:Ab-_9xYz:quantity:5000"),
    (LastLink("Ab-_9xYz", "link", 42), "ql:Ab-_9xYz:link:42"),
    (ConfirmOrder("tok-EN_123"), "ok:tok-EN_123"),
    (DiscardOrder("tok-EN_123"), "no:tok-EN_123"),
    (ConfirmBulk("tok-EN_123"), "bk:tok-EN_123"),
    (DiscardBulk("tok-EN_123"), "bd:tok-EN_123"),
    (ConfirmBulkFirst("tok-EN_123", 4), "bf:tok-EN_123:4"),
    (BulkAgain("tok-EN_123"), "ba:tok-EN_123"),
    (OrderAnyway("tok-EN_123"), "oa:tok-EN_123"),
    (BulkAnyway("tok-EN_123", 0), "ka:tok-EN_123:0"),
    (OrderCard(11), "oc:11"),
    (OrdersPage("open", 2), "op:open:2"),
    (RefreshOrder(11), "or:11"),
    (RefillOrder(11), "rf:11"),
    (CancelOrder(11), "ca:11"),
    (CancelOrderYes(11), "cy:11"),
    (Reorder(11), "ro:11"),
    (StatusOf(23501), "st:23501"),
    (CancelManyYes("c0nf"), "cm:c0nf"),
    (CancelManyNo("c0nf"), "cn:c0nf"),
    (FoundOnPanel(7), "uf:7"),
    (NotPlaced(7), "un:7"),
    (NotPlacedYes(7), "uy:7"),
    (BrowseMakeDefault(2), "bm:2"),
    (WhichPanel("c0nf", 2), "wp:c0nf:2"),
    (PanelKeepName(3), "pq:3"),
    (PanelServiceCard(2, 501), "pw:2:501"),
    (ToggleFavourite(1234, -2, 0, on=True), "fv:1234:-2:0:1"),
    (ToggleFavourite(1234, 3, 1, on=False), "fv:1234:3:1:0"),
    (CatalogOption("s", 3, "v1a2b3"), "fo:s:3:v1a2b3"),
    (OpenCard(11), "zo:11"),
    (MuteOrder(11, mute=True, card=False), "zu:11:1:0"),
    (DigestOrders(77), "zl:77"),
    (ZoneMenu(), "zm"),
    (SetZone("America/Argentina/Buenos_Aires"), "zs:America/Argentina/Buenos_Aires"),
    (TypeZone(), "zt"),
    (QuietMenu(), "hm"),
    (SetQuiet(1380, 480), "hs:1380:480"),
    (TypeQuiet(), "ht"),
    (ScheduleLater("ubGihVi5nCeBy_Yc"), "tl:ubGihVi5nCeBy_Yc"),
    (ScheduleQuick("ubGihVi5nCeBy_Yc", "t"), "tq:ubGihVi5nCeBy_Yc:t"),
    (
        ScheduleRepeat("ubGihVi5nCeBy_Yc", 1796720400, "weekly", 30),
        "tr:ubGihVi5nCeBy_Yc:1796720400:weekly:30",
    ),
    (ScheduleCancel(12), "tx:12"),
    (ScheduleAnswer(12, 3, place=True), "ta:12:3:1"),
]

# The argument types of every action as they were declared before the typed classes.
OLD_SCHEMA: dict[str, tuple[type, ...]] = {
    Menu.action: (str,),
    SetLanguage.action: (str,),
    RequestAccess.action: (),
    DecideAccess.action: (int, int),
    UsersPage.action: (int,),
    CancelDialog.action: (str,),
    ToggleNotifications.action: (),
    DeleteKeyYes.action: (),
    CategoriesPage.action: (int,),
    CategoryPage.action: (int, int, str),
    ServiceCard.action: (int, int, int),
    RefreshCatalog.action: (),
    SearchPage.action: (int,),
    OrderService.action: (int,),
    ServiceMore.action: (int, int, int, int),
    DripfeedChoice.action: (str, str, int),
    SkipQuestion.action: (str, str),
    OrderWithoutDripfeed.action: (int,),
    EditAnswer.action: (str, str),
    QuestionBack.action: (str, str),
    QuickQuantity.action: (str, str, int),
    LastLink.action: (str, str, int),
    FinishList.action: (str, str),
    ListEdit.action: (str, str, str),
    ChooseValue.action: (str, str, int),
    ConfirmOrder.action: (str,),
    DiscardOrder.action: (str,),
    ConfirmBulk.action: (str,),
    DiscardBulk.action: (str,),
    ConfirmBulkFirst.action: (str, int),
    BulkAgain.action: (str,),
    OrderAnyway.action: (str,),
    BulkAnyway.action: (str, int),
    OrderCard.action: (int,),
    OrdersPage.action: (str, int),
    RefreshOrder.action: (int,),
    RefillOrder.action: (int,),
    CancelOrder.action: (int,),
    CancelOrderYes.action: (int,),
    Reorder.action: (int,),
    StatusOf.action: (int,),
    CancelManyYes.action: (str,),
    CancelManyNo.action: (str,),
    FoundOnPanel.action: (int,),
    NotPlaced.action: (int,),
    NotPlacedYes.action: (int,),
    BrowseMakeDefault.action: (int,),
    WhichPanel.action: (str, int),
    PanelKeepName.action: (int,),
    PanelServiceCard.action: (int, int),
    ToggleFavourite.action: (int, int, int, int),
    CatalogOption.action: (str, int, str),
    OpenCard.action: (int,),
    MuteOrder.action: (int, int, int),
    DigestOrders.action: (int,),
    ZoneMenu.action: (),
    SetZone.action: (str,),
    TypeZone.action: (),
    QuietMenu.action: (),
    SetQuiet.action: (int, int),
    TypeQuiet.action: (),
    PanelsList.action: (),
    PanelCardOf.action: (int,),
    PanelAdd.action: (),
    PanelAddPreset.action: (int,),
    PanelAddUrl.action: (),
    PanelMakeDefault.action: (int,),
    PanelRename.action: (int,),
    PanelRemove.action: (int,),
    PanelRemoveYes.action: (int,),
    PanelOrderService.action: (int, int),
    PanelCompare.action: (int, int),
    PanelAlert.action: (int,),
    PanelBrowse.action: (int,),
    PanelOrdersFilter.action: (int,),
    PanelNewKey.action: (int,),
    PriceAlertsMenu.action: (),
    SetPriceThreshold.action: (int,),
    MutePrices.action: (int, int, int, int, int),
    PriceCard.action: (int, int),
    ScheduleLater.action: (str,),
    ScheduleQuick.action: (str, str),
    ScheduleRepeat.action: (str, int, str, int),
    ScheduleCancel.action: (int,),
    ScheduleAnswer.action: (int, int, int),
}

ALL_CLASSES = sorted(set(CLASSES.values()), key=lambda cls: cls.__name__)


def update_with(data: object) -> Update:
    """A callback query update as Telegram would deliver it (no network involved)."""
    user = User(7, "Ada", is_bot=False)
    message = Message(1, date=datetime.now(UTC), chat=Chat(7, "private"))
    query = CallbackQuery("q1", user, "inst", message=message, data=data)  # type: ignore[arg-type]
    return Update(1, callback_query=query)


# --- the wire format ---------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "wire"), WIRE, ids=[w for _, w in WIRE])
def test_pack_is_byte_identical_to_the_old_encoding(data: CallbackData, wire: str) -> None:
    assert data.pack() == wire
    raw = decode(wire)
    assert raw is not None
    assert encode(raw.action, *raw.args) == wire  # the codec underneath, unchanged


def test_every_action_has_exactly_one_class_and_an_example() -> None:
    assert set(CLASSES) == set(every_action())
    assert {type(data) for data, _ in WIRE} == set(CLASSES.values())


def test_no_two_features_claim_the_same_action_code() -> None:
    # Each feature module of bot/callbacks names its own codes: none may take another's.
    codes = every_action()
    assert len(codes) == len(set(codes))
    modules = {cls.__module__ for cls in CLASSES.values()}
    assert len(modules) > 1


def test_every_example_fits_64_bytes() -> None:
    assert all(len(data.pack().encode()) <= MAX_BYTES for data, _ in WIRE)


def test_schema_is_unchanged() -> None:
    assert dict(SCHEMA) == OLD_SCHEMA


# --- round trip ----------------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_characters=":"), min_size=1, max_size=20)
_INTS = st.integers(-(10**15), 10**15)


def _values_for(cls: type[CallbackData]) -> st.SearchStrategy[CallbackData]:
    kinds = {"str": _TEXT, "int": _INTS, "bool": st.booleans()}
    args = [kinds[str(f.type)] for f in fields(cls)]
    return st.tuples(*args).map(lambda values: cls(*values))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL_CLASSES).flatmap(_values_for))
def test_round_trip_or_refused_over_64_bytes(data: CallbackData) -> None:
    try:
        packed = data.pack()
    except ValueError:
        # The only refusal: Telegram would not take it.
        values = [str(int(v)) if isinstance(v, bool) else str(v) for v in vars(data).values()]
        assert len(":".join([data.action, *values]).encode()) > MAX_BYTES
        return
    assert len(packed.encode()) <= MAX_BYTES
    assert parse(packed) == data
    assert type(data).unpack(packed) == data
    assert callback_of(update_with(packed)) == data
    assert callback_of(update_with(packed), type(data)) == data


def test_64_byte_limit() -> None:
    fits = ConfirmOrder("x" * (MAX_BYTES - len("ok:")))
    assert len(fits.pack()) == MAX_BYTES
    with pytest.raises(ValueError, match="64 bytes"):
        ConfirmOrder("x" * (MAX_BYTES - len("ok:") + 1)).pack()
    with pytest.raises(ValueError, match="64 bytes"):
        ConfirmOrder("ş" * 31).pack()  # 62 bytes of text: it is bytes that count, not letters
    assert parse("ok:" + "x" * (MAX_BYTES - 2)) is None


def test_text_fields_refuse_separators_and_empty_values() -> None:
    with pytest.raises(ValueError):
        Menu("a:b").pack()
    with pytest.raises(ValueError):
        ConfirmOrder("").pack()


def test_classes_are_frozen() -> None:
    data = ConfirmOrder("abc")
    with pytest.raises(FrozenInstanceError):
        data.batch = "other"  # type: ignore[misc]


# --- forged and outdated data ------------------------------------------------------------------

FORGED: list[Any] = [
    None,
    b"ok:abc",
    42,
    "",
    "ok",
    "ok:",
    "ok:a:b",
    "zz:abc",
    "OK:abc",
    "oc:abc",
    "oc:1.5",
    "oc:+1",
    "oc: 1",
    "oc:١",
    "oc:99999999999999999999",
    "ad:5",
    "ad:5:1:1",
    "ad:x:1",
    "df:inst:quantity",
    "sv:1:2",
    "ar:extra",
    "ok:\ud800",
    "m:" + "x" * 70,
]


@pytest.mark.parametrize("data", FORGED, ids=repr)
def test_forged_data_is_none(data: Any) -> None:
    assert parse(data) is None
    assert callback_of(update_with(data)) is None
    assert all(cls.unpack(data) is None for cls in ALL_CLASSES)
    assert not any(cls.pattern()(data) for cls in ALL_CLASSES)


def test_no_button_is_none() -> None:
    assert callback_of(Update(1)) is None
    assert callback_of(Update(1), ConfirmOrder) is None


def test_a_forged_flag_other_than_one_is_no() -> None:
    # As before the typed classes: only "1" approves or says yes.
    assert parse("ad:5:7") == DecideAccess(5, approve=False)
    assert parse("df:i:q:-1") == DripfeedChoice("i", "q", yes=False)


def test_data_of_another_class_is_none_for_this_one() -> None:
    assert callback_of(update_with("ok:abc"), DiscardOrder) is None
    assert DiscardOrder.unpack("ok:abc") is None
    assert callback_of(update_with("ok:abc"), ConfirmOrder) == ConfirmOrder("abc")


# --- patterns ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda cls: cls.__name__)
def test_pattern_matches_only_its_action(cls: type[CallbackData]) -> None:
    check = cls.pattern()
    for data, wire in WIRE:
        assert check(wire) is isinstance(data, cls), (cls.__name__, wire)


def test_dialog_button_patterns_match_every_button_of_a_dialog_run() -> None:
    question_kinds = (
        DripfeedChoice
        | SkipQuestion
        | QuestionBack
        | QuickQuantity
        | LastLink
        | FinishList
        | ListEdit
        | ChooseValue
    )
    dialog_wires = {w for d, w in WIRE if isinstance(d, CancelDialog | question_kinds)}
    assert {w for _, w in WIRE if DialogButton.pattern()(w)} == dialog_wires
    assert {w for _, w in WIRE if QuestionButton.pattern()(w)} == {
        w for d, w in WIRE if isinstance(d, question_kinds)
    }
    pressed = DialogButton.unpack("sk:run1:posts")
    assert pressed is not None and pressed.dialog == "run1"
