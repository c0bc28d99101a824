"""Every inline keyboard of the bot, built in one place from typed callback data."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    FROM_QUICK_PICKS,
    BulkAgain,
    BulkAnyway,
    CallbackData,
    CancelDialog,
    CancelManyNo,
    CancelManyYes,
    CancelOrder,
    CancelOrderYes,
    CategoriesPage,
    CategoryPage,
    ChooseValue,
    ConfirmBulk,
    ConfirmBulkFirst,
    ConfirmOrder,
    DecideAccess,
    DeleteKeyYes,
    DigestOrders,
    DiscardBulk,
    DiscardOrder,
    DripfeedChoice,
    EditAnswer,
    FinishList,
    FoundOnPanel,
    LastLink,
    ListChange,
    ListEdit,
    Menu,
    MuteOrder,
    NotPlaced,
    NotPlacedYes,
    OpenCard,
    OrderAnyway,
    OrderCard,
    OrderService,
    OrdersPage,
    OrderWithoutDripfeed,
    PanelOrderService,
    PanelsList,
    QuestionBack,
    QuickQuantity,
    QuietMenu,
    RefillOrder,
    RefreshCatalog,
    RefreshOrder,
    Reorder,
    RequestAccess,
    SearchPage,
    ServiceCard,
    ServiceMore,
    SetLanguage,
    SetQuiet,
    SetZone,
    SkipQuestion,
    ToggleNotifications,
    TypeQuiet,
    TypeZone,
    WhichPanel,
    ZoneMenu,
)
from bot.i18n import Translator

# Telegram allows 100 buttons; phones show about 8 rows comfortably.
PAGE_SIZE = 8
# Telegram allows 100 buttons under one message.
MAX_BUTTONS = 100

LANGUAGE_NAMES = {"en": "English", "tr": "Türkçe"}


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data.pack())


# Telegram's copy-text button copies at most this many characters.
COPY_TEXT_MAX = 256


def copy_button(text: str, value: str) -> InlineKeyboardButton | None:
    """A button that puts `value` on the user's clipboard; None when Telegram would refuse
    it (empty, or longer than it copies)."""
    if not 1 <= len(value) <= COPY_TEXT_MAX:
        return None
    return InlineKeyboardButton(text, copy_text=CopyTextButton(value))


def markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(fit_rows(rows))


# A phone shows about 32 characters across a row; the buttons of a row share that width.
ROW_MAX = 32


def label_width(label: str) -> int:
    """Characters as a phone draws them: an emoji or a wide character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)


def fit_rows(rows: Sequence[Sequence[InlineKeyboardButton]]) -> list[list[InlineKeyboardButton]]:
    """The rows, empty ones dropped, and a row too wide for a phone ("🔑 API anahtarını
    değiştir" beside "🗑 API anahtarını sil") split into one button a row, in every language."""
    fitted: list[list[InlineKeyboardButton]] = []
    for row in rows:
        if len(row) > 1 and sum(label_width(b.text) for b in row) > ROW_MAX:
            fitted += [[b] for b in row]
        elif row:
            fitted.append(list(row))
    return fitted


def main_menu(t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("🛍 Services"), Menu("services")),
                button(t._("➕ New order"), Menu("order")),
            ],
            [
                button(t._("📦 Bulk order"), Menu("bulk")),
                button(t._("📋 My orders"), Menu("orders")),
            ],
            [
                button(t._("💰 Balance"), Menu("balance")),
                button(t._("🔗 Panels"), Menu("panels")),
            ],
            [
                button(t._("📈 Stats"), Menu("stats")),
                button(t._("⚙️ Settings"), Menu("settings")),
            ],
        ]
    )


def back_to_menu(t: Translator) -> list[InlineKeyboardButton]:
    return [button(t._("« Menu"), Menu("home"))]


