"""The order card a reseller shares with a client (inline mode), and its inline result.

A client sees what was ordered and how far it is: never the cost, the balance, the panel's
name or anything of the key. Every panel string is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Translator
from bot.services.progress import progress_of
from bot.storage.models import Order
from bot.views.order_history import order_icon, order_status_label, plain_status_words
from bot.views.progress import progress_line
from bot.views.text import code, cut, esc

# The result list's title and description are one line each on a phone.
TITLE_MAX = 64
INLINE_DESCRIPTION_MAX = 120


@dataclass(frozen=True, slots=True)
class SharedCard:
    """One inline result: the id Telegram hands back, the list's two lines, the message."""

    result_id: str
    title: str
    description: str
    text: str


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
    # The same line as the reseller's own card (drip-feed runs count toward the total).
    progress = progress_of(order)
    if progress is not None:
        lines.append(progress_line(t, progress))
    if order.start_count is not None:
        lines.append(t._("Start count: {n}", n=t.number(order.start_count)))
    lines.append(t._("Updated: {when}", when=t.when(order.updated_at)))
    return "\n".join(lines)


def shared_card(t: Translator, order: Order) -> SharedCard:
    """The inline result for `order`; its id is our row id, unique even when two panels gave
    the same order id. The title and description are plain text, never HTML."""
    title = f"#{order.panel_order_id} · {order.service_name.plain}"
    parts = [f"{order_icon(order)} {plain_status_words(t, order)}"]
    if order.quantity is not None:
        parts.append(t.number(order.quantity))
    if order.link:
        parts.append(order.link)
    return SharedCard(
        result_id=f"order-{order.id}",
        title=cut(title, TITLE_MAX),
        description=cut(" · ".join(parts), INLINE_DESCRIPTION_MAX),
        text=client_card_text(t, order),
    )
