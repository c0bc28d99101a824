"""The duplicate-link guard's words (issue 24 item 3): a previewed link has an open order already.

Pure functions shared by the single and the bulk preview.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.panel.text import PanelText
from bot.services.link_guard import OpenOnLink, Sameness
from bot.views.text import code, esc


def open_note(t: Translator, match: OpenOnLink) -> str:
    """One line's note: which open order has the same page."""
    order = match.order
    if order.panel_order_id is None:
        return t._("an earlier order may or may not have been placed")
    if match.same is Sameness.SERVICE:
        return t._("order #{id} is still open", id=code(order.panel_order_id))
    return t._(
        "order #{id} of a similar service (#{service} {name}) is still open",
        id=code(order.panel_order_id),
        service=order.service_id,
        name=esc(_service_name(match)),
    )


def _service_name(match: OpenOnLink) -> PanelText:
    """The open order's service as the catalog names it now, else as it was ordered."""
    return match.service.name if match.service is not None else match.order.service_name


def single_warning(t: Translator, match: OpenOnLink | None, *, marked: bool = False) -> list[str]:
    """The single preview's paragraph about an open order on the same page (none without);
    `marked`: it warned before, so only Order anyway places it, though that order is done."""
    if match is None:
        return ["", anyway_hint(t)] if marked else []
    order = match.order
    if order.panel_order_id is None:
        head = t._(
            "⚠️ An order for this link is already on its way, or its outcome is unknown "
            "(see its card in /orders)."
        )
    elif match.same is Sameness.SERVICE:
        head = t._(
            "⚠️ You already have an open order for this link on this service: #{id}.",
            id=code(order.panel_order_id),
        )
    else:
        head = t._(
            "⚠️ You already have an open order for this link on a similar service: "
            "#{id} (#{service} {name}).",
            id=code(order.panel_order_id),
            service=order.service_id,
            name=esc(_service_name(match)),
        )
    return ["", head, anyway_hint(t)]


def anyway_hint(t: Translator) -> str:
    """Under every warning: why Confirm does not place it, and what does."""
    return t._(
        "Many panels refuse or lose a second order for a link that has one open. "
        "✅ Confirm will not place this; tap ⚠️ <b>Order anyway</b> if you mean it."
    )


def anyway_needed(t: Translator) -> str:
    """The alert of a plain Confirm on a preview that warned (at most 200 characters)."""
    return t._(
        "Nothing was ordered: this link already has an open order. "
        "Tap “⚠️ Order anyway” to place it all the same."
    )
