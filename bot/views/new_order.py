"""What /order shows: the questions, the preview, the result, and the answers to old previews.

Pure functions (data and a translator in, HTML text out), so they can be timed and tested
without Telegram.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.i18n import N_, Translator
from bot.panel.errors import PanelRejected
from bot.panel.models import Balance, Service
from bot.panel.text import PanelText
from bot.services.charges import Charge
from bot.services.order_types import (
    FieldSpec,
    OrderKind,
    mentions_dripfeed,
    order_kind,
    prompt_params,
)
from bot.services.ordering import OrderOutcome, Preview, Repriced, SubmitResult
from bot.services.validation import InputError
from bot.storage.models import Order, SubmitState
from bot.views.errors import (
    download_failed,
    input_error_message,
    panel_error_text,
    something_wrong,
)
from bot.views.link_guard import single_warning
from bot.views.progress import expected_line
from bot.views.text import code, cut, esc, with_notice

# Parameters that hold one item per line: the preview counts their lines.
LIST_PARAMS = frozenset({"comments", "usernames", "hashtags", "groups"})
# Labels of the type-specific parameters in the preview.
EXTRA_LABELS: dict[str, str] = {
    "comments": N_("Comments"),
    "usernames": N_("Usernames"),
    "hashtags": N_("Hashtags"),
    "hashtag": N_("Hashtag"),
    "username": N_("Username"),
    "media": N_("Media link"),
    "answer_number": N_("Answer number"),
    "groups": N_("Groups"),
    "min": N_("Minimum per post"),
    "max": N_("Maximum per post"),
    "posts": N_("New posts"),
    "old_posts": N_("Existing posts"),
    "delay": N_("Delay (minutes)"),
    "expiry": N_("Expires"),
}


# The ✏️ Edit buttons' names of the answers that have no label in EXTRA_LABELS.
EDIT_LABELS: dict[str, str] = {
    "link": N_("Link"),
    "quantity": N_("Quantity"),
    "runs": N_("Runs"),
    "interval": N_("Interval"),
}


def error_text(t: Translator, err: InputError) -> str:
    """A validator's message in the user's language; its parameters may quote their input."""
    return "⚠️ " + input_error_message(t, err, escape=True)


def lines_of(value: Any) -> int:
    """Non-blank lines of a list answer."""
    return sum(1 for line in str(value).splitlines() if line.strip())


# --- the questions ------------------------------------------------------------------------------


def pick_service(t: Translator, notice: str | None = None) -> str:
    return with_notice(
        notice,
        t._("Which service? Send its ID (e.g. 12), a few words to search, or browse the catalog."),
    )


def no_such_service(t: Translator, service_id: int) -> str:
    return "⚠️ " + t._("There is no service with ID {id}.", id=service_id)


def header(t: Translator, service: Service) -> str:
    return t._("🛒 Ordering <b>#{id} {name}</b>", id=service.id, name=esc(service.name))


def prompt_values(t: Translator, service: Service) -> dict[str, Any]:
    """The prompts' placeholders with every number formatted as the cards show them."""
    values: dict[str, Any] = {}
    for key, value in prompt_params(service).items():
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            values[key] = t.number(value)
        else:
            values[key] = value
    return values


def question(t: Translator, service: Service, spec: FieldSpec, *, dripfeed: bool) -> str:
    """One question of the service's plan; `dripfeed`: the quantity is per run."""
    text = header(t, service) + "\n\n" + t._(spec.prompt_msgid, **prompt_values(t, service))
    if spec.name == "quantity" and dripfeed:
        text += "\n\n" + t._(
            "⏱ Drip-feed is on: send the quantity for each run; "
            "the number of runs and the interval come next."
        )
    if spec.multiline:
        # One message holds 4,096 characters: a long list comes in several, or as a file.
        text += "\n" + t._(
            "📄 Send them in one or more messages, then tap ✅ Done; "
            "or send a .txt or .csv file, one per line."
        )
    return text