def settings_menu(
    t: Translator,
    *,
    has_key: bool,
    notifications: bool,
    zone: str = "UTC",
    quiet: str | None = None,
) -> InlineKeyboardMarkup:
    """`zone`: the user's time zone; `quiet`: their quiet hours ("23:00–08:00"), None: off."""
    key_row = (
        [
            button(t._("🔑 Change API key"), Menu("setkey")),
            button(t._("🗑 Delete API key"), Menu("deletekey")),
        ]
        if has_key
        else [button(t._("🔑 Add API key"), Menu("setkey"))]
    )
    notify = t._("🔔 Notifications: on") if notifications else t._("🔕 Notifications: off")
    return markup(
        [
            key_row,
            [button(t._("🔗 Panels"), PanelsList())],
            [button(t._("🌐 Language"), Menu("language"))],
            [button(notify, ToggleNotifications())],
            [button(t._("🕒 Time zone: {zone}", zone=zone), ZoneMenu())],
            [
                button(
                    t._("🌙 Quiet hours: {hours}", hours=quiet)
                    if quiet
                    else t._("🌙 Quiet hours: off"),
                    QuietMenu(),
                )
            ],
            back_to_menu(t),
        ]
    )


def zone_menu(t: Translator, zones: Sequence[str], current: str) -> InlineKeyboardMarkup:
    """Common zones (the user's language's first), two per row; type any other; back."""
    buttons = [button(("✅ " if z == current else "") + z, SetZone(z)) for z in zones]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button(t._("✏️ Type a time zone"), TypeZone())])
    rows.append([button(t._("« Back"), Menu("settings"))])
    return markup(rows)


def quiet_menu(
    t: Translator, presets: Sequence[tuple[int, int, str]], current: tuple[int, int] | None
) -> InlineKeyboardMarkup:
    """(from, to, label) presets, "type other hours", off, back."""
    rows = [
        [button(("✅ " if (a, b) == current else "") + label, SetQuiet(a, b))]
        for a, b, label in presets
    ]
    rows.append([button(t._("✏️ Type hours"), TypeQuiet())])
    if current is not None:
        rows.append([button(t._("🔔 No quiet hours"), SetQuiet(0, 0))])
    rows.append([button(t._("« Back"), Menu("settings"))])
    return markup(rows)


def confirm_delete_key(t: Translator) -> InlineKeyboardMarkup:
    """Asked before 🗑 Delete API key: it sits next to Change, and a slip must not cost the key."""
    return markup(
        [
            [
                button(t._("🗑 Yes, delete"), DeleteKeyYes()),
                button(t._("Keep it"), Menu("settings")),
            ]
        ]
    )


def languages(t: Translator, current: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(("✅ " if code == current else "") + name, SetLanguage(code))
                for code, name in LANGUAGE_NAMES.items()
            ],
            [button(t._("« Back"), Menu("settings"))],
        ]
    )


def access_request(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t._("🙋 Request access"), RequestAccess())]])


def start_button(t: Translator) -> InlineKeyboardMarkup:
    """Under "Good news: an admin gave you access": opens the main menu, like /start."""
    return markup([[button(t._("▶️ Start"), Menu("home"))]])


def access_decision(t: Translator, user_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Approve"), DecideAccess(user_id, approve=True)),
                button(t._("❌ Reject"), DecideAccess(user_id, approve=False)),
            ]
        ]
    )


def pager(
    t: Translator, page: int, pages: int, page_data: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    """Prev / "page x/y" / Next; the middle button is inert (it re-renders the same page).

    `page_data(n)` is the data of the button showing page n (`UsersPage`, or a lambda).
    """
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button(t._("‹ Prev"), page_data(page - 1)))
    row.append(button(f"{page + 1}/{pages}", page_data(page)))
    if page < pages - 1:
        row.append(button(t._("Next ›"), page_data(page + 1)))
    return row


def dialog_cancel_button(t: Translator, instance: str) -> InlineKeyboardButton:
    """✖️ Cancel of one dialog run (`instance`): it never cancels a later dialog."""
    return button(t._("✖️ Cancel"), CancelDialog(instance))


