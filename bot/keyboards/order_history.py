"""The orders list, an order's card and its cancel question (bot/handlers/order_history.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.callbacks.new_order import Reorder
from bot.callbacks.order_history import (
    CancelOrder,
    CancelOrderYes,
    OrderCard,
    OrdersPage,
    RefillOrder,
    RefreshOrder,
)
from bot.i18n import Translator
from bot.keyboards.layout import button, copy_button, markup, pager
from bot.keyboards.menu import back_to_menu
from bot.keyboards.notifications import mute_button
from bot.keyboards.resolutions import settle_unknown_rows
from bot.keyboards.sharing import share_button

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
    share: int | None = None,
) -> InlineKeyboardMarkup:
    """`muted` (not None) adds 🔕 Mute / 🔔 Unmute of the order's pushes; `unknown` (its
    outcome is) the buttons that settle it; `link` (the order's) a 📋 Copy link button;
    `share` (the panel's order id) a 📤 Share button that offers the card in another chat."""
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
            [
                *([copy] if copy is not None else []),
                *([] if share is None else [share_button(t, share)]),
            ],
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
