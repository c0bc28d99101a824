"""/orders screens (history list, order card) and the order wording /status, /refill and
/cancelorder share: status names and icons, one line per looked-up order, refill/cancel outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType

from bot.i18n import N_, Translator
from bot.keyboards import order_history as order_history_keyboards
from bot.panel.models import OrderStatus, RefillState, Status
from bot.panel.text import Html, PanelText
from bot.services.progress import Eta, progress_of
from bot.services.tracking import (
    ActionResult,
    FoundOrders,
    HistoryPage,
    OrderAction,
    RequestOutcome,
    RequestRefusal,
    StatusLine,
)
from bot.storage.models import Order, OrderFilter, Refill, SubmitState
from bot.storage.refills import is_pending
from bot.views.progress import eta_line, progress_line
from bot.views.reasons import reason_text
from bot.views.screen import Screen
from bot.views.text import code, cut, esc, fit_label

STATUS_NAMES: dict[str, str] = {
    Status.PENDING.value: N_("Pending"),
    Status.IN_PROGRESS.value: N_("In progress"),
    Status.PROCESSING.value: N_("Processing"),
    Status.COMPLETED.value: N_("Completed"),
    Status.PARTIAL.value: N_("Partial"),
    Status.CANCELED.value: N_("Canceled"),
    Status.REFUNDED.value: N_("Refunded"),
    Status.ERROR.value: N_("Error"),
}
STATUS_ICONS: dict[str, str] = {
    Status.PENDING.value: "⏳",
    Status.IN_PROGRESS.value: "🚀",
    Status.PROCESSING.value: "⚙️",
    Status.COMPLETED.value: "✅",
    Status.PARTIAL.value: "🟡",
    Status.CANCELED.value: "🚫",
    Status.REFUNDED.value: "↩️",
    Status.ERROR.value: "⚠️",
}
REFILL_STATE_NAMES: dict[str, str] = {
    RefillState.COMPLETED.value: N_("✅ completed"),
    RefillState.PENDING.value: N_("⏳ pending"),
    RefillState.REJECTED.value: N_("❌ rejected"),
}
# An order whose user said the panel has no such order (it was never charged).
NOT_PLACED_ICON = "✖️"
# The list's text names each order's service this fully (the buttons have room for less).
ENTRY_NAME_MAX = 250
# /orders <query> repeats this much of what was searched for.
QUERY_SHOWN = 64
# The card lists this many of an order's latest refills (and counts the earlier ones).
CARD_REFILLS_SHOWN = 5


# The user's panels by slot when they have more than one (then every order names its panel),
# else empty: with one panel nothing changes.
PanelNames = Mapping[int, str]
ONE_PANEL: PanelNames = MappingProxyType({})


def panel_names(names: Mapping[int, str]) -> PanelNames:
    """`names` (every panel the user linked, by slot) when there are several, else none."""
    return names if len(names) > 1 else ONE_PANEL


def ref(
    panel_id: int | str, slot: int | None, panels: PanelNames = ONE_PANEL, *, html: bool = True
) -> str:
    """An order's id as shown after "#": "23501", or "23501 · Beta" when the user has several
    panels (panels number orders themselves, so the id alone may name two orders). The name
    is escaped for a message (`html`), left as it is for a button's plain text."""
    name = panels.get(slot) if slot is not None else None
    shown = code(panel_id) if html else str(panel_id)
    if not name:
        return shown
    return f"{shown} · {esc(name) if html else name}"


# --- wording shared with /status, /refill, /cancelorder --------------------------------------


def status_label(t: Translator, status: str | None, raw: PanelText | None = None) -> Html:
    """Translated status; a panel's own wording for statuses we do not know, escaped."""
    if status in STATUS_NAMES:
        return Html(t._(STATUS_NAMES[status]))  # our own words
    return esc(raw or status or t._("unknown"))


def plain_status_words(t: Translator, order: Order) -> str:
    """`order_status_label` for plain text (an inline result's description, a button), where
    escaping would show "&lt;" to the reader: the panel's words as they are."""
    if order.submit_state is SubmitState.NOT_PLACED:
        return t._("not placed")
    if order.status in STATUS_NAMES:
        return t._(STATUS_NAMES[order.status])
    return order.raw_status_text or order.status or t._("unknown")


def money(t: Translator, amount: Decimal | None, currency: PanelText | str | None) -> str:
    return t.money(amount, currency) if amount is not None else "—"


def status_details(t: Translator, st: OrderStatus) -> str:
    parts = [
        t._("start count {n}", n=t.number(st.start_count)) if st.start_count is not None else "",
        t._("remains {n}", n=t.number(st.remains)) if st.remains is not None else "",
        t._("charge {amount}", amount=money(t, st.charge, st.currency))
        if st.charge is not None
        else "",
    ]
    return " · ".join(p for p in parts if p)


