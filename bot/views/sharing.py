"""The order card a reseller shares with a client (inline mode), and its inline result.

A client sees what was ordered and how far it is: never the cost, the balance, the panel's
name or anything of the key. Every panel string is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Translator
from bot.services.sharing import delivered
from bot.storage.models import Order
from bot.views.order_history import order_icon, order_status_label
from bot.views.text import code, cut, esc

# Ten cells: a phone shows the bar on one line beside its percentage.
BAR_CELLS = 10
# The result list's title and description are one line each on a phone.
TITLE_MAX = 64
DESCRIPTION_MAX = 120


@dataclass(frozen=True, slots=True)
class SharedCard:
    """One inline result: the id Telegram hands back, the list's two lines, the message."""

    result_id: str
    title: str
    description: str
    text: str


def progress_bar(done: int, total: int) -> str:
    filled = round(BAR_CELLS * done / total)
    return "▓" * filled + "░" * (BAR_CELLS - filled)


def progress_line(t: Translator, order: Order) -> str | None:
    """ "Progress: ▓▓▓▓░░░░░░ 40% (400 of 1,000)", or None while the panel has not said."""
    share = delivered(order)
    if share is None:
        return None
    done, total = share
    return t._(
        "Progress: {bar} {percent}% ({done} of {total})",
        bar=progress_bar(done, total),
        percent=done * 100 // total,
        done=t.number(done),
        total=t.number(total),
    )


def client_card_text(t: Translator, order: Order) -> str:
    lines = [t._("📦 <b>{name}</b>", name=esc(order.service_name))]
    if order.panel_order_id is not None:
        lines.append(t._("Order #{id}", id=code(order.panel_order_id)))
    if order.link:
        lines.append(t._("Link: {link}", link=esc(order.link)))
    if order.quantity is not None:
        lines.append(t._("Quantity: {n}", n=t.number(order.quantity)))
    lines.append(
        t._(
            "Status: {icon} <b>{status}</b>",
            icon=order_icon(order),
            status=order_status_label(t, order),
        )
    )
    progress = progress_line(t, order)
    if progress is not None:
        lines.append(progress)
    if order.start_count is not None:
        lines.append(t._("Start count: {n}", n=t.number(order.start_count)))
    lines.append(t._("Updated: {when}", when=t.when(order.updated_at)))
    return "\n".join(lines)


def shared_card(t: Translator, order: Order) -> SharedCard:
    """The inline result for `order`; its id is our row id, unique even when two panels gave
    the same order id."""
    title = f"#{order.panel_order_id} · {order.service_name}"
    parts = [f"{order_icon(order)} {order_status_label(t, order)}"]
    if order.quantity is not None:
        parts.append(t.number(order.quantity))
    if order.link:
        parts.append(order.link)
    return SharedCard(
        result_id=f"order-{order.id}",
        title=cut(title, TITLE_MAX),
        description=cut(" · ".join(parts), DESCRIPTION_MAX),
        text=client_card_text(t, order),
    )
