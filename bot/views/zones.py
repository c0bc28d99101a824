"""Settings' time zone and quiet hours screens, and the words about muting an order's pushes."""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import Translator
from bot.storage.models import Order
from bot.views.order_history import STATUS_ICONS, status_label
from bot.views.text import code, esc
from bot.zones import QUIET_PRESETS, format_hours


def quiet_label(start: int | None, end: int | None) -> str | None:
    """ "23:00–08:00" for the Settings button; None when there are no quiet hours."""
    if start is None or end is None or start == end:
        return None
    return format_hours(start, end)


def quiet_presets() -> list[tuple[int, int, str]]:
    return [(a, b, format_hours(a, b)) for a, b in QUIET_PRESETS]


def zone_hint(t: Translator, suggested: str) -> str:
    """Under Settings while the user has no zone of their own and their language suggests one."""
    return t._(
        "🕒 Times are shown in {zone}. Yours may be {suggested}: tap 🕒 Time zone.",
        zone=esc(t.zone),
        suggested=esc(suggested),
    )


def zone_menu_text(t: Translator, now: float) -> str:
    return "\n".join(
        [
            t._("🕒 <b>Time zone</b>"),
            t._("Times are shown like this: {now}", now=esc(t.when(now))),
            "",
            t._("Pick your zone, or type its IANA name (Area/City, e.g. Europe/Berlin)."),
        ]
    )


def zone_question(t: Translator) -> str:
    return t._("Send your time zone's IANA name, e.g. Europe/Istanbul or America/New_York.")


def zone_unknown(t: Translator, text: str) -> str:
    return t._(
        "I do not know the time zone “{name}”. Send an IANA name such as Europe/Istanbul.",
        name=esc(text[:64]),
    )


def zone_set(t: Translator, now: float) -> str:
    """Said in the new zone: the name and what a time looks like now."""
    return t._("🕒 Time zone set to {zone}. Now: {now}", zone=esc(t.zone), now=esc(t.when(now)))


def quiet_menu_text(t: Translator, current: str | None) -> str:
    state = (
        t._("Now: {hours} ({zone})", hours=current, zone=esc(t.zone))
        if current
        else t._("Now: off")
    )
    return "\n".join(
        [
            t._("🌙 <b>Quiet hours</b>"),
            t._(
                "During quiet hours order pushes wait, and arrive as one message when they end. "
                "Hours are in your time zone ({zone}).",
                zone=esc(t.zone),
            ),
            state,
        ]
    )


def quiet_question(t: Translator) -> str:
    return t._("Send your quiet hours as from–to in your time zone, e.g. 23:00-08:00.")


def quiet_bad(t: Translator) -> str:
    return t._("That is not from–to hours. Example: 23:00-08:00.")


def quiet_set(t: Translator, hours: str | None) -> str:
    if hours is None:
        return t._("🔔 Quiet hours off.")
    return t._("🌙 Quiet hours set: {hours} ({zone}).", hours=hours, zone=esc(t.zone))


def mute_note(t: Translator, ref: str, *, muted: bool) -> str:
    """The toast after 🔕 / 🔔 on a card or push."""
    if muted:
        return t._("🔕 Order #{id} muted: no more pushes about it.", id=ref)
    return t._("🔔 Order #{id} unmuted.", id=ref)


def ref(order: Order) -> str:
    """How pushes name an order: its panel id, or L<local id> before the panel gave one."""
    return str(order.panel_order_id) if order.panel_order_id is not None else f"L{order.id}"


def _code_ref(order: Order) -> str:
    """`ref` in a message: the panel's id tap-to-copy."""
    return code(order.panel_order_id) if order.panel_order_id is not None else f"L{order.id}"


def digest_gone(t: Translator) -> str:
    return t._("These orders are no longer here.")


def digest_list(t: Translator, orders: list[Order], panels: Mapping[int, str] | None = None) -> str:
    """ "📋 List them" under a digest: one line per order it covers; `panels` (by slot, when
    the user has several) names each order's panel."""
    head = t.ngettext(
        "📋 <b>{n} order</b> in this update:", "📋 <b>{n} orders</b> in this update:", len(orders)
    )
    names = panels or {}
    lines = [
        f"{STATUS_ICONS.get(o.status or '', '❔')} #{_code_ref(o)}"
        + (f" · {esc(names[o.panel_slot])}" if o.panel_slot in names else "")
        + f" · {esc(o.service_name)} · "
        f"{status_label(t, o.status, o.raw_status)}" + (f"\n    {esc(o.link)}" if o.link else "")
        for o in orders
    ]
    return "\n".join([head, *lines])