def cancel_dialog(t: Translator, instance: str) -> InlineKeyboardMarkup:
    return markup([[dialog_cancel_button(t, instance)]])


# --- catalog and single orders (bot/handlers/catalog.py, bot/handlers/new_order.py) ---------------


def catalog_categories(
    t: Translator,
    entries: Sequence[tuple[int, str]],
    page: int,
    pages: int,
    version: str,
) -> InlineKeyboardMarkup:
    """(category index, label) per button; the catalog version makes stale buttons detectable."""
    rows = [[button(label, CategoryPage(index, 0, version))] for index, label in entries]
    rows.append(pager(t, page, pages, CategoriesPage))
    rows.append([button(t._("🔄 Refresh"), RefreshCatalog()), *back_to_menu(t)])
    return markup(rows)


def catalog_services(
    t: Translator,
    entries: Sequence[tuple[int, str]],
    category_index: int,
    page: int,
    pages: int,
    version: str,
    *,
    per_page: int = PAGE_SIZE,
) -> InlineKeyboardMarkup:
    """(service id, label) per button, paged within one category."""
    rows = [[button(label, ServiceCard(sid, category_index, page))] for sid, label in entries]
    rows.append(pager(t, page, pages, lambda p: CategoryPage(category_index, p, version)))
    rows.append([button(t._("« Back"), CategoriesPage(category_index // per_page))])
    return markup(rows)


def catalog_search(
    t: Translator,
    entries: Sequence[tuple[int, str]],
    page: int,
    pages: int,
    back: CallbackData | None = None,
) -> InlineKeyboardMarkup:
    """Search results; `back` leads to where the search was typed (the order's service question)."""
    rows = [[button(label, ServiceCard(sid, -1, page))] for sid, label in entries]
    rows.append(pager(t, page, pages, SearchPage))
    rows.append([button(t._("« Back"), back if back is not None else CategoriesPage(0))])
    return markup(rows)


def service_card(
    t: Translator,
    service_id: int,
    back: InlineKeyboardButton,
    *,
    orderable: bool = True,
    more: ServiceMore | None = None,
) -> InlineKeyboardMarkup:
    """🛒 Order (only for a type the bot can order) and 📖 More (a longer description)."""
    order = [button(t._("🛒 Order"), OrderService(service_id))] if orderable else []
    more_button = [button(t._("📖 More"), more)] if more is not None else []
    return markup([[*order, *more_button], [back]])


def service_description(
    t: Translator,
    pressed: ServiceMore,
    parts: int,
    *,
    orderable: bool,
) -> InlineKeyboardMarkup:
    """Under part `pressed.part` of `parts` description parts after the card's: ‹ Prev, More ›,
    and back to the card (🛒 Order too, for one who has read enough)."""
    sid, category, page = pressed.service_id, pressed.category, pressed.page
    nav = []
    if pressed.part > 1:
        nav.append(button(t._("‹ Prev"), ServiceMore(sid, pressed.part - 1, category, page)))
    if pressed.part < parts:
        nav.append(button(t._("📖 More"), ServiceMore(sid, pressed.part + 1, category, page)))
    order = [button(t._("🛒 Order"), OrderService(sid))] if orderable else []
    return markup([nav, [*order, button(t._("« Back"), ServiceCard(sid, category, page))]])


def card_back(t: Translator, category_index: int, page: int, version: str) -> InlineKeyboardButton:
    """Back from a service card: to its category page, to the search results (index -1), or
    to the categories (the quick picks, FROM_QUICK_PICKS)."""
    if category_index == FROM_QUICK_PICKS:
        return button(t._("« Back"), CategoriesPage(page))
    if category_index < 0:
        return button(t._("« Back"), SearchPage(page))
    return button(t._("« Back"), CategoryPage(category_index, page, version))


def order_pick_service(t: Translator, instance: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [button(t._("🛍 Browse services"), CategoriesPage(0))],
            [dialog_cancel_button(t, instance)],
        ]
    )


def order_dripfeed(t: Translator, instance: str, question: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("Yes, drip-feed"), DripfeedChoice(instance, question, yes=True)),
                button(t._("No, all at once"), DripfeedChoice(instance, question, yes=False)),
            ],
            [question_back(t, instance, question), dialog_cancel_button(t, instance)],
        ]
    )


