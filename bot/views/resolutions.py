"""Wording of settling an unknown outcome (bot/handlers/resolutions.py): the id question, its
answers, and "It was not placed"."""

from __future__ import annotations

from bot.i18n import Translator
from bot.storage.models import Order
from bot.views.text import esc


def _what(t: Translator, order: Order, panel: str) -> str:
    what = t._("{name} · {link}", name=esc(order.service_name), link=esc(order.link or "—"))
    return what + ("\n" + t._("Panel: <b>{panel}</b>", panel=esc(panel)) if panel else "")


def found_question(t: Translator, order: Order, panel: str, notice: str | None = None) -> str:
    """Asks for the panel's id of the unknown `order`; `notice` (a refused answer) on top."""
    question = (
        t._("🔎 Send the order id the panel shows for this order:")
        + "\n"
        + _what(t, order, panel)
        + "\n\n"
        + t._("I check it with the panel before I track it. Nothing is ordered again.")
    )
    return f"{notice}\n\n{question}" if notice else question


def not_an_id(t: Translator) -> str:
    return t._("⚠️ That is not one order id. Send the number the panel shows, like 12345.")


def not_on_panel(t: Translator, panel_id: int) -> str:
    return t._(
        "⚠️ The panel does not know order #{id} for this account's key. Check the id and send "
        "it again.",
        id=panel_id,
    )


def taken(t: Translator, panel_id: int) -> str:
    return t._(
        "⚠️ Order #{id} is already another order in my records on this panel, so it cannot be "
        "this one. Check the id and send it again.",
        id=panel_id,
    )


def tracked(t: Translator, panel_id: int) -> str:
    return t._("✅ Found: this is order <code>#{id}</code>. I track it from now on.", id=panel_id)


def not_waiting(t: Translator) -> str:
    """A settle button of an order that is settled already (or is not the user's)."""
    return t._("This order is not waiting for an answer any more.")


def not_placed_question(t: Translator, order: Order, panel: str) -> str:
    return (
        t._("Mark this order as not placed?")
        + "\n"
        + _what(t, order, panel)
        + "\n\n"
        + t._("Only if the panel has no such order: it will not be tracked. Nothing is sent.")
    )


def not_placed_done(t: Translator) -> str:
    return t._("✖️ Marked as not placed. It stays in your history.")
