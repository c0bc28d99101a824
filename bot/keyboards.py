"""Every inline keyboard of the bot, built in one place from typed callback data."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, encode
from bot.i18n import Translator

# Telegram allows 100 buttons; phones show about 8 rows comfortably.
PAGE_SIZE = 8

LANGUAGE_NAMES = {"en": "English", "tr": "Türkçe"}


def button(text: str, action: Action, *args: int | str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(action, *args))


def markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(r) for r in rows if r])


def main_menu(t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("🛍 Services"), Action.MENU, "services"),
                button(t._("➕ New order"), Action.MENU, "order"),
            ],
            [
                button(t._("📦 Bulk order"), Action.MENU, "bulk"),
                button(t._("📋 My orders"), Action.MENU, "orders"),
            ],
            [
                button(t._("💰 Balance"), Action.MENU, "balance"),
                button(t._("⚙️ Settings"), Action.MENU, "settings"),
            ],
        ]
    )


def back_to_menu(t: Translator) -> list[InlineKeyboardButton]:
    return [button(t._("« Menu"), Action.MENU, "home")]


def settings_menu(t: Translator, *, has_key: bool, notifications: bool) -> InlineKeyboardMarkup:
    key_row = (
        [
            button(t._("🔑 Change API key"), Action.MENU, "setkey"),
            button(t._("🗑 Delete API key"), Action.MENU, "deletekey"),
        ]
        if has_key
        else [button(t._("🔑 Add API key"), Action.MENU, "setkey")]
    )
    notify = t._("🔔 Notifications: on") if notifications else t._("🔕 Notifications: off")
    return markup(
        [
            key_row,
            [button(t._("🌐 Language"), Action.MENU, "language")],
            [button(notify, Action.NOTIFY_TOGGLE)],
            back_to_menu(t),
        ]
    )


def languages(current: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(("✅ " if code == current else "") + name, Action.LANGUAGE, code)
                for code, name in LANGUAGE_NAMES.items()
            ]
        ]
    )


def access_request(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t._("🙋 Request access"), Action.ACCESS_REQUEST)]])


def access_decision(t: Translator, user_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Approve"), Action.ACCESS_DECIDE, user_id, 1),
                button(t._("❌ Reject"), Action.ACCESS_DECIDE, user_id, 0),
            ]
        ]
    )


def pager(
    t: Translator, page: int, pages: int, action: Action, *prefix: int | str
) -> list[InlineKeyboardButton]:
    """Prev / "page x/y" / Next; the middle button is inert (it re-renders the same page)."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button(t._("‹ Prev"), action, *prefix, page - 1))
    row.append(button(f"{page + 1}/{pages}", action, *prefix, page))
    if page < pages - 1:
        row.append(button(t._("Next ›"), action, *prefix, page + 1))
    return row


def dialog_cancel_button(t: Translator, instance: str) -> InlineKeyboardButton:
    """✖️ Cancel of one dialog run (`instance`): it never cancels a later dialog."""
    return button(t._("✖️ Cancel"), Action.DIALOG_CANCEL, instance)


def cancel_dialog(t: Translator, instance: str) -> InlineKeyboardMarkup:
    return markup([[dialog_cancel_button(t, instance)]])


# --- catalog and single orders (bot/handlers/catalog.py, bot/handlers/order.py) ---------------


def catalog_categories(
    t: Translator,
    entries: Sequence[tuple[int, str]],
    page: int,
    pages: int,
    version: str,
) -> InlineKeyboardMarkup:
    """(category index, label) per button; the catalog version makes stale buttons detectable."""
    rows = [[button(label, Action.CATEGORY, index, 0, version)] for index, label in entries]
    rows.append(pager(t, page, pages, Action.CATEGORIES))
    rows.append([button(t._("🔄 Refresh"), Action.CATALOG_REFRESH), *back_to_menu(t)])
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
    rows = [[button(label, Action.SERVICE, sid, category_index, page)] for sid, label in entries]
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(button(t._("‹ Prev"), Action.CATEGORY, category_index, page - 1, version))
        nav.append(button(f"{page + 1}/{pages}", Action.CATEGORY, category_index, page, version))
        if page < pages - 1:
            nav.append(button(t._("Next ›"), Action.CATEGORY, category_index, page + 1, version))
        rows.append(nav)
    rows.append([button(t._("« Back"), Action.CATEGORIES, category_index // per_page)])
    return markup(rows)


def catalog_search(
    t: Translator, entries: Sequence[tuple[int, str]], page: int, pages: int
) -> InlineKeyboardMarkup:
    rows = [[button(label, Action.SERVICE, sid, -1, page)] for sid, label in entries]
    rows.append(pager(t, page, pages, Action.SEARCH_PAGE))
    rows.append([button(t._("« Back"), Action.CATEGORIES, 0)])
    return markup(rows)


def service_card(
    t: Translator, service_id: int, back: InlineKeyboardButton
) -> InlineKeyboardMarkup:
    return markup([[button(t._("🛒 Order"), Action.ORDER_SERVICE, service_id)], [back]])


def card_back(t: Translator, category_index: int, page: int, version: str) -> InlineKeyboardButton:
    """Back from a service card: to its category page, or to the search results (index -1)."""
    if category_index < 0:
        return button(t._("« Back"), Action.SEARCH_PAGE, page)
    return button(t._("« Back"), Action.CATEGORY, category_index, page, version)


def order_pick_service(t: Translator, instance: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [button(t._("🛍 Browse services"), Action.CATEGORIES, 0)],
            [dialog_cancel_button(t, instance)],
        ]
    )


def order_dripfeed(t: Translator, instance: str, question: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("Yes, drip-feed"), Action.DRIPFEED, instance, question, 1),
                button(t._("No, all at once"), Action.DRIPFEED, instance, question, 0),
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
    skip = [button(t._("Skip"), Action.ORDER_SKIP, instance, question)] if optional else []
    switch = []
    if dripfeed is not None:
        label = t._("✅ ⏱ Drip-feed") if dripfeed else t._("⏱ Drip-feed")
        switch = [button(label, Action.DRIPFEED, instance, question, 0 if dripfeed else 1)]
    return markup([switch, skip, [dialog_cancel_button(t, instance)]])


def order_preview(t: Translator, batch: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Confirm"), Action.CONFIRM, batch),
                button(t._("✖️ Cancel"), Action.DISCARD, batch),
            ]
        ]
    )