def question_back(t: Translator, instance: str, question: str) -> InlineKeyboardButton:
    """« Back at an order question (of run `instance`): to the previous one."""
    return button(t._("« Back"), QuestionBack(instance, question))


# A link button shows this many characters at most (phones show about 30).
LINK_LABEL_CHARS = 28


def link_label(link: str) -> str:
    """A used link as a short button label: no scheme, no "www.", cut with "…"."""
    short = link.split("://", 1)[-1].removeprefix("www.")
    if len(short) > LINK_LABEL_CHARS:
        short = short[: LINK_LABEL_CHARS - 1] + "…"
    return "🔗 " + short


def question_picks(
    t: Translator,
    instance: str,
    question: str,
    *,
    quantities: Sequence[int] = (),
    links: Sequence[tuple[int, str]] = (),
    minutes: bool = False,
) -> list[list[InlineKeyboardButton]]:
    """Quick answers: quantities (three a row, as the locale writes them; `minutes`: "30 min")
    or used links ((order id, link); the button carries the id only, the link may not fit in
    64 bytes)."""

    def label(q: int) -> str:
        return t._("{n} min", n=t.number(q)) if minutes else t.number(q)

    amounts = [button(label(q), QuickQuantity(instance, question, q)) for q in quantities]
    rows = [amounts[i : i + 3] for i in range(0, len(amounts), 3)]
    rows += [[button(link_label(link), LastLink(instance, question, oid))] for oid, link in links]
    return rows


def order_question(
    t: Translator,
    instance: str,
    question: str,
    *,
    optional: bool,
    dripfeed: bool | None = None,
    picks: Sequence[Sequence[InlineKeyboardButton]] = (),
) -> InlineKeyboardMarkup:
    """A question's buttons; `dripfeed` (not None) adds the drip-feed switch, ✅ when it is on.
    `picks`: rows of quick answers (`question_picks`) above them."""
    skip = [button(t._("Skip"), SkipQuestion(instance, question))] if optional else []
    switch = []
    if dripfeed is not None:
        label = t._("✅ ⏱ Drip-feed") if dripfeed else t._("⏱ Add drip-feed")
        switch = [button(label, DripfeedChoice(instance, question, yes=not dripfeed))]
    last = [question_back(t, instance, question), dialog_cancel_button(t, instance)]
    return markup([*picks, switch, skip, last])


# A compact grid of fixed values (22 delays: 6 rows), each label short enough for a phone.
CHOICES_PER_ROW = 4


def answer_rows(
    t: Translator,
    instance: str,
    question: str,
    *,
    collected: int = 0,
    choices: Sequence[int] = (),
    minutes: bool = False,
) -> list[list[InlineKeyboardButton]]:
    """Rows above a question's own buttons: ✅ Done (N) once a list has lines, fixed values.

    `minutes`: the values are minutes ("30 min").
    """
    rows: list[list[InlineKeyboardButton]] = []
    if collected:
        done = t._("✅ Done ({n})", n=t.number(collected))
        rows.append([button(done, FinishList(instance, question))])
        # One long button a row: they are long in Turkish.
        undo = ListEdit(instance, question, ListChange.UNDO)
        rows.append([button(t._("↩️ Remove the last message"), undo)])
        rows.append(
            [
                button(t._("🗑 Start over"), ListEdit(instance, question, ListChange.RESTART)),
                button(t._("📄 Show all"), ListEdit(instance, question, ListChange.SHOW)),
            ]
        )
    values = [
        button(
            t._("{n} min", n=t.number(v)) if minutes else t.number(v),
            ChooseValue(instance, question, v),
        )
        for v in choices
    ]
    rows += [values[i : i + CHOICES_PER_ROW] for i in range(0, len(values), CHOICES_PER_ROW)]
    return rows


