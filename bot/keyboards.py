"""Every inline keyboard of the bot, built in one place from typed callback data."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    BulkAgain,
    CallbackData,
    CancelDialog,
    CancelManyNo,
    CancelManyYes,
    CancelOrder,
    CancelOrderYes,
    CategoriesPage,
    CategoryPage,
    ConfirmBulk,
    ConfirmBulkFirst,
    ConfirmOrder,
    DecideAccess,
    DeleteKeyYes,
    DiscardBulk,
    DiscardOrder,
    DripfeedChoice,
    Menu,
    OrderCard,
    OrderService,
    OrdersPage,
    OrderWithoutDripfeed,
    PanelsList,
    RefillOrder,
    RefreshCatalog,
    RefreshOrder,
    Reorder,
    RequestAccess,
    SearchPage,
    ServiceCard,
    SetLanguage,
    SkipQuestion,
    StatusOf,
    ToggleNotifications,
)
from bot.i18n import Translator

# Telegram allows 100 buttons; phones show about 8 rows comfortably.
PAGE_SIZE = 8

LANGUAGE_NAMES = {"en": "English", "tr": "Türkçe"}


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data.pack())


def markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(r) for r in rows if r])


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
                button(t._("⚙️ Settings"), Menu("settings")),
            ],
        ]
    )


def back_to_menu(t: Translator) -> list[InlineKeyboardButton]:
    return [button(t._("« Menu"), Menu("home"))]


def settings_menu(t: Translator, *, has_key: bool, notifications: bool) -> InlineKeyboardMarkup:
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
            back_to_menu(t),
        ]
    )


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
    t: Translator, service_id: int, back: InlineKeyboardButton
) -> InlineKeyboardMarkup:
    return markup([[button(t._("🛒 Order"), OrderService(service_id))], [back]])


def card_back(t: Translator, category_index: int, page: int, version: str) -> InlineKeyboardButton:
    """Back from a service card: to its category page, or to the search results (index -1)."""
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
            [dialog_cancel_button(t, instance)],
        ]
    )


def order_question(
    t: Translator,
    instance: str,
    question: str,
    *,
    optional: bool,
    dripfeed: bool | None = None,
) -> InlineKeyboardMarkup:
    """A question's buttons; `dripfeed` (not None) adds the drip-feed switch, ✅ when it is on."""
    skip = [button(t._("Skip"), SkipQuestion(instance, question))] if optional else []
    switch = []
    if dripfeed is not None:
        label = t._("✅ ⏱ Drip-feed") if dripfeed else t._("⏱ Drip-feed")
        switch = [button(label, DripfeedChoice(instance, question, yes=not dripfeed))]
    return markup([switch, skip, [dialog_cancel_button(t, instance)]])


def order_preview(t: Translator, batch: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Confirm"), ConfirmOrder(batch)),
                button(t._("✖️ Cancel"), DiscardOrder(batch)),
            ]
        ]
    )


def preview_again(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    """Under a preview that can no longer be confirmed: the same order, priced again."""
    return markup([[button(t._("🔄 Make a new preview"), Reorder(order_id))], back_to_menu(t)])


def bulk_again(t: Translator, batch: str) -> InlineKeyboardMarkup:
    """Under a bulk preview that can no longer be confirmed: the same list, checked again."""
    return markup([[button(t._("🔄 Make a new preview"), BulkAgain(batch))], back_to_menu(t)])


def order_result(t: Translator, panel_order_id: int | None) -> InlineKeyboardMarkup:
    status = (
        [button(t._("📊 Status"), StatusOf(panel_order_id))] if panel_order_id is not None else []
    )
    return markup([[*status, button(t._("➕ New order"), Menu("order"))], back_to_menu(t)])


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

ORDER_FILTERS = ("open", "completed", "all")


def orders_list(
    t: Translator,
    entries: Sequence[tuple[str, int]],
    current_filter: str,
    page: int,
    pages: int,
) -> InlineKeyboardMarkup:
    """One button per order (label, local id), the filter row, the pager."""
    names = {"open": t._("Open"), "completed": t._("Completed"), "all": t._("All")}
    filters = [
        button(("✅ " if code == current_filter else "") + names[code], OrdersPage(code, 0))
        for code in ORDER_FILTERS
    ]
    rows = [[button(label, OrderCard(local_id))] for label, local_id in entries]
    nav = pager(t, page, pages, lambda p: OrdersPage(current_filter, p))
    rows += [filters, nav, back_to_menu(t)]
    return markup(rows)


def order_card(
    t: Translator,
    order_id: int,
    *,
    refill: bool,
    cancel: bool,
    back: tuple[str, int] = ("all", 0),
) -> InlineKeyboardMarkup:
    action_row = [button(t._("🔄 Refresh"), RefreshOrder(order_id))]
    if refill:
        action_row.append(button(t._("♻️ Refill"), RefillOrder(order_id)))
    if cancel:
        action_row.append(button(t._("🛑 Cancel order"), CancelOrder(order_id)))
    return markup(
        [
            action_row,
            [button(t._("🔁 Reorder"), Reorder(order_id))],
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


def order_links(t: Translator, entries: Sequence[tuple[int, int]]) -> InlineKeyboardMarkup | None:
    """Buttons opening order cards: (panel order id, local id) pairs, at most one page."""
    if not entries:
        return None
    buttons = [
        button(t._("📦 #{id}", id=pid), OrderCard(local_id))
        for pid, local_id in entries[:PAGE_SIZE]
    ]
    return markup([buttons[i : i + 4] for i in range(0, len(buttons), 4)])


def bulk_preview(
    t: Translator, batch: str, count: int, *, affordable: int | None = None
) -> InlineKeyboardMarkup:
    """Confirm all valid lines; when the balance covers only the first `affordable` of them,
    confirm just those (none: only Cancel) — the panel would refuse a whole chunk of 100."""
    cancel = [button(t._("✖️ Cancel"), DiscardBulk(batch))]
    if affordable is not None and affordable < count:
        if affordable < 1:
            return markup([cancel])
        label = t.ngettext(
            "✅ Confirm only the first {n} order",
            "✅ Confirm only the first {n} orders",
            affordable,
        )
        return markup([[button(label, ConfirmBulkFirst(batch, affordable))], cancel])
    return markup(
        [
            [
                button(
                    t.ngettext("✅ Confirm {n} valid order", "✅ Confirm {n} valid orders", count),
                    ConfirmBulk(batch),
                )
            ],
            cancel,
        ]
    )


def bulk_done(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t._("📋 My orders"), Menu("orders"))], back_to_menu(t)])


# --- notifications (bot/jobs.py) -------------------------------------------------------------


def notification(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    """The order-card button under a pushed status message (local order id)."""
    return markup([[button(t._("📄 Open order"), OrderCard(order_id))]])