def status_line(
    t: Translator,
    panel_id: int,
    st: OrderStatus | None,
    slot: int | None = None,
    panels: PanelNames = ONE_PANEL,
) -> str:
    """One looked-up order; it names panel account `slot` when the user has several."""
    shown = ref(panel_id, slot, panels)
    if st is None:
        return t._("#{id} — not found", id=shown)
    head = t._(
        "{icon} #{id} — <b>{status}</b>",
        icon=STATUS_ICONS.get(st.status.value, "❔"),
        id=shown,
        status=status_label(t, st.status.value, st.raw_status),
    )
    details = status_details(t, st)
    return f"{head}\n    {details}" if details else head


def refill_state_label(t: Translator, state: str | None, raw: PanelText | None = None) -> Html:
    """Translated refill state; a panel's own wording for states we do not know, escaped."""
    if state in REFILL_STATE_NAMES:
        return Html(t._(REFILL_STATE_NAMES[state]))  # our own words
    return esc(raw or state or t._("unknown"))


def refill_history_line(t: Translator, refill: Refill) -> str:
    """One stored refill request: its id (none when the panel rejected it), state and when."""
    state = refill_state_label(t, refill.status, refill.raw_status)
    when = _when(t, refill.created_at)
    if refill.refill_id is None:
        return t._("Refill request — {status} · {when}", status=state, when=when)
    return t._(
        "Refill #{id} — {status} · requested {when}",
        id=code(refill.refill_id),
        status=state,
        when=when,
    )


def not_on_key_line(t: Translator, order: Order, panels: PanelNames = ONE_PANEL) -> str:
    """A stored order the panel does not know under the key linked now: its last stored
    status is shown as such, not as if it were current."""
    return t._(
        "❔ #{id} — not on this key (last known: {status})",
        id=ref(order.panel_order_id or 0, order.panel_slot, panels),
        status=status_label(t, order.status, order.raw_status),
    )


def stored_status_line(t: Translator, order: Order, panels: PanelNames = ONE_PANEL) -> str:
    """`status_line` from what the database last heard (the panel is not asked)."""
    st = OrderStatus(
        status=Status(order.status) if order.status in STATUS_NAMES else Status.UNKNOWN,
        raw_status_text=order.raw_status_text or order.status or "",
        charge=order.charge,
        start_count=order.start_count,
        remains=order.remains,
        currency_text=order.currency_text,
    )
    return status_line(t, order.panel_order_id or 0, st, order.panel_slot, panels)


def action_line(
    t: Translator, result: ActionResult, action: OrderAction, panels: PanelNames = ONE_PANEL
) -> str:
    """One order's outcome of /refill or /cancelorder (or the card's buttons)."""
    pid = ref(result.panel_id, result.slot, panels)
    if result.outcome is RequestOutcome.REQUESTED:
        if action is OrderAction.REFILL:
            return t._(
                "♻️ #{id} — refill requested (refill #{refill})",
                id=pid,
                refill=code(result.refill_id),
            )
        return t._("🛑 #{id} — cancel requested", id=pid)
    if result.outcome is RequestOutcome.REJECTED:
        # "rejected by the panel: …" already says whose words follow; ours are translated.
        reason = esc(reason_text(t, result.error, attributed=True))
        if reason:
            return t._("❌ #{id} — rejected by the panel: {reason}", id=pid, reason=reason)
        return t._("❌ #{id} — rejected by the panel", id=pid)
    if result.outcome is RequestOutcome.UNKNOWN:
        return t._(
            "❔ #{id} — the panel did not confirm; check on the panel before trying again", id=pid
        )
    if result.outcome is RequestOutcome.NOT_SENT:
        return t._("⏸ #{id} — not sent: an earlier request failed; try again", id=pid)
    return _refusal_line(t, result, action, pid)


def _refusal_line(t: Translator, result: ActionResult, action: OrderAction, pid: str) -> str:
    """Why the bot did not even ask the panel (about order `pid`, as shown)."""
    if result.refusal is RequestRefusal.NOT_FOUND:
        return t._("#{id} — not found", id=pid)
    if result.refusal is RequestRefusal.REFILL_PENDING:
        return t._(
            "⏳ #{id} — refill #{refill} (requested {when}) is still pending; "
            "ask again once it is done",
            id=pid,
            refill=code(result.refill_id),
            when=_when(t, result.since),
        )
    if result.refusal is RequestRefusal.PANEL_UNSUPPORTED:
        if action is OrderAction.REFILL:
            return t._("🚫 #{id} — this panel does not take refills through its API", id=pid)
        return t._("🚫 #{id} — this panel does not take cancels through its API", id=pid)
    if result.refusal is RequestRefusal.NOT_SUPPORTED:
        if action is OrderAction.REFILL:
            return t._("🚫 #{id} — this service does not offer refills", id=pid)
        return t._("🚫 #{id} — this service cannot be cancelled", id=pid)
    status = status_label(t, result.status)
    if action is OrderAction.REFILL:
        return t._(
            "🚫 #{id} — it is {status}; refills are possible once an order is Completed or Partial",
            id=pid,
            status=status,
        )
    return t._("🚫 #{id} — it is {status} and can no longer be cancelled", id=pid, status=status)