def above(
    rows: Sequence[Sequence[InlineKeyboardButton]], base: InlineKeyboardMarkup
) -> InlineKeyboardMarkup:
    """`base` with `rows` put first."""
    return markup([*rows, *base.inline_keyboard])


def order_preview(
    t: Translator, batch: str, edits: Sequence[tuple[str, str]] = (), *, anyway: bool = False
) -> InlineKeyboardMarkup:
    """Confirm / Cancel, then one ✏️ button per answer: (field name, label), two a row.

    `anyway`: the preview warned of an open order on the same link; its Confirm places
    nothing, the ⚠️ Order anyway row under it does."""
    pens = [button(t._("✏️ {field}", field=label), EditAnswer(batch, name)) for name, label in edits]
    extra = [[button(t._("⚠️ Order anyway"), OrderAnyway(batch))]] if anyway else []
    return markup(
        [
            [
                button(t._("✅ Confirm"), ConfirmOrder(batch)),
                button(t._("✖️ Cancel"), DiscardOrder(batch)),
            ],
            *extra,
            *[pens[i : i + 2] for i in range(0, len(pens), 2)],
        ]
    )


def preview_again(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    """Under a preview that can no longer be confirmed: the same order, priced again."""
    return markup([[button(t._("🔄 Make a new preview"), Reorder(order_id))], back_to_menu(t)])


def bulk_again(t: Translator, batch: str) -> InlineKeyboardMarkup:
    """Under a bulk preview that can no longer be confirmed: the same list, checked again."""
    return markup([[button(t._("🔄 Make a new preview"), BulkAgain(batch))], back_to_menu(t)])


def order_result(
    t: Translator, order_id: int | None, unknown_order: int | None = None
) -> InlineKeyboardMarkup:
    """Under "✅ Order placed": 📊 Status opens the order's card (`order_id`: the local order,
    so the card is that panel's order even where another panel has the same id). Under an
    unknown outcome, `unknown_order` (local id): the buttons that say what the panel shows."""
    status = [button(t._("📊 Status"), OpenCard(order_id))] if order_id is not None else []
    settle = [] if unknown_order is None else settle_unknown_rows(t, unknown_order)
    return markup([*settle, [*status, button(t._("➕ New order"), Menu("order"))], back_to_menu(t)])


def settle_unknown_rows(t: Translator, order_id: int) -> list[list[InlineKeyboardButton]]:
    """An order whose outcome is unknown: the user says what the panel shows. One button a
    row: both are long in Turkish."""
    return [
        [button(t._("🔎 I found it on the panel"), FoundOnPanel(order_id))],
        [button(t._("✖️ It was not placed"), NotPlaced(order_id))],
    ]


def confirm_not_placed(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [button(t._("✅ Yes, it was not placed"), NotPlacedYes(order_id))],
            [button(t._("✖️ No"), OrderCard(order_id))],
        ]
    )


