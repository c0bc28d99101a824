"""The notifications the outbox delivers: the text of each kind, and the order card it links to.

Pure and free of Telegram imports: the composer (bot/services/notifications/compose.py) loads
the rows and calls these (this module is its `NotificationWording`, handed in by bot/jobs.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from bot.i18n import NP_, Translator
from bot.panel.models import RefillState, Status
from bot.panel.text import PanelText
from bot.services.notifications.compose import STARTED, Notification
from bot.storage.models import Order, Refill, SubmitState
from bot.views.prices import price_digest as price_digest
from bot.views.schedules import scheduled as scheduled  # the SCHEDULED kind's wording
from bot.views.text import code, esc

# A digest lists this many order ids per line; the "📋 List them" button shows them all.
DIGEST_IDS = 20


def panel_line(name: str) -> str:
    """The panel a push is about, above it, when the user has several."""
    return f"🔗 <b>{esc(name)}</b>"


def low_balance(
    t: Translator, panel: str, amount: Decimal, currency: PanelText, limit: Decimal, api_url: str
) -> Notification:
    """A panel's balance fell below the user's alert threshold (once until it rises again):
    the amounts with their currency, and a link to the panel's site where it is topped up."""
    code = currency.plain.strip()  # escaped wherever it is shown (t.balance, _unless_shown)
    text = t._(
        "⚠️ Low balance on <b>{panel}</b>: {amount} (your alert is at {limit}). "
        "Top up the panel to keep ordering.",
        panel=esc(panel),
        amount=t.balance(amount, code or None) + _unless_shown(code, t.balance(amount, code)),
        limit=t.balance(limit, code or None),
    )
    site = panel_site(api_url)
    if site:
        text += "\n" + t._("🌐 Top up at {site}", site=f'<a href="{esc(site)}">{esc(site)}</a>')
    return Notification(text)


def _unless_shown(code: str, shown: str) -> str:
    """ " USD" after "$20.00": a symbol alone is ambiguous ($ is also CAD, AUD…). Only for a
    code: a panel's own words for its currency are already shown as written, and a second,
    upper-cased copy would read as another currency."""
    is_code = code.isascii() and code.isalpha()
    return f" {esc(code.upper())}" if is_code and code.upper() not in shown else ""