def preview_again(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    """Under a preview that can no longer be confirmed: the same order, priced again."""
    return markup(
        [[button(t._("🔄 Make a new preview"), Action.REORDER, order_id)], back_to_menu(t)]
    )


def bulk_again(t: Translator, batch: str) -> InlineKeyboardMarkup:
    """Under a bulk preview that can no longer be confirmed: the same list, checked again."""
    return markup(
        [[button(t._("🔄 Make a new preview"), Action.BULK_AGAIN, batch)], back_to_menu(t)]
    )


def order_result(t: Translator, panel_order_id: int | None) -> InlineKeyboardMarkup:
    status = (
        [button(t._("📊 Status"), Action.STATUS_OF, panel_order_id)]
        if panel_order_id is not None
        else []
    )
    return markup([[*status, button(t._("➕ New order"), Action.MENU, "order")], back_to_menu(t)])


def order_refused_dripfeed(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    """Under a result whose drip-feed the panel refused: a new preview of it without drip-feed."""
    return markup(
        [
            [button(t._("🛒 Order without drip-feed"), Action.NO_DRIPFEED, order_id)],
            [button(t._("➕ New order"), Action.MENU, "order")],
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
        button(("✅ " if code == current_filter else "") + names[code], Action.ORDERS_PAGE, code, 0)
        for code in ORDER_FILTERS
    ]
    rows = [[button(label, Action.ORDER_CARD, local_id)] for label, local_id in entries]
    rows += [filters, pager(t, page, pages, Action.ORDERS_PAGE, current_filter), back_to_menu(t)]
    return markup(rows)


def order_card(
    t: Translator,
    order_id: int,
    *,
    refill: bool,
    cancel: bool,
    back: tuple[str, int] = ("all", 0),
) -> InlineKeyboardMarkup:
    action_row = [button(t._("🔄 Refresh"), Action.ORDER_REFRESH, order_id)]
    if refill:
        action_row.append(button(t._("♻️ Refill"), Action.ORDER_REFILL, order_id))
    if cancel:
        action_row.append(button(t._("🛑 Cancel order"), Action.ORDER_CANCEL, order_id))
    return markup(
        [
            action_row,
            [button(t._("🔁 Reorder"), Action.REORDER, order_id)],
            [button(t._("« Back"), Action.ORDERS_PAGE, *back)],
        ]
    )


def confirm_cancel_order(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Yes, cancel it"), Action.ORDER_CANCEL_YES, order_id),
                button(t._("✖️ No"), Action.ORDER_CARD, order_id),
            ]
        ]
    )


def confirm_cancel_many(t: Translator, token: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Yes, cancel them"), Action.CANCEL_MANY, token),
                button(t._("✖️ No"), Action.CANCEL_MANY_NO, token),
            ]
        ]
    )


def order_links(t: Translator, entries: Sequence[tuple[int, int]]) -> InlineKeyboardMarkup | None:
    """Buttons opening order cards: (panel order id, local id) pairs, at most one page."""
    if not entries:
        return None
    buttons = [
        button(t._("📦 #{id}", id=pid), Action.ORDER_CARD, local_id)
        for pid, local_id in entries[:PAGE_SIZE]
    ]
    return markup([buttons[i : i + 4] for i in range(0, len(buttons), 4)])


def bulk_preview(
    t: Translator, batch: str, count: int, *, affordable: int | None = None
) -> InlineKeyboardMarkup:
    """Confirm all valid lines; when the balance covers only the first `affordable` of them,
    confirm just those (none: only Cancel) — the panel would refuse a whole chunk of 100."""
    cancel = [button(t._("✖️ Cancel"), Action.BULK_DISCARD, batch)]
    if affordable is not None and affordable < count:
        if affordable < 1:
            return markup([cancel])
        label = t.ngettext(
            "✅ Confirm only the first {n} order",
            "✅ Confirm only the first {n} orders",
            affordable,
        )
        return markup([[button(label, Action.BULK_CONFIRM_FIRST, batch, affordable)], cancel])
    return markup(
        [
            [
                button(
                    t.ngettext("✅ Confirm {n} valid order", "✅ Confirm {n} valid orders", count),
                    Action.BULK_CONFIRM,
                    batch,
                )
            ],
            cancel,
        ]
    )


def bulk_done(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t._("📋 My orders"), Action.MENU, "orders")], back_to_menu(t)])


# --- notifications (bot/jobs.py) -------------------------------------------------------------


def notification(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    """The order-card button under a pushed status message (local order id)."""
    return markup([[button(t._("📄 Open order"), Action.ORDER_CARD, order_id)]])