def previous_answer(t: Translator, name: str, value: Any) -> str:
    """The answer given before, under a question asked again (✏️ Edit or « Back)."""
    if isinstance(value, list | tuple):
        shown = t.ngettext("{n} line", "{n} lines", len(value))
    elif name in LIST_PARAMS or (isinstance(value, str) and "\n" in value):
        shown = t.ngettext("{n} line", "{n} lines", lines_of(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        shown = t.number(value)
    else:
        shown = esc(value)
    return t._("Previous answer: {answer}", answer=shown)


def dripfeed_question(t: Translator, service: Service) -> str:
    """The panel says the service takes drip-feed: ask whether to use it (Yes / No)."""
    return (
        header(t, service)
        + "\n\n"
        + t._("This service can deliver in portions (drip-feed). Use drip-feed?")
    )


def use_buttons(t: Translator) -> str:
    return "⚠️ " + t._("Please answer with the buttons.")


def send_lines(t: Translator) -> str:
    """A list question got neither text nor a file."""
    return "⚠️ " + t._("Send the lines as text, or as a .txt or .csv file.")


def file_not_read(t: Translator) -> str:
    return "⚠️ " + download_failed(t)


def file_accepted(t: Translator, count: int) -> str:
    return "📄 " + t.ngettext(
        "{n} line accepted from the file.", "{n} lines accepted from the file.", count
    )


# --- the preview --------------------------------------------------------------------------------


def render_preview(t: Translator, preview: Preview) -> str:
    """The confirmation text: what is ordered, what it costs, and what to watch out for."""
    lines = [
        *_preview_head(t, preview),
        *_quantity_lines(t, preview.params),
        *_extra_lines(t, preview.params),
        _cost_line(t, preview),
        *_balance_lines(t, preview),
        *expected_line(t, preview.expected),
        *single_warning(t, preview.duplicate, marked=preview.marked),
    ]
    return "\n".join(lines)


def edit_buttons(t: Translator, preview: Preview) -> list[tuple[str, str]]:
    """(field, label) of each ✏️ Edit under the preview: every question of the service's
    type that applies, answered or skipped (the interval only with drip-feed runs)."""
    found = []
    dripfeed = "runs" in preview.params
    for spec in preview.plan.fields:
        if spec.name in ("runs", "interval") and not dripfeed:
            # ✏️ Runs on an ordinary order would quietly turn drip-feed on: that is a choice
            # made at the quantity (⏱), not an edit.
            continue
        if spec.name in preview.params or (spec.optional and spec.applies(preview.params)):
            label = EDIT_LABELS.get(spec.name) or EXTRA_LABELS.get(spec.name) or spec.name
            found.append((spec.name, t._(label)))
    return found


def _preview_head(t: Translator, preview: Preview) -> list[str]:
    service, link = preview.service, preview.params.get("link")
    lines = [
        t._("<b>Please check your order</b>"),
        "",
        t._("Service: #{id} {name}", id=service.id, name=esc(service.name)),
    ]
    if preview.panel_name:
        lines.insert(2, t._("Panel: <b>{panel}</b>", panel=esc(preview.panel_name)))
    if link:
        lines.append(t._("Link: {link}", link=esc(link)))
    return lines


def _quantity_lines(t: Translator, params: dict[str, Any]) -> list[str]:
    """The quantity; with drip-feed, per run, then the runs, interval and total."""
    quantity, runs = params.get("quantity"), params.get("runs")
    if quantity is None:
        return []
    if runs is None:
        return [t._("Quantity: {quantity}", quantity=t.number(int(quantity)))]
    return [
        t._("Quantity per run: {quantity}", quantity=t.number(int(quantity))),
        t._(
            "Drip-feed: {runs} runs, every {interval} min — {total} in total",
            runs=t.number(int(runs)),
            interval=t.number(int(params.get("interval") or 0)),
            total=t.number(int(quantity) * int(runs)),
        ),
    ]


def _extra_lines(t: Translator, params: dict[str, Any]) -> list[str]:
    """The type-specific answers; lists are shown as their number of lines."""
    lines = []
    for name, label in EXTRA_LABELS.items():
        value = params.get(name)
        if value is None:
            continue
        if name in LIST_PARAMS or (isinstance(value, str) and "\n" in value):
            items = list_items(value)
            shown = t.ngettext("{n} line", "{n} lines", len(items))
            lines.append(f"{t._(label)}: {shown}")
            lines += _first_items(t, items)
            continue
        lines.append(f"{t._(label)}: {esc(value)}")
    return lines


# The preview shows a list answer's first lines; a longer one comes as a file beside it.
PREVIEW_LIST_LINES = 3


def list_items(value: Any) -> list[str]:
    """A list answer's non-blank lines, stripped."""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def _first_items(t: Translator, items: list[str]) -> list[str]:
    shown = [f"  {n}. {esc(cut(item, 80))}" for n, item in enumerate(items[:PREVIEW_LIST_LINES], 1)]
    more = len(items) - PREVIEW_LIST_LINES
    if more > 0:
        shown.append(
            "  "
            + t.ngettext(
                "… and {n} more (the whole list is in the file below)",
                "… and {n} more (the whole list is in the file below)",
                more,
            )
        )
    return shown


def long_lists(t: Translator, params: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    """(file name, content, caption) of each list answer too long for the preview to show."""
    files = []
    for name, label in EXTRA_LABELS.items():
        value = params.get(name)
        if value is None or name not in LIST_PARAMS:
            continue
        items = list_items(value)
        if len(items) > PREVIEW_LIST_LINES:
            caption = f"📄 {t._(label)}: " + t.ngettext("{n} line", "{n} lines", len(items))
            files.append((f"{name}.txt", "\n".join(items).encode("utf-8"), caption))
    return files


def _cost_line(t: Translator, preview: Preview) -> str:
    if preview.cost is None:
        rate = t.money(preview.service.rate, preview.currency)
        return t._("Cost: charged per new post ({rate} per 1000)", rate=rate)
    return t._("Cost: <b>{cost}</b>", cost=t.money(preview.cost, preview.currency))


def _balance_lines(t: Translator, preview: Preview) -> list[str]:
    """The balance before and after; a warning when it does not cover the cost."""
    balance, after, currency = preview.balance, preview.balance_after, preview.currency
    if balance is None:
        return [t._("Balance: unknown (the panel did not answer)")]
    if after is None:
        return [t._("Balance: {balance}", balance=t.balance(balance.amount, currency))]
    lines = [
        t._(
            "Balance: {balance} → {after} after this order",
            balance=t.balance(balance.amount, currency),
            after=t.balance(after, currency),
        )
    ]
    if preview.balance_short:
        warning = t._(
            "⚠️ Your balance is short by {missing}. You can still confirm, "
            "but the panel will probably refuse the order.",
            missing=t.money(-after, currency),
        )
        lines += ["", warning]
    return lines


def render_repriced(t: Translator, repriced: Repriced) -> str:
    """Confirm found the service changed: what changed (old → new) and the fresh preview."""
    lines = [t._("⚠️ The panel changed this service after your preview, so nothing was ordered.")]
    fresh, old = repriced.fresh, repriced.old
    if fresh is None:
        if repriced.problem is not None:
            lines.append(error_text(t, repriced.problem))
        return "\n".join(lines)
    currency = fresh.currency or old.currency
    if fresh.cost is not None and old.cost:
        old_cost, new_cost = t.money(old.cost, currency), t.money(fresh.cost, currency)
        lines.append(t._("Cost: {old} → <b>{new}</b>", old=old_cost, new=new_cost))
    elif repriced.old_rate is not None:
        old_rate = t.money(repriced.old_rate, currency)
        new_rate = t.money(fresh.service.rate, currency)
        lines.append(t._("Rate per 1000: {old} → <b>{new}</b>", old=old_rate, new=new_rate))
    return "\n".join(lines) + "\n\n" + render_preview(t, fresh)


# --- after Confirm ------------------------------------------------------------------------------


def sending(t: Translator) -> str:
    """Shown once the claim is won, in place of the preview (its buttons go away)."""
    return t._("⏳ Sending your order to the panel…")


def discarded(t: Translator) -> str:
    return t._("Order cancelled. Nothing was sent.")


def already_text(t: Translator, order: Order | None) -> str:
    """The answer to a second tap on a preview that was already handled."""
    if order is None:
        return t._("This preview has expired. Please start a new order.")
    if order.submit_state is SubmitState.PLACED:
        return t._("Already submitted (order #{id}).", id=order.panel_order_id)
    if order.submit_state is SubmitState.SUBMITTING:
        return t._("This order is being submitted right now.")
    if order.submit_state is SubmitState.UNKNOWN:
        return t._(
            "Already submitted, but the panel never confirmed it. "
            "Check the panel before ordering again."
        )
    return t._("This order was already tried and not placed. Please start a new order.")


def dripfeed_refused(result: SubmitResult) -> bool:
    """The panel refused a drip-feed order for its drip-feed (it lists no drip-feed flag)."""
    return (
        result.outcome is OrderOutcome.FAILED
        and result.order is not None
        and result.order.runs is not None
        and isinstance(result.error, PanelRejected)
        and mentions_dripfeed(result.error.message.plain)
    )


def render_result(
    t: Translator,
    result: SubmitResult,
    balance: Balance | None = None,
    currency: str | None = None,
    panel: str = "",
) -> str:
    """The confirm's outcome: a placed order shows what it cost and `balance` (read after
    it); a drip-feed refusal says the order can go without drip-feed. `currency` (the
    account's) prices the amounts of a balance refusal; `panel` names the order's panel
    (given when the user has several)."""
    if result.outcome is OrderOutcome.PLACED:
        return _placed_text(t, result, balance, panel)
    if result.outcome is OrderOutcome.UNKNOWN:
        return (
            t._(
                "⚠️ The panel did not answer in time, so I cannot tell whether the order was "
                "placed. Please check your orders on the panel before ordering again."
            )
            + "\n"
            + settle_hint(t)
        )
    if result.error is None:
        reason = something_wrong(t)
    else:
        reason = panel_error_text(t, result.error, currency)
    text = t._("❌ The order was not placed.") + "\n" + reason
    if not dripfeed_refused(result):
        return text
    return (
        text
        + "\n\n"
        + t._(
            "This panel does not take drip-feed for this service. "
            "You can order it without drip-feed: everything in one delivery."
        )
    )


def settle_hint(t: Translator) -> str:
    """Under an unknown outcome: what its buttons are for."""
    return t._(
        "Then tell me what you found with the buttons below. Nothing is sent to the panel again."
    )


def _placed_text(
    t: Translator, result: SubmitResult, balance: Balance | None, panel: str = ""
) -> str:
    order = result.order
    # "#23501 · Beta" with several panels: another panel may have an order #23501 too.
    pid = code(result.panel_order_id)
    shown = f"{pid} · {esc(panel)}" if panel else pid
    text = t._("✅ Order placed: #{id}", id=shown)
    if order is not None:
        text += "\n" + t._(
            "Service: #{id} {name}", id=order.service_id, name=esc(order.service_name)
        )
        if order.link:
            text += "\n" + t._("Link: {link}", link=esc(order.link))
        text += "\n" + _charge_text(t, order, balance, result.charge)
    if balance is not None:
        currency = balance.currency or (order.currency if order is not None else None)
        text += "\n" + t._("Balance now: {balance}", balance=t.balance(balance.amount, currency))
    return text


def _charge_text(
    t: Translator, order: Order, balance: Balance | None, charge: Charge | None = None
) -> str:
    """The cost shown, or what the panel said it charged (plainly, when that differs)."""
    if order_kind(order.service_type) is OrderKind.SUBSCRIPTIONS:
        # Billed by the panel per future post: nothing was known upfront.
        return t._("Charge: per new post, as the panel bills it")
    currency = order.currency or (balance.currency if balance is not None else None)
    if charge is None:
        return t._("Charge: {amount}", amount=t.money(order.cost, currency))
    return charge_text(t, charge, currency)


def charge_text(t: Translator, charge: Charge, currency: PanelText | str | None) -> str:
    """A placed order's charge as the panel reported it; says so when it is not the cost
    the preview showed."""
    currency = currency or charge.currency
    charged = t.money(charge.charged, currency)
    if not charge.differs:
        return t._("Charge: {amount}", amount=charged)
    return t._(
        "⚠️ Charged {charged}, not the {shown} shown: the panel's price changed.",
        charged=charged,
        shown=t.money(charge.shown, currency),
    )
