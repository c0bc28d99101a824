"""Scheduled orders on screen (pure): the time question, the confirmation, /scheduled and the
notices of each run (the outbox's SCHEDULED kind, via bot/views/notifications.py)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.i18n import Translator
from bot.panel.text import PanelText
from bot.services.drafts import DraftRefusal
from bot.services.notifications.compose import Notification
from bot.services.schedule_times import MAX_AHEAD_DAYS, TimeProblem
from bot.services.schedules import Answer, ScheduleEvent
from bot.storage.models import Order, OrderDraft
from bot.storage.schedules import Every, Schedule, ScheduleState
from bot.views.new_order import already_text
from bot.views.previews import cancelled_text, closed_text, replaced_text
from bot.views.text import code, esc


def _what(order: OrderDraft | Order) -> str:
    """Service, link and quantity: what the preview showed, in one line."""
    parts = [f"<b>{esc(order.service_name)}</b>"]
    if order.link:
        parts.append(esc(order.link))
    if order.quantity is not None:
        parts.append(f"× {order.quantity}")
    return " ".join(parts)


def _decimal(raw: object) -> Decimal | None:
    try:
        return None if raw is None else Decimal(str(raw))
    except InvalidOperation:
        return None


def repeat_text(t: Translator, every: Every, times: int) -> str:
    if every is Every.DAILY:
        return t.ngettext("daily, {n} time", "daily, {n} times", times)
    if every is Every.WEEKLY:
        return t.ngettext("weekly, {n} time", "weekly, {n} times", times)
    return t._("once")


def ask_time(t: Translator) -> str:
    return t._(
        "🕒 When should I place this order? Pick a time, or type one in your time zone "
        "({zone}): <code>21:30</code>, <code>24.12 09:00</code>, <code>+30m</code> or "
        "<code>+2h</code>.",
        zone=esc(t.zone),
    )


def time_problem(t: Translator, problem: TimeProblem) -> str:
    if problem is TimeProblem.PAST:
        return t._("⚠️ That time has passed (or is less than a minute away). Pick a later one.")
    if problem is TimeProblem.TOO_FAR:
        return t._(
            "⚠️ That is too far ahead: at most {days} days. Pick an earlier time.",
            days=MAX_AHEAD_DAYS,
        )
    return t._(
        "⚠️ I could not read that time. Type it like <code>21:30</code>, "
        "<code>24.12 09:00</code>, <code>+30m</code> or <code>+2h</code>."
    )


def ask_repeat(t: Translator, at: float) -> str:
    return t._("🕒 {when}. Place it once, or repeat it?", when=esc(t.when(at)))


def ask_times(t: Translator, at: float, every: Every) -> str:
    if every is Every.WEEKLY:
        return t._("🔁 Weekly from {when}. How many times in all?", when=esc(t.when(at)))
    return t._("🔁 Daily from {when}. How many times in all?", when=esc(t.when(at)))


def scheduled_text(t: Translator, schedule: Schedule) -> str:
    """The preview became a schedule: what, when, how often."""
    return t._(
        "🕒 Scheduled: {what}, {cost}, on {when} ({repeat}). The price is checked again at "
        "that time: if it is higher, I ask you first. /scheduled lists what is waiting.",
        what=_what(schedule.order),
        cost=t.money(schedule.order.cost, schedule.order.currency),
        when=esc(t.when(schedule.next_at)),
        repeat=repeat_text(t, schedule.every, schedule.times),
    )


def _line(t: Translator, n: int, schedule: Schedule) -> str:
    state = ""
    if schedule.state is ScheduleState.HELD:
        state = " " + t._("(on hold: the price rose)")
    elif schedule.state is ScheduleState.MISSED:
        state = " " + t._("(missed: waiting for your answer)")
    left = ""
    if schedule.every is not Every.ONCE:
        left = ", " + t.ngettext("{n} run left", "{n} runs left", schedule.left)
    return (
        f"{n}. {esc(t.when(schedule.next_at))}{state}\n   {_what(schedule.order)}, "
        f"{t.money(schedule.order.cost, schedule.order.currency)}{left}"
    )


def schedules_list(t: Translator, schedules: list[Schedule]) -> str:
    """/scheduled: what is waiting, the soonest first."""
    if not schedules:
        return t._("🕒 No scheduled orders. Use “🕒 Later” under an order's preview to add one.")
    lines = [t._("🕒 <b>Scheduled orders</b>")]
    lines += [_line(t, n, s) for n, s in enumerate(schedules, start=1)]
    return "\n".join(lines)


def cancel_result(t: Translator, done: bool) -> str:
    if done:
        return t._("✖️ Scheduled order cancelled: nothing will be placed.")
    return t._("This scheduled order is no longer waiting.")


def refused_text(t: Translator, refusal: DraftRefusal | None) -> str:
    """Why "🕒 Later" cannot take this preview: what its Confirm would have said."""
    if refusal is DraftRefusal.REPLACED:
        return replaced_text(t)
    if refusal is DraftRefusal.CANCELLED:
        return cancelled_text(t, 1)
    if refusal in (DraftRefusal.EXPIRED, DraftRefusal.KEY_CHANGED):
        return closed_text(t, expired=refusal is DraftRefusal.EXPIRED)
    return already_text(t, None)


def answered(t: Translator, answer: Answer, place: bool) -> str:
    """The short answer to ✅ Place / ✖️ Skip (the run's result follows as a message)."""
    if answer is Answer.GONE:
        return t._("This scheduled order is no longer waiting.")
    if place:
        return t._("Placing it now…")
    return t._("Skipped.")


def scheduled(
    t: Translator, schedule: Schedule, payload: Mapping[str, Any], order: Order | None
) -> Notification:
    """A run's notice (the outbox's SCHEDULED kind)."""
    event = str(payload.get("event"))
    what = _what(order if order is not None else schedule.order)
    if event == ScheduleEvent.PLACED and order is not None:
        ref = code(order.panel_order_id) if order.panel_order_id is not None else f"L{order.id}"
        text = t._(
            "🕒 Scheduled order placed: #{id} {what}, {cost}.",
            id=ref,
            what=what,
            cost=t.money(order.cost, order.currency),
        )
        return Notification(text + _next(t, schedule), order.id, mutable=False)
    if event in (ScheduleEvent.HELD, ScheduleEvent.MISSED):
        return _question(t, schedule, payload, what)
    return Notification(_not_placed(t, event, payload, what, schedule) + _next(t, schedule))


def _question(
    t: Translator, schedule: Schedule, payload: Mapping[str, Any], what: str
) -> Notification:
    ask = (schedule.id, int(payload.get("run") or 0))
    if payload.get("event") == ScheduleEvent.MISSED:
        text = t._(
            "🕒 The order scheduled for {when} was not placed while the bot was down: {what}, "
            "{cost}. Place it now (at a price no higher than you saw), or skip it?",
            when=esc(t.when(schedule.next_at)),
            what=what,
            cost=t.money(schedule.order.cost, schedule.order.currency),
        )
        return Notification(text, mutable=False, ask=ask)
    new = _decimal(payload.get("cost"))
    currency = schedule.order.currency
    text = t._(
        "🕒 On hold: the price of {what} rose from {old} to {new} since you scheduled it. "
        "Place it at the new price, or skip it?",
        what=what,
        old=t.money(schedule.order.cost, schedule.order.currency),
        new=t.money(new, currency) if new is not None else "?",
    )
    return Notification(text, mutable=False, ask=ask)


def _not_placed(
    t: Translator, event: str, payload: Mapping[str, Any], what: str, schedule: Schedule
) -> str:
    if event == ScheduleEvent.SKIPPED:
        return t._("✖️ Skipped: the scheduled order {what}.", what=what)
    if event == ScheduleEvent.KEY_CHANGED:
        return t._(
            "🕒 Not placed: {what}. Your panel key changed since you scheduled it, so the "
            "schedule is cancelled. Make a new preview to schedule it again.",
            what=what,
        )
    if event == ScheduleEvent.BALANCE:
        # The panel's currency (a balance it sent), kept plain in the outbox's JSON.
        currency = PanelText(str(payload.get("currency") or "")) or schedule.order.currency
        balance, cost = _decimal(payload.get("balance")), _decimal(payload.get("cost"))
        return t._(
            "🕒 Not placed: {what}. It costs {cost} and the balance is {balance}.",
            what=what,
            cost=t.money(cost, currency) if cost is not None else "?",
            balance=t.balance(balance, currency) if balance is not None else "?",
        )
    if event == ScheduleEvent.CHANGED:
        return t._(
            "🕒 Not placed: {what}. The service is gone from the panel or no longer takes this "
            "order as it was previewed.",
            what=what,
        )
    return t._(
        "🕒 Not placed: {what}. The panel refused it: {error}",
        what=what,
        error=esc(PanelText(str(payload.get("error") or "?"))),
    )


def _next(t: Translator, schedule: Schedule) -> str:
    """When the next run is, if one is waiting (read when the notice is sent)."""
    if schedule.state is not ScheduleState.WAITING:
        return ""
    return "\n" + t._("🔁 Next run: {when}.", when=esc(t.when(schedule.next_at)))