def order_refused_dripfeed(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    """Under a result whose drip-feed the panel refused: a new preview of it without drip-feed."""
    return markup(
        [
            [button(t._("🛒 Order without drip-feed"), OrderWithoutDripfeed(order_id))],
            [button(t._("➕ New order"), Menu("order"))],
            back_to_menu(t),
        ]
    )


# --- order tracking (orders list, order card, cancel confirmations) --------------------------

# Two rows of two: four filter names (with the ✅ of the current one) do not fit one phone row.
ORDER_FILTERS = (("open", "completed"), ("canceled", "all"))


def orders_list(
    t: Translator,
    entries: Sequence[tuple[str, int]],
    current_filter: str,
    page: int,
    pages: int,
) -> InlineKeyboardMarkup:
    """One button per order (label, local id), the filter rows, the pager."""
    names = {
        "open": t._("Open"),
        "completed": t._("Completed"),
        "canceled": t._("Canceled"),
        "all": t._("All"),
    }
    filters = [
        [
            button(("✅ " if code == current_filter else "") + names[code], OrdersPage(code, 0))
            for code in pair
        ]
        for pair in ORDER_FILTERS
    ]
    rows = [[button(label, OrderCard(local_id))] for label, local_id in entries]
    nav = pager(t, page, pages, lambda p: OrdersPage(current_filter, p))
    rows += [*filters, nav, back_to_menu(t)]
    return markup(rows)


def orders_found(t: Translator, entries: Sequence[tuple[str, int]]) -> InlineKeyboardMarkup:
    """/orders <query>: a card button per match (label, local id), then the whole list."""
    rows = [[button(label, OrderCard(local_id))] for label, local_id in entries]
    rows.append([button(t._("📋 All orders"), OrdersPage("all", 0))])
    return markup([*rows, back_to_menu(t)])


def order_card(
    t: Translator,
    order_id: int,
    *,
    refill: bool,
    cancel: bool,
    back: tuple[str, int] = ("all", 0),
    muted: bool | None = None,
    unknown: bool = False,
    link: str | None = None,
) -> InlineKeyboardMarkup:
    """`muted` (not None) adds 🔕 Mute / 🔔 Unmute of the order's pushes; `unknown` (its
    outcome is) the buttons that settle it; `link` (the order's) a 📋 Copy link button."""
    action_row = [button(t._("🔄 Refresh"), RefreshOrder(order_id))]
    if refill:
        action_row.append(button(t._("♻️ Refill"), RefillOrder(order_id)))
    if cancel:
        action_row.append(button(t._("🛑 Cancel order"), CancelOrder(order_id)))
    copy = copy_button(t._("📋 Copy link"), link) if link else None
    return markup(
        [
            *(settle_unknown_rows(t, order_id) if unknown else []),
            action_row,
            [copy] if copy is not None else [],
            [
                button(t._("🔁 Reorder"), Reorder(order_id)),
                *([] if muted is None else [mute_button(t, order_id, muted=muted, card=True)]),
            ],
            [button(t._("« Back"), OrdersPage(*back))],
        ]
    )


def confirm_cancel_order(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Yes, cancel it"), CancelOrderYes(order_id)),
                button(t._("✖️ No"), OrderCard(order_id)),
            ]
        ]
    )


def confirm_cancel_many(t: Translator, token: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Yes, cancel them"), CancelManyYes(token)),
                button(t._("✖️ No"), CancelManyNo(token)),
            ]
        ]
    )


def order_links(t: Translator, entries: Sequence[tuple[str, int]]) -> InlineKeyboardMarkup | None:
    """Buttons opening order cards: (reference, local id) pairs, at most one page; the
    reference is the panel's id, with its panel's name when the user has several."""
    if not entries:
        return None
    buttons = [
        button(t._("📦 #{id}", id=ref), OrderCard(local_id))
        for ref, local_id in entries[:PAGE_SIZE]
    ]
    # Named references are longer: two a row then, so a phone shows them whole.
    per_row = 2 if any(" · " in ref for ref, _ in entries) else 4
    return markup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def which_panel(
    t: Translator, token: str, panels: Sequence[tuple[int, str]]
) -> InlineKeyboardMarkup:
    """One button per panel (slot, name) that holds a typed id, one a row: names are long."""
    return markup([[button(name, WhichPanel(token, slot))] for slot, name in panels])