def panel_site(api_url: str) -> str:
    """The panel's own site, from its API address: "https://panel.example/api/v2" →
    "https://panel.example"; empty when it is not an http(s) address."""
    parts = urlsplit(api_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def panel_key_rejected(t: Translator) -> Notification:
    """With several panels: one of them stopped accepting its key (named above the text)."""
    return Notification(
        t._(
            "🔑 This panel no longer accepts your API key, so I stopped checking its orders. "
            "Send a new one: /panels → the panel → 🔑 New key."
        )
    )


def key_notice(t: Translator, *, unreadable: bool) -> Notification:
    """Tracking stopped: the panel refused the key, or the stored key cannot be decrypted."""
    if unreadable:
        return Notification(
            t._(
                "🔑 Your saved panel API key can no longer be read here (the bot's "
                "encryption key was changed). Send /setkey to link it again."
            )
        )
    return Notification(
        t._(
            "🔑 The panel no longer accepts your API key, so I stopped checking your "
            "orders. Send /setkey to link a new key."
        )
    )


def _ref(order: Order) -> str:
    # The panel's id is tap-to-copy; L<local id> (before the panel gave one) is ours.
    return code(order.panel_order_id) if order.panel_order_id is not None else f"L{order.id}"


def _describe(order: Order) -> str:
    lines = [f"<b>{esc(order.service_name)}</b>"]
    if order.link:
        lines.append(esc(order.link))
    return "\n" + "\n".join(lines)


def order_started(t: Translator, order: Order) -> Notification:
    text = t._("▶️ Order <b>#{id}</b> has started.", id=_ref(order))
    if order.start_count is not None:
        text += "\n" + t._("Start count: {n}", n=t.number(order.start_count))
    return Notification(text + _describe(order), order.id)


def order_status(t: Translator, order: Order, status: str) -> Notification:
    """A new status the poller saw; the final ones get their own sentence."""
    text = _status_sentence(t, order, status) + _describe(order)
    if order.charge is not None:
        text += "\n" + t._("Charge: {amount}", amount=t.money(order.charge, order.currency))
    return Notification(text, order.id)


def _status_sentence(t: Translator, order: Order, status: str) -> str:
    ref = _ref(order)
    if status == Status.COMPLETED:
        return t._("✅ Order <b>#{id}</b> is completed.", id=ref)
    if status == Status.PARTIAL:
        if order.remains:
            return t._(
                "⚠️ Order <b>#{id}</b> was completed partially: {remains} not delivered.",
                id=ref,
                remains=t.number(order.remains),
            )
        return t._("⚠️ Order <b>#{id}</b> was completed partially.", id=ref)
    if status == Status.CANCELED:
        return t._("✖️ Order <b>#{id}</b> was canceled.", id=ref)
    if status == Status.REFUNDED:
        return t._("↩️ Order <b>#{id}</b> was refunded.", id=ref)
    return t._("Order <b>#{id}</b>: {status}", id=ref, status=esc(status))


def order_unknown(t: Translator, order: Order, count: object = None) -> Notification:
    """A confirm left in flight (a crash, a lost answer): the order may or may not exist.

    `count` > 1: that many orders of one bulk order; `order` is the first of them.
    """
    service, link = f"<b>{esc(order.service_name)}</b>", esc(order.link or "")
    if isinstance(count, int) and count > 1:
        text = t._(
            "⚠️ {count} orders of a bulk order (the first: {service} {link}) may or may not "
            "have been placed — check the panel before ordering again.",
            count=count,
            service=service,
            link=link,
        )
        return Notification(text, order.id)
    text = t._(
        "⚠️ Order for {service} {link} may or may not have been placed — check the "
        "panel before ordering again.",
        service=service,
        link=link,
    )
    return Notification(text, order.id, settle=order.submit_state is SubmitState.UNKNOWN)


def refill_status(t: Translator, refill: Refill, status: object = None) -> Notification:
    """A refill the poller saw finish (or change); `status` from the outbox, else the row's."""
    state = str(status or refill.status)
    ref = code(refill.refill_id) if refill.refill_id is not None else refill.id
    order = code(refill.panel_order_id)
    if state == RefillState.COMPLETED:
        text = t._(
            "♻️ Refill #{refill} of order <b>#{order}</b> is completed.", refill=ref, order=order
        )
    elif state == RefillState.REJECTED:
        text = t._(
            "♻️ The panel rejected refill #{refill} of order <b>#{order}</b>.",
            refill=ref,
            order=order,
        )
    else:
        text = t._(
            "♻️ Refill #{refill} of order <b>#{order}</b>: {status}",
            refill=ref,
            order=order,
            status=esc(refill.raw_status or state),
        )
    return Notification(text, refill.order_id)


# --- digests ---------------------------------------------------------------------------------


def _ids(t: Translator, refs: list[str]) -> str:
    shown = ", ".join(f"#{r}" for r in refs[:DIGEST_IDS])
    if len(refs) > DIGEST_IDS:
        shown += " " + t._("and {n} more", n=t.number(len(refs) - DIGEST_IDS))
    return shown


@dataclass(frozen=True, slots=True)
class _GroupLines:
    """A digest's lines for one kind of change (orders, refills): the singular/plural pair for
    each state it names, and `other` (with the state's own name) for the rest."""

    by_state: Mapping[str, tuple[str, str]]
    other: tuple[str, str]

    def line(self, t: Translator, status: str, refs: list[str]) -> str:
        n, ids = len(refs), _ids(t, refs)
        if status in self.by_state:
            return t.ngettext(*self.by_state[status], n, ids=ids)
        return t.ngettext(*self.other, n, ids=ids, status=esc(status))


# The orders' known states come first in a digest, in this order.
_ORDER_LINES = _GroupLines(
    {
        Status.COMPLETED: NP_("✅ {n} order completed: {ids}", "✅ {n} orders completed: {ids}"),
        Status.PARTIAL: NP_(
            "⚠️ {n} order completed partially: {ids}",
            "⚠️ {n} orders completed partially: {ids}",
        ),
        Status.CANCELED: NP_("✖️ {n} order canceled: {ids}", "✖️ {n} orders canceled: {ids}"),
        Status.REFUNDED: NP_("↩️ {n} order refunded: {ids}", "↩️ {n} orders refunded: {ids}"),
        STARTED: NP_("▶️ {n} order started: {ids}", "▶️ {n} orders started: {ids}"),
    },
    NP_("{n} order is now {status}: {ids}", "{n} orders are now {status}: {ids}"),
)
_REFILL_LINES = _GroupLines(
    {
        RefillState.COMPLETED: NP_(
            "♻️ {n} refill completed, of order {ids}", "♻️ {n} refills completed, of orders {ids}"
        ),
        RefillState.REJECTED: NP_(
            "♻️ {n} refill rejected by the panel, of order {ids}",
            "♻️ {n} refills rejected by the panel, of orders {ids}",
        ),
    },
    NP_(
        "♻️ {n} refill is now {status}, of order {ids}",
        "♻️ {n} refills are now {status}, of orders {ids}",
    ),
)


def digest(
    t: Translator,
    orders: list[tuple[Order, str]],
    refills: list[tuple[Refill, str]],
    digest_id: int,
    panels: Mapping[int, str] | None = None,
) -> Notification:
    """Several pushes as one message: a line per kind of change, listing the order ids.

    `panels` names the user's panel accounts by slot when there are several: each id then says
    which panel it is on ("#23501 (Beta)"), as a single push does.
    """

    def named(ref: str, slot: int) -> str:
        name = (panels or {}).get(slot)
        return f"{ref} ({esc(name)})" if name else ref

    by_status: dict[str, list[str]] = {}
    for order, status in orders:
        by_status.setdefault(status, []).append(named(_ref(order), order.panel_slot))
    known = [str(s) for s in _ORDER_LINES.by_state]
    ordered = [s for s in known if s in by_status] + [s for s in by_status if s not in known]
    lines = [_ORDER_LINES.line(t, status, by_status[status]) for status in ordered]
    by_refill: dict[str, list[str]] = {}
    for refill, status in refills:
        by_refill.setdefault(status, []).append(
            named(code(refill.panel_order_id), refill.panel_slot)
        )
    lines += [_REFILL_LINES.line(t, status, refs) for status, refs in by_refill.items()]
    return Notification("\n".join(lines), digest_id=digest_id)