# --- the order card ---------------------------------------------------------------------------


def _when(t: Translator, ts: float | None) -> str:
    # In the user's zone, with the zone's name: "30.11.2026 00:36 (Europe/Istanbul)".
    return t.when(ts) if ts is not None else "—"


def card_text(
    t: Translator,
    order: Order,
    note: str | None = None,
    refills: Sequence[Refill] = (),
    panel: str = "",
    eta: Eta | None = None,
) -> str:
    """The card: `note` (an action's outcome) on top, then what the order is, where it is
    (with its progress and `eta`, when it should finish), and its refills (oldest first);
    `panel` names the order's panel (given when the user has several)."""
    if order.panel_order_id is not None:
        title = t._("<b>Order #{id}</b>", id=code(order.panel_order_id))
    elif order.submit_state is SubmitState.NOT_PLACED:
        title = t._("<b>Order (not placed)</b>")
    else:
        title = t._("<b>Order (not confirmed by the panel)</b>")
    lines = [note, "", title] if note else [title]
    if panel:
        lines.append(t._("Panel: <b>{panel}</b>", panel=esc(panel)))
    lines += _card_what(t, order)
    lines += _card_progress(t, order)
    lines += eta_line(t, eta)
    lines += _card_refills(t, refills)
    lines.append(t._("Created: {when}", when=_when(t, order.created_at)))
    lines.append(t._("Updated: {when}", when=_when(t, order.updated_at)))
    return "\n".join(lines)


def _card_what(t: Translator, order: Order) -> list[str]:
    lines = [t._("Service: {name} (#{id})", name=esc(order.service_name), id=order.service_id)]
    if order.link:
        lines.append(t._("Link: {link}", link=esc(order.link)))
    if order.quantity is not None:
        lines.append(t._("Quantity: {n}", n=t.number(order.quantity)))
    if order.runs:
        lines.append(
            t._(
                "Drip-feed: {runs} runs every {interval} min",
                runs=order.runs,
                interval=order.interval,
            )
        )
    return lines


def _card_progress(t: Translator, order: Order) -> list[str]:
    lines = [
        t._(
            "Status: {icon} <b>{status}</b>",
            icon=order_icon(order),
            status=order_status_label(t, order),
        )
    ]
    if order.start_count is not None:
        lines.append(t._("Start count: {n}", n=t.number(order.start_count)))
    if order.remains is not None:
        lines.append(t._("Remains: {n}", n=t.number(order.remains)))
    progress = progress_of(order)
    if progress is not None:
        lines.append(progress_line(t, progress))
    if order.charge is not None:
        lines.append(t._("Charge: {amount}", amount=money(t, order.charge, order.currency)))
    else:
        lines.append(t._("Cost: {amount}", amount=money(t, order.cost, order.currency)))
    if order.submit_state is SubmitState.UNKNOWN:
        lines.append(
            t._("⚠️ The panel did not confirm this order. Check on the panel before ordering again.")
        )
        lines.append(
            t._(
                "If you find it there, tap 🔎 and send its order id; if not, tap ✖️. "
                "Nothing is sent to the panel again."
            )
        )
    elif order.submit_state is SubmitState.NOT_PLACED:
        lines.append(t._("You said the panel has no such order, so it is not tracked."))
    return lines


def _card_refills(t: Translator, refills: Sequence[Refill]) -> list[str]:
    if not refills:
        return []
    shown = refills[-CARD_REFILLS_SHOWN:]
    lines = [t._("Refills:")]
    earlier = len(refills) - len(shown)
    if earlier:
        lines.append(
            t.ngettext("  … {n} earlier refill request", "  … {n} earlier refill requests", earlier)
        )
    lines += [f"  {refill_history_line(t, r)}" for r in shown]
    pending = next((r for r in reversed(refills) if is_pending(r)), None)
    if pending is not None:
        # Says why the card has no Refill button now.
        lines.append(
            t._(
                "⏳ Refill #{id} is pending: another refill can be requested once it is done.",
                id=code(pending.refill_id),
            )
        )
    return lines


def refresh_note(t: Translator, line: StatusLine | None) -> str:
    """The alert after the card's Refresh: nothing to ask, unknown to the panel, or updated."""
    if line is None:
        return t._("The panel has no id for this order, so there is nothing to ask.")
    if line.not_found:
        return t._("The panel does not know this order (for your current key).")
    return t._("Updated.")


