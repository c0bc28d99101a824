"""What the Mini App's order form, bulk editor and orders list show: JSON, in the user's words.

Pure, like `bot.views`: the chat's own renderers give the texts (a preview, a result, a card
read exactly as in the chat, from the same catalogs), turned into plain text that the page
sets with `textContent`. Panel strings are escaped by those renderers and unescaped here again,
so the page shows them as the panel sent them and never as markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from bot.i18n import Translator
from bot.services.bulk_lines import BulkLine
from bot.services.bulk_orders import BulkDraft, PanelLines
from bot.services.order_form import FormCheck, FormField, OrderForm
from bot.services.ordering import Preview
from bot.services.tracking import CardActions
from bot.services.validation import InputError
from bot.storage.models import Order
from bot.views.errors import input_error_message
from bot.views.new_order import EDIT_LABELS, EXTRA_LABELS, prompt_values
from bot.views.order_history import card_text, order_icon, plain_status_words

_TAG = re.compile(r"<[^>]*>")


def plain(text: str) -> str:
    """A chat text (Telegram HTML) as plain text: our tags go, entities become characters."""
    return html.unescape(_TAG.sub("", text))


def money(t: Translator, amount: Decimal | None, currency: str | None) -> dict[str, str] | None:
    """An amount as exact text (for the page's sums) and as the user reads it: plain text, as
    the page sets it (`t.money` escapes a panel's own words for its currency, for a chat)."""
    if amount is None:
        return None
    return {"amount": str(amount), "text": plain(t.money(amount, currency))}


def error_json(t: Translator, error: InputError) -> str:
    return plain(input_error_message(t, error, escape=True))


def field_label(t: Translator, name: str) -> str:
    msgid = EDIT_LABELS.get(name) or EXTRA_LABELS.get(name)
    return t._(msgid) if msgid else name


def _field_json(t: Translator, form: OrderForm, field: FormField) -> dict[str, Any]:
    hint = t._(field.prompt_msgid, **prompt_values(t, form.service))
    return {
        "name": field.name,
        "kind": field.kind.value,
        "label": field_label(t, field.name),
        "hint": plain(hint),
        "optional": field.optional,
        "depends_on": field.depends_on,
        "low": field.bounds[0],
        "high": field.bounds[1],
        "lines": list(field.lines) if field.lines else None,
        "picks": [{"value": v, "text": t.number(v)} for v in field.picks],
    }


def form_json(
    t: Translator,
    form: OrderForm,
    *,
    slot: int,
    panel: str,
    currency: str | None,
    recent_links: Sequence[str] = (),
) -> dict[str, Any]:
    service = form.service
    return {
        "service": {
            "id": service.id,
            # Plain text: the page sets it as text (textContent), never as markup.
            "name": service.name_text,
            "category": service.category_text,
            "rate": money(t, service.rate, currency),
            "min": service.min,
            "max": service.max,
            "limits": f"{t.number(service.min)}–{t.number(service.max)}",
            "description": service.description_text or "",
        },
        "slot": slot,
        "panel": panel,
        "dripfeed": form.dripfeed.value,
        "counted_by": form.counted_by,
        "fields": [_field_json(t, form, f) for f in form.fields],
        "recent_links": list(recent_links),
    }


def check_json(t: Translator, check: FormCheck, currency: str | None) -> dict[str, Any]:
    return {
        "errors": {name: error_json(t, err) for name, err in check.errors.items()},
        "ready": check.ready,
        "cost": money(t, check.cost, currency),
    }


def preview_json(t: Translator, preview: Preview, text: str) -> dict[str, Any]:
    """A single order's Review: the draft its Confirm places, and the chat's preview text."""
    return {
        "batch": preview.batch,
        "order_id": preview.order.id,
        "text": plain(text),
        "cost": money(t, preview.cost, preview.currency),
        "short": preview.balance_short,
        # It warned of an open order on its link (now or before): only "Order anyway" places it.
        "anyway": preview.needs_anyway,
    }


def _line_json(t: Translator, line: BulkLine, currency: str | None) -> dict[str, Any]:
    return {
        "line_no": line.line_no,
        "ok": line.ok,
        "error": error_json(t, line.error) if line.error is not None else None,
        "service": line.service.name_text if line.service is not None else None,
        "cost": money(t, line.cost, currency),
        "duplicate_of": line.duplicate_of,
    }


def bulk_check_json(
    t: Translator, groups: Sequence[PanelLines], currencies: Mapping[int, str | None]
) -> dict[str, Any]:
    """The editor's rows as typed: each line's verdict, and the total of each panel."""
    panels = []
    for group in groups:
        currency = currencies.get(group.slot)
        preview = group.preview
        panels.append(
            {
                "slot": group.slot,
                "panel": group.panel_name,
                "too_many": preview.too_many,
                "valid": len(preview.valid),
                "errors": len(preview.errors),
                "total": money(t, preview.total_cost, currency),
                "lines": [_line_json(t, line, currency) for line in preview.lines],
            }
        )
    return {"panels": panels}


def bulk_preview_json(
    t: Translator, draft: BulkDraft, text: str, slot: int | None
) -> dict[str, Any]:
    return {
        "batch": draft.batch,
        "slot": slot,
        "panel": draft.panel_name,
        "text": plain(text),
        "valid": len(draft.preview.valid),
        "affordable": draft.affordable,
        "total": money(t, draft.preview.total_cost, draft.currency),
        # It warned of links with open orders (or twice in the list): only "Order anyway".
        "anyway": draft.needs_anyway,
    }


def order_row_json(t: Translator, order: Order, panels: Mapping[int, str]) -> dict[str, Any]:
    """One line of the orders list; `id` is our row id, the one every action takes."""
    return {
        "id": order.id,
        "panel_order_id": order.panel_order_id,
        "panel": panels.get(order.panel_slot, "") if len(panels) > 1 else "",
        "icon": order_icon(order),
        # Plain text: the page sets it as text (HTML-escaped, it would read "&lt;").
        "status": plain_status_words(t, order),
        "service": order.service_name_text,
        "link": order.link or "",
        "quantity": t.number(order.quantity) if order.quantity is not None else "",
        "created": t.when(order.created_at),
    }


def card_json(
    t: Translator,
    order: Order,
    actions: CardActions,
    panel: str,
    note: str | None = None,
) -> dict[str, Any]:
    """An order card: the chat's card text, and which of Refill and Cancel it offers."""
    return {
        "id": order.id,
        "text": plain(card_text(t, order, note, actions.refills, panel)),
        "refill": actions.refill,
        "cancel": actions.cancel,
    }
