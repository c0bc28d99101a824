"""The price watch's texts (issue 24 part 1): the digest push, /prices, the Settings threshold.

Names come from panels and labels from users: both are escaped wherever they are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.i18n import Translator
from bot.services.notifications.compose import Notification
from bot.services.pricewatch import LIST_MAX, percent_change
from bot.storage.pricewatch import ChangeKind, PriceChange
from bot.views.text import esc, fit_label
from bot.zones import zone_info

# A service's name in a line: long panel names would push the figures off a phone's screen.
CHANGE_NAME_MAX = 48


def _decimal(text: str | None) -> Decimal | None:
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None


def _icon(change: PriceChange) -> str:
    if change.kind is ChangeKind.RATE:
        old, new = _decimal(change.old), _decimal(change.new)
        return "📉" if old is not None and new is not None and new < old else "📈"
    if change.kind is ChangeKind.GONE:
        return "🚫"
    if change.kind is ChangeKind.BACK:
        return "✅"
    return "↕️"


def percent(t: Translator, old: Decimal, new: Decimal) -> str:
    """ "+12%", "−9%": whole percents, rounded half up; empty from a rate of zero."""
    change = percent_change(old, new)
    if change is None:
        return ""
    whole = change.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "+" if whole > 0 else "−" if whole < 0 else "±"
    return t._("{sign}{n}%", sign=sign, n=t.number(abs(whole)))


def _rate_text(t: Translator, change: PriceChange) -> str:
    old, new = _decimal(change.old), _decimal(change.new)
    if old is None or new is None:
        return ""
    shown = f"{t.money(old, None)} → {t.money(new, None)}"
    moved = percent(t, old, new)
    return f"{shown} ({moved})" if moved else shown


def change_line(t: Translator, panel: str, change: PriceChange) -> str:
    """ "📈 alpha: #101 Instagram Followers 12.50 → 14.00 (+12%)"."""
    name = esc(fit_label("", change.name.plain, "", CHANGE_NAME_MAX))  # cut, then escaped
    head = f"{_icon(change)} " + (f"<b>{esc(panel)}</b>: " if panel else "")
    head += f"#{change.service_id} {name}"
    old, new = esc(change.old or ""), esc(change.new or "")
    if change.kind is ChangeKind.RATE:
        return f"{head} {_rate_text(t, change)}"
    if change.kind is ChangeKind.MIN:
        return t._("{service}: min {old} → {new}", service=head, old=old, new=new)
    if change.kind is ChangeKind.MAX:
        return t._("{service}: max {old} → {new}", service=head, old=old, new=new)
    if change.kind is ChangeKind.GONE:
        return t._("{service}: no longer listed", service=head)
    rate = _decimal(change.new)
    shown = t.money(rate, None) if rate is not None else new
    return t._("{service}: listed again at {rate}", service=head, rate=shown)


def price_digest(
    t: Translator, panel: str, slot: int, changes: Sequence[PriceChange]
) -> Notification:
    """One push per panel: a line per change, a button to each service's card."""
    lines = [change_line(t, panel, c) for c in changes]
    cards = tuple(dict.fromkeys((slot, c.service_id) for c in changes))
    return Notification("\n".join(lines), mutable=False, cards=cards)


def _day(t: Translator, at: float) -> str:
    moment = dt.datetime.fromtimestamp(at, zone_info(t.zone))
    return f"{t.day(moment.date())} {moment:%H:%M}"


def prices_text(t: Translator, changes: Sequence[PriceChange], panels: Mapping[int, str]) -> str:
    """/prices: the last 7 days of changes, newest first; `panels` names the accounts (empty
    with a single panel: no name on each line)."""
    if not changes:
        return t._(
            "No price changes in the last 7 days.\n"
            "Watched: the services you starred (★) and those you ordered in the last 30 days."
        )
    lines = [t._("<b>Price changes, last 7 days</b>")]
    lines += [f"{_day(t, c.at)} {change_line(t, panels.get(c.slot, ''), c)}" for c in changes]
    if len(changes) >= LIST_MAX:
        lines.append(t._("(the latest {n})", n=t.number(LIST_MAX)))
    return "\n".join(lines)


def threshold_text(t: Translator, current: Decimal) -> str:
    return t._(
        "<b>Price alerts</b>\n"
        "Tell me when a watched service's rate moves by at least {n}%.\n"
        "Watched: the services you starred (★) and those you ordered in the last 30 days. "
        "Min, max and a service gone or back are always told.",
        n=t.decimal(current),
    )


def threshold_set(t: Translator, percent: Decimal) -> str:
    return t._("Price alerts at {n}% or more.", n=t.decimal(percent))


def muted_note(t: Translator, *, muted: bool) -> str:
    return t._("Price alerts muted for this service.") if muted else t._("Price alerts on.")