def bulk_preview(
    t: Translator,
    batch: str,
    count: int,
    *,
    affordable: int | None = None,
    anyway: bool = False,
) -> InlineKeyboardMarkup:
    """Confirm all valid lines; when the balance covers only the first `affordable` of them,
    confirm just those (none: only Cancel) — the panel would refuse a whole chunk of 100.
    `anyway`: the preview warned of links with open orders (or twice in the list); its
    Confirm places nothing, the ⚠️ Order anyway row under it does."""
    cancel = [button(t._("✖️ Cancel"), DiscardBulk(batch))]
    first = 0
    if affordable is not None and affordable < count:
        if affordable < 1:
            return markup([cancel])
        label = t.ngettext(
            # ≤ 32 characters on a phone: the preview's text says why only these.
            "✅ Confirm the first {n} order",
            "✅ Confirm the first {n} orders",
            affordable,
        )
        confirm = button(label, ConfirmBulkFirst(batch, affordable))
        first = affordable
    else:
        label = t.ngettext("✅ Confirm {n} valid order", "✅ Confirm {n} valid orders", count)
        confirm = button(label, ConfirmBulk(batch))
    extra = [[button(t._("⚠️ Order anyway"), BulkAnyway(batch, first))]] if anyway else []
    return markup([[confirm], *extra, cancel])


def bulk_done(t: Translator, unknown: Sequence[tuple[int, int]] = ()) -> InlineKeyboardMarkup:
    """Under a bulk result; `unknown` (line number, local order id) of the lines whose outcome
    is unknown: a button to each one's card, where the user settles it (the first 12)."""
    cards = [
        button(t._("❔ Line {n}", n=line), OpenCard(order_id)) for line, order_id in unknown[:12]
    ]
    card_rows = [cards[i : i + 4] for i in range(0, len(cards), 4)]
    return markup([*card_rows, [button(t._("📋 My orders"), Menu("orders"))], back_to_menu(t)])


# --- notifications (bot/jobs.py) -------------------------------------------------------------


def mute_button(t: Translator, order_id: int, *, muted: bool, card: bool) -> InlineKeyboardButton:
    """🔕 Mute (no more pushes about the order) or, once muted, 🔔 Unmute."""
    if muted:
        return button(t._("🔔 Unmute"), MuteOrder(order_id, mute=False, card=card))
    return button(t._("🔕 Mute"), MuteOrder(order_id, mute=True, card=card))


def notification(
    t: Translator,
    *,
    order_id: int | None = None,
    digest_id: int | None = None,
    muted: bool = False,
    mute: bool = True,
    settle: bool = False,
    reorder: bool = False,
    refill: bool = False,
) -> InlineKeyboardMarkup | None:
    """Under a push: the order's card (opened as a new message) and, with `mute`, 🔕 (🔔 when
    `muted`); or a digest's list. `settle`: the order's outcome is unknown (its buttons);
    `reorder`/`refill`: the card's 🔁 Reorder and ♻️ Refill (a finished order)."""
    if digest_id is not None:
        return markup([[button(t._("📋 List them"), DigestOrders(digest_id))]])
    if order_id is None:
        return None
    row = [button(t._("📄 Open order"), OpenCard(order_id))]
    if mute:
        row.append(mute_button(t, order_id, muted=muted, card=False))
    again = [button(t._("🔁 Reorder"), Reorder(order_id))] if reorder else []
    if refill:
        again.append(button(t._("♻️ Refill"), RefillOrder(order_id)))
    return markup([*(settle_unknown_rows(t, order_id) if settle else []), row, again])


def digest_orders(t: Translator, entries: Sequence[tuple[str, int]]) -> InlineKeyboardMarkup | None:
    """Under "📋 List them": a card button per order (label, local id), four per row."""
    buttons = [button(label, OpenCard(local_id)) for label, local_id in entries[:MAX_BUTTONS]]
    return markup([buttons[i : i + 4] for i in range(0, len(buttons), 4)]) if buttons else None


def order_on_panel(keyboard: InlineKeyboardMarkup, slot: int) -> InlineKeyboardMarkup:
    """`keyboard` with each 🛒 Order (and quick pick) bound to panel account `slot`: a catalog
    shown from another panel than the default must order there, never on the default."""
    rows = []
    for row in keyboard.inline_keyboard:
        new_row = []
        for old in row:
            order = OrderService.unpack(old.callback_data)
            new_row.append(
                old
                if order is None
                else button(old.text, PanelOrderService(slot, order.service_id))
            )
        rows.append(new_row)
    return markup(rows)
