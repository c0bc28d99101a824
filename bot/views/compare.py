"""⚖️ Compare: similar services side by side, labelled "similar", never "same"."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.compare import Comparison, Offer
from bot.views.text import esc

MAX_OFFERS = 8


def _flag(value: bool | None, yes: str, no: str, unstated: str) -> str:
    # None: the panel's catalog does not say (not the same as "no").
    return unstated if value is None else yes if value else no


def offer_details(t: Translator, offer: Offer) -> str:
    """Rate, quantity range, refill and cancel of an offer, on one line."""
    service = offer.service
    rate = t.money(service.rate, offer.currency)
    parts = [
        t._("{rate} per 1000", rate=rate),
        f"{t.number(service.min)}–{t.number(service.max)}",
        _flag(service.refill, t._("refill ✓"), t._("refill ✗"), t._("refill ?")),
        _flag(service.cancel, t._("cancel ✓"), t._("cancel ✗"), t._("cancel ?")),
    ]
    return " · ".join(parts)


def _offer(t: Translator, offer: Offer) -> str:
    service = offer.service
    head = f"<b>{esc(offer.panel)}</b> #{service.id} {esc(service.name)}"
    return f"{head}\n    {offer_details(t, offer)}"


def compare_text(t: Translator, comparison: Comparison) -> str:
    lines = [
        t._("⚖️ <b>Similar services</b> on your panels, by currency, closest and cheapest first"),
        t._("Similar, not the same: matched by type, quantity range, platform and kind."),
        "",
        t._("This card:"),
        _offer(t, comparison.base),
        "",
    ]
    if comparison.offers:
        currency: object = object()  # no group yet
        for n, offer in enumerate(comparison.offers[:MAX_OFFERS], start=1):
            if offer.currency != currency:
                # One heading per currency: rates in two currencies are never ranked together.
                currency = offer.currency
                lines.append(t._("In {currency}:", currency=esc(offer.currency or "?")))
            lines.append(f"{n}. {_offer(t, offer)}")
        rest = len(comparison.offers) - MAX_OFFERS
        if rest > 0:
            lines.append(t.ngettext("…and {n} more.", "…and {n} more.", rest))
    else:
        lines.append(t._("No similar service on your other panels."))
    if comparison.silent:
        lines += ["", t._("Not answering now: {panels}", panels=esc(", ".join(comparison.silent)))]
    return "\n".join(lines)


def order_here_label(t: Translator, offer: Offer) -> str:
    return t.plain("🛒 Order here: {panel} #{id}", panel=offer.panel, id=offer.service.id)
