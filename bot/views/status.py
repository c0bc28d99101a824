"""/status, /refill, /refillstatus, /cancelorder and /export: their lines, questions and file."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from bot.csvfile import write_csv
from bot.i18n import N_, Translator
from bot.services.progress import Eta, progress_of
from bot.services.tracking import (
    ActionResult,
    OpenOrders,
    OrderAction,
    OrderRefillsLine,
    ParsedIds,
    RefillStatusLine,
    RequestOutcome,
    StatusLine,
)
from bot.storage.models import Order, SubmitState
from bot.views.order_history import (
    ONE_PANEL,
    STATUS_NAMES,
    PanelNames,
    action_line,
    not_on_key_line,
    ref,
    refill_history_line,
    refill_state_label,
    status_line,
    stored_status_line,
)
from bot.views.progress import short_eta, short_progress
from bot.views.reasons import reason_text
from bot.views.text import code, esc
from bot.zones import zone_info

# /export's columns, in a reseller's order: the panel's order id first (what they search by on the
# panel), then where and when, what, what it cost, and how far it got. Headers are the UI's words.
EXPORT_COLUMNS = (
    N_("Order ID"),
    N_("Panel"),
    N_("Created"),
    N_("Service ID"),
    N_("Service"),
    N_("Link"),
    N_("Quantity"),
    N_("Charge"),
    N_("Currency"),
    N_("Status"),
    N_("Remains"),
    N_("Start count"),
)
# Languages whose spreadsheets (Excel's regional settings) read `;` as the separator and `,` as
# the decimal mark: a comma-separated file with decimal points opens as one column of text there.
DECIMAL_COMMA_LANGUAGES = frozenset({"tr"})
SUBMIT_STATE_NAMES: dict[SubmitState, str] = {
    SubmitState.DRAFT: N_("preview, not confirmed"),
    SubmitState.SUBMITTING: N_("sending"),
    SubmitState.PLACED: N_("placed"),
    SubmitState.FAILED: N_("failed"),
    SubmitState.UNKNOWN: N_("not confirmed by the panel: check it there"),
    SubmitState.NOT_PLACED: N_("not placed (no such order on the panel)"),
}
# Bad tokens quoted back at most; the rest is "…".
INVALID_SHOWN = 20

USAGES: dict[str, str] = {
    "status": N_("Usage: /status <id> [<id> …] (ids separated by spaces or commas)"),
    "refill": N_("Usage: /refill <id> [<id> …]"),
    "refillstatus": N_("Usage: /refillstatus <refill or order id> [<id> …]"),
    "cancelorder": N_("Usage: /cancelorder <id> [<id> …]"),
}


def usage(t: Translator, command: str) -> str:
    """The command was given no order id it could read."""
    return esc(t._(USAGES[command]))


def invalid_line(t: Translator, parsed: ParsedIds) -> str | None:
    if not parsed.invalid:
        return None
    shown = ", ".join(parsed.invalid[:INVALID_SHOWN])
    if len(parsed.invalid) > INVALID_SHOWN:
        shown += " …"
    return t._("Not order ids, skipped: {tokens}", tokens=esc(shown))


def _with_invalid(t: Translator, lines: list[str], parsed: ParsedIds) -> list[str]:
    invalid = invalid_line(t, parsed)
    return [*lines, invalid] if invalid else lines


def _status_of(t: Translator, line: StatusLine, panels: PanelNames) -> str:
    if line.not_on_key and line.order is not None:
        return not_on_key_line(t, line.order, panels)
    return status_line(t, line.panel_id, line.status, line.slot, panels)


def status_lines(
    t: Translator,
    found: Sequence[StatusLine],
    parsed: ParsedIds,
    panels: PanelNames = ONE_PANEL,
    etas: Mapping[int, Eta] = MappingProxyType({}),
) -> list[str]:
    """/status with ids: one line per id (naming its panel when the user has several) with
    its progress and expected finish (`etas` by local order id), then the tokens that were
    not ids."""
    lines = [_status_of(t, s, panels) + _progress(t, s.order, etas) for s in found]
    return _with_invalid(t, lines, parsed)


def which_panel_question(t: Translator, panel_id: int, names: Sequence[str]) -> str:
    """A typed id that is an order (or refill) on several of the user's panels: which one?"""
    return t._(
        "#{id} is on several of your panels ({panels}): each panel numbers its orders "
        "itself. Which one do you mean? Nothing is sent before you choose.",
        id=code(panel_id),
        panels=esc(", ".join(names)),
    )