def cancel_question(t: Translator, order: Order, panels: PanelNames = ONE_PANEL) -> str:
    """The card's Cancel asks first: which order (on which panel), and what it is."""
    return (
        t._("Cancel order #{id}?", id=ref(order.panel_order_id or 0, order.panel_slot, panels))
        + "\n"
        + t._("{name} · {link}", name=esc(order.service_name), link=esc(order.link or "—"))
    )


# --- the history list -------------------------------------------------------------------------


def _ref(order: Order, panels: PanelNames = ONE_PANEL) -> str:
    """A button's reference to an order (plain text)."""
    if order.panel_order_id is None:
        return "#—"
    return f"#{ref(order.panel_order_id, order.panel_slot, panels, html=False)}"


def _code_ref(order: Order) -> str:
    """A message's reference to an order: its panel id, tap-to-copy."""
    return "#—" if order.panel_order_id is None else f"#{code(order.panel_order_id)}"


def order_icon(order: Order) -> str:
    """The status icon of a stored order; ✖️ for one its user marked not placed."""
    if order.submit_state is SubmitState.NOT_PLACED:
        return NOT_PLACED_ICON
    return STATUS_ICONS.get(order.status or "", "❔")


def order_status_label(t: Translator, order: Order) -> Html:
    """`status_label` of a stored order; "not placed" for one its user marked so."""
    if order.submit_state is SubmitState.NOT_PLACED:
        return Html(t._("not placed"))
    return status_label(t, order.status, order.raw_status)


def entry_label(t: Translator, order: Order, panels: PanelNames = ONE_PANEL) -> str:
    """ "✅ #12345 · 1,000 · Instagram Takipçi": status icon, id (and panel, when the user has
    several) and quantity first, the name cut to fit a phone's button (the list's text has it
    whole, with the status in words)."""
    icon = order_icon(order)
    head = f"{icon} {_ref(order, panels)} · "
    if order.quantity is not None:
        head += f"{t.number(order.quantity)} · "
    return fit_label(head, order.service_name.plain)  # a label is plain text


def entry_line(t: Translator, order: Order, panels: PanelNames = ONE_PANEL) -> str:
    """The list's text line of one order: what its button shows, and the full name and status."""
    name = panels.get(order.panel_slot)
    parts = [
        f"{order_icon(order)} <b>{_code_ref(order)}</b>",
        *([esc(name)] if name else []),
        order_status_label(t, order),
    ]
    if order.quantity is not None:
        parts.append(t.number(order.quantity))
    parts.append(esc(cut(order.service_name.plain, ENTRY_NAME_MAX)))
    return " · ".join(parts)


def render_history(t: Translator, history: HistoryPage, panels: PanelNames = ONE_PANEL) -> Screen:
    """One page of /orders: a button per order (naming its panel when the user has several),
    the filter row and the pager."""
    names = {
        OrderFilter.OPEN: t._("open"),
        OrderFilter.COMPLETED: t._("completed"),
        OrderFilter.CANCELED: t._("canceled"),
        OrderFilter.ALL: t._("all"),
    }
    if history.total == 0:
        text = t._(
            "📋 <b>Your orders</b> ({filter})\n\nNo orders here yet.", filter=names[history.filter]
        )
    else:
        text = t._(
            "📋 <b>Your orders</b> ({filter}): {n} in total, newest first.\nTap one for details.",
            filter=names[history.filter],
            n=history.total,
        )
        text += "\n\n" + "\n".join(entry_line(t, o, panels) for o in history.orders)
    entries = [(entry_label(t, o, panels), o.id) for o in history.orders]
    markup = order_history_keyboards.orders_list(
        t, entries, history.filter.value, history.page, history.pages
    )
    return Screen(text, markup)


def render_found(t: Translator, found: FoundOrders, panels: PanelNames = ONE_PANEL) -> Screen:
    """/orders <id or piece of a link>: the matches as /orders lists them, newest first."""
    query = esc(cut(found.query, QUERY_SHOWN))
    if found.total == 0:
        text = t._(
            "🔎 No order has the id or a link containing “{query}”. "
            "Send /orders with an order id or a piece of a link.",
            query=query,
        )
    else:
        text = t.ngettext(
            "🔎 <b>{n} order</b> matches “{query}”. Tap it for details.",
            "🔎 <b>{n} orders</b> match “{query}”, newest first. Tap one for details.",
            found.total,
            query=query,
        )
        text += "\n\n" + "\n".join(entry_line(t, o, panels) for o in found.orders)
        more = found.total - len(found.orders)
        if more > 0:
            text += "\n" + t._("…and {n} more: send a longer piece to narrow it.", n=t.number(more))
    entries = [(entry_label(t, o, panels), o.id) for o in found.orders]
    return Screen(text, order_history_keyboards.orders_found(t, entries))