def open_orders_lines(
    t: Translator,
    result: OpenOrders,
    panels: PanelNames = ONE_PANEL,
    etas: Mapping[int, Eta] = MappingProxyType({}),
) -> list[str]:
    """/status alone: the open orders (with progress and expected finish, `etas` by local
    order id), then those that finished since the last look, then those the key linked now
    does not know; each group's title counts what it lists."""
    lines: list[str] = []
    if result.orders:
        lines.append(t._("<b>Open orders</b> ({n})", n=len(result.orders)))
        if result.stale:
            lines.append(t._("The panel is not answering: these are the last known statuses."))
        lines += [_listed(t, o, panels) + _progress(t, o, etas) for o in result.orders]
    if result.finished:
        if lines:
            lines.append("")
        lines.append(t._("<b>Finished since the last check</b> ({n})", n=len(result.finished)))
        lines += [_listed(t, o, panels) for o in result.finished]
    if result.not_on_key:
        if lines:
            lines.append("")
        lines.append(t._("<b>Not on this key</b> ({n})", n=len(result.not_on_key)))
        lines.append(
            t._(
                "The panel does not know these orders under the API key linked now (an order "
                "of another account's key?). They stay in /orders as last seen."
            )
        )
        lines += [not_on_key_line(t, o, panels) + _subject(o) for o in result.not_on_key]
    if not result.orders:
        lines.insert(0, t._("You have no open orders. /orders shows your history."))
        if len(lines) > 1:
            lines.insert(1, "")
    return lines


# A phone line holds about 32 characters of a name and a link each.
SUBJECT_PART = 32


def _listed(t: Translator, order: Order, panels: PanelNames) -> str:
    """/status alone: the order's status line, then what it is — its service and link."""
    return stored_status_line(t, order, panels) + _subject(order)


def _progress(t: Translator, order: Order | None, etas: Mapping[int, Eta]) -> str:
    """ "\n    ▰▰▰▱▱▱▱▱▱▱ 30% · ⏱ by …" under an order, when anything of it is known."""
    if order is None:
        return ""
    progress = progress_of(order)
    parts = [
        short_progress(progress) if progress is not None else "",
        short_eta(t, etas.get(order.id)),
    ]
    shown = " · ".join(p for p in parts if p)
    return f"\n    {shown}" if shown else ""


def _subject(order: Order) -> str:
    """ "Instagram Takipçi · instagram.com/p/abc" under a listed order, short enough for a phone."""
    parts = [_short(order.service_name.plain)]  # escaped below, whole
    if order.link:
        parts.append(short_link(order.link))
    return "\n    " + esc(" · ".join(p for p in parts if p))


def short_link(link: str) -> str:
    """A link without scheme, `www.` and trailing slash, cut to a phone's width."""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", link.strip(), flags=re.IGNORECASE)
    text = re.sub(r"^www\.", "", text, flags=re.IGNORECASE).rstrip("/")
    return _short(text)


def _short(text: str) -> str:
    return text if len(text) <= SUBJECT_PART else text[: SUBJECT_PART - 1] + "…"


def action_lines(
    t: Translator,
    action: OrderAction,
    results: Sequence[ActionResult],
    parsed: ParsedIds,
    panels: PanelNames = ONE_PANEL,
) -> list[str]:
    """/refill, or what /cancelorder cannot cancel: a line per order saying what `action` did
    or why not, then the tokens that were not ids."""
    lines = [action_line(t, r, action, panels) for r in results]
    return _with_invalid(t, lines, parsed)


def refill_status_line(
    t: Translator, line: RefillStatusLine, panels: PanelNames = ONE_PANEL
) -> str:
    shown_id = ref(line.refill_id, line.slot, panels)
    st = line.status
    if st is None:
        if line.error:
            reason = esc(reason_text(t, line.error))
            return t._("#{id} — not found ({reason})", id=shown_id, reason=reason)
        return t._("#{id} — not found", id=shown_id)
    shown = refill_state_label(t, st.state.value, st.raw_status)
    return t._("Refill #{id} — {status}", id=shown_id, status=shown)


def order_refills_lines(
    t: Translator, line: OrderRefillsLine, panels: PanelNames = ONE_PANEL
) -> list[str]:
    """/refillstatus given an order id: a title, then each refill of it, oldest first."""
    shown_id = ref(line.panel_id, line.slot, panels)
    if not line.refills:
        return [t._("<b>Order #{id}</b>: no refills requested yet", id=shown_id)]
    title = t.ngettext(
        "<b>Order #{id}</b>: {n} refill request",
        "<b>Order #{id}</b>: {n} refill requests",
        len(line.refills),
        id=shown_id,
    )
    return [title, *(f"  {refill_history_line(t, r)}" for r in line.refills)]


def refill_status_lines(
    t: Translator,
    lines: Sequence[RefillStatusLine | OrderRefillsLine],
    parsed: ParsedIds,
    panels: PanelNames = ONE_PANEL,
) -> list[str]:
    out: list[str] = []
    for line in lines:
        if isinstance(line, OrderRefillsLine):
            out += order_refills_lines(t, line, panels)
        else:
            out.append(refill_status_line(t, line, panels))
    return _with_invalid(t, out, parsed)


# --- /cancelorder ------------------------------------------------------------------------------


def cancel_check_lines(
    t: Translator,
    checked: Sequence[ActionResult],
    parsed: ParsedIds,
    panels: PanelNames = ONE_PANEL,
) -> list[str]:
    """The orders that cannot be cancelled (and why), then the tokens that were not ids."""
    refused = [r for r in checked if r.outcome is not RequestOutcome.REQUESTED]
    return action_lines(t, OrderAction.CANCEL, refused, parsed, panels)


def cancel_question_lines(
    t: Translator,
    refused: list[str],
    eligible: Sequence[ActionResult],
    panels: PanelNames = ONE_PANEL,
) -> list[str]:
    """What cannot be cancelled, then the question for the orders that can."""
    shown = ", ".join(f"#{ref(r.panel_id, r.slot, panels)}" for r in eligible)
    question = t.ngettext(
        "Cancel order {ids}?", "Cancel these {n} orders: {ids}?", len(eligible), ids=shown
    )
    return [*refused, "", question] if refused else [question]


def cancel_results(
    t: Translator, results: Sequence[ActionResult], panels: PanelNames = ONE_PANEL
) -> str:
    return "\n".join(action_line(t, r, OrderAction.CANCEL, panels) for r in results)


def nothing_cancelled(t: Translator) -> str:
    return t._("Nothing was cancelled.")


# --- /export -------------------------------------------------------------------------------------


def _blank(value: object) -> object:
    return "" if value is None else value


def _export_status(t: Translator, order: Order) -> str:
    """The panel's status once placed; before that, how far the submission got (and why not)."""
    if order.submit_state is SubmitState.NOT_PLACED:
        return t._("not placed")  # the user's own word: no reason to quote
    if order.submit_state is not SubmitState.PLACED:
        name = SUBMIT_STATE_NAMES.get(order.submit_state)
        state = t._(name) if name is not None else order.submit_state.value
        # A CSV cell is plain text: the reason as it reads, not escaped.
        reason = reason_text(t, order.error).plain
        return f"{state}: {reason}" if reason else state
    if order.status in STATUS_NAMES:
        return t._(STATUS_NAMES[order.status])
    return order.raw_status_text or order.status or t._("unknown")


def _export_row(
    t: Translator, o: Order, panel: str, amount: Callable[[Decimal], str]
) -> list[object]:
    # The panel's own charge once it said it; until then what the preview showed.
    charge = o.charge if o.charge is not None else o.cost
    return [
        _blank(o.panel_order_id),
        panel,
        # ISO 8601 with the offset of the user's zone: unambiguous in any spreadsheet.
        datetime.fromtimestamp(o.created_at, zone_info(t.zone)).isoformat(timespec="seconds"),
        o.service_id,
        o.service_name_text,  # a CSV cell is plain text
        _blank(o.link),
        _blank(o.quantity),
        amount(charge),
        _blank(o.currency_text),
        _export_status(t, o),
        _blank(o.remains),
        _blank(o.start_count),
    ]


def export_csv(
    t: Translator, orders: Sequence[Order], panels: Mapping[int, str] | None = None
) -> bytes:
    """/export: one row per order /orders shows, exact amounts, statuses in the user's words;
    `panels` names each order's panel account by slot (removed panels too). Turkish files are
    `;`-separated with decimal commas, so that Excel opens them as columns of numbers."""
    names = panels or {}
    comma = t.language in DECIMAL_COMMA_LANGUAGES

    def amount(value: Decimal) -> str:
        text = format(value, "f")
        return text.replace(".", ",") if comma else text

    header = [t._(column) for column in EXPORT_COLUMNS]
    rows = (_export_row(t, o, names.get(o.panel_slot, ""), amount) for o in orders)
    return write_csv(header, rows, delimiter=";" if comma else ",")


def export_caption(t: Translator, count: int) -> str:
    return t.ngettext("Your order history: {n} order.", "Your order history: {n} orders.", count)


def nothing_to_export(t: Translator) -> str:
    return t._("You have no orders to export yet.")
