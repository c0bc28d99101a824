"""/order: pick a service → its type's questions → preview → Confirm / Cancel; and Reorder.

Dialog answers are an `OrderDialog` (bot/handlers/dialog.py: persisted, JSON-only, no secrets).
Each run of the dialog has an instance id and each question button carries it and the question
it answers: a button of an earlier run or question only gets "This question is closed".
The dialog ends when the preview is shown: Confirm and Cancel are ordinary handlers keyed by the
draft's token, so they work after a restart, from a second device, or after another dialog
started, and `OrderingService.confirm` makes sure only one tap ever reaches the panel.
« Back, the preview's ✏️ Edit and the quick answers are in bot/handlers/order_edit.py.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.callbacks.base import callback_of
from bot.callbacks.dialog import QuestionButton
from bot.callbacks.menu import Menu
from bot.callbacks.new_order import (
    ChooseValue,
    ConfirmOrder,
    DiscardOrder,
    DripfeedChoice,
    FinishList,
    ListChange,
    ListEdit,
    OrderAnyway,
    OrderService,
    OrderWithoutDripfeed,
    Reorder,
    SkipQuestion,
)
from bot.callbacks.panels import PanelOrderService
from bot.deps import BotContext
from bot.handlers import list_answers, ui
from bot.handlers import previews as preview_ui
from bot.handlers.catalog import load_index, search_screen
from bot.handlers.dialog import (
    DRIPFEED_QUESTION,
    AnyHandler,
    DialogPart,
    OrderDialog,
    begin,
    button_of_open_dialog,
    closed,
    end,
    instance_id,
    open_run,
    save,
)
from bot.handlers.errors import account_currency, reply_panel_error
from bot.handlers.menu import command_and_button
from bot.handlers.replies import announce, deliver
from bot.handlers.routing import on_press
from bot.handlers.unsaved import tell_unsaved
from bot.i18n import N_, Translator
from bot.keyboards import menu as menu_keyboards
from bot.keyboards import new_order as new_order_keyboards
from bot.keyboards.favourites import order_pick_rows
from bot.keyboards.layout import prepend
from bot.panel.errors import InsufficientBalance, PanelError
from bot.panel.models import Balance, Service
from bot.services.accounts import NoKey
from bot.services.catalog_index import CatalogIndex
from bot.services.favourites import NO_PICKS, QuickPicks
from bot.services.order_types import FieldSpec, OrderPlan, line_limits, plan_for
from bot.services.ordering import (
    AnswerRejected,
    OrderOutcome,
    Preview,
    Repriced,
    SubmitResult,
    UnknownServiceType,
    unknown_type_error,
)
from bot.services.quick_answers import QUICK_INTERVALS, quick_quantities
from bot.services.validation import InputError, ServiceGone
from bot.storage.models import Order
from bot.views.answers import not_a_list, reminder, with_reminder
from bot.views.catalog_extras import with_order_picks
from bot.views.errors import button_expired, no_key_text, text_needed
from bot.views.link_guard import anyway_needed
from bot.views.new_order import (
    already_text,
    discarded,
    dripfeed_question,
    dripfeed_refused,
    edit_buttons,
    error_text,
    long_lists,
    no_such_service,
    pick_service,
    previous_answer,
    question,
    render_preview,
    render_repriced,
    render_result,
    sending,
    use_buttons,
)
from bot.views.order_history import panel_names
from bot.views.panels import panel_gone
from bot.views.previews import cancelled_text, closed_text, replaced_text
from bot.views.text import with_notice

log = logging.getLogger(__name__)

PICK_SERVICE = "order.service"
ANSWER = "order.field"
# The drip-feed Yes/No question (a service whose `dripfeed` flag is true), before the runs.
ASK_DRIPFEED = "order.dripfeed"
END = ConversationHandler.END

# --- dialog data ---------------------------------------------------------------------------


def _dialog(context: BotContext) -> OrderDialog:
    dialog = open_run(context, OrderDialog)
    return dialog if dialog is not None else begin(context, OrderDialog)


def _start_dialog(
    context: BotContext,
    service_id: int | None,
    values: dict[str, Any] | None = None,
    skipped: list[str] | None = None,
    *,
    dripfeed: bool = False,
) -> OrderDialog:
    """New answers within the current run (its instance id stays; entry points `begin` one)."""
    ident = instance_id(context, OrderDialog)
    run = open_run(context, OrderDialog)
    # The run's panel stays whatever is asked again: an order never moves to another panel.
    slot = run.slot if run is not None else None
    dialog = OrderDialog(
        ident, service_id, values or {}, skipped or [], dripfeed=dripfeed, slot=slot
    )
    save(context, dialog)
    return dialog


class _Moved(Exception):
    """The dialog cannot go on where it is; the user was told. `state`: where it went instead."""

    def __init__(self, state: str | int) -> None:
        super().__init__(state)
        self.state = state


_R = TypeVar("_R")


def _step(
    handler: Callable[[Update, BotContext], Coroutine[Any, Any, _R]],
) -> Callable[[Update, BotContext], Coroutine[Any, Any, _R | str | int]]:
    """A dialog handler: a `_Moved` raised within it ends the handler in the state it names."""

    @functools.wraps(handler)
    async def run(update: Update, context: BotContext) -> _R | str | int:
        try:
            return await handler(update, context)
        except _Moved as moved:
            return moved.state

    return run


# --- view glue ----------------------------------------------------------------------------


def _question(
    t: Translator, service: Service, spec: FieldSpec, dialog: OrderDialog, former: Any = None
) -> str:
    """The question; `former`: the answer given before (« Back, ✏️ Edit), shown under it."""
    text = question(t, service, spec, dripfeed=dialog.dripfeed)
    if dialog.editing and former is None:
        former = dialog.values.get(spec.name)
    return text if former is None else text + "\n\n" + previous_answer(t, spec.name, former)


async def _question_markup(
    context: BotContext, plan: OrderPlan, spec: FieldSpec, dialog: OrderDialog
) -> InlineKeyboardMarkup:
    # Drip-feed is one choice: a service the panel lists with drip-feed is asked Yes/No after
    # the quantity; any other that may take it gets the ⏱ switch at the quantity question.
    offer = spec.name == "quantity" and plan.dripfeed and plan.service.dripfeed is not True
    switch = dialog.dripfeed if offer else None
    quantities: list[int] = []
    links: list[tuple[int, str]] = []
    if spec.name == "quantity":
        quantities = quick_quantities(spec, plan.service, dialog.values)
    elif spec.name == "interval":
        quantities = list(QUICK_INTERVALS)
    elif spec.name == "link":
        links = await context.deps.ordering.recent_links(context.user.id, plan.service.id)
    offers = new_order_keyboards.QuestionOffers(
        # Drip-feed chosen: its runs are not skipped ("all at once" is the ⏱ switch, or No).
        optional=spec.optional and not (spec.name == "runs" and dialog.dripfeed),
        dripfeed=switch,
        quantities=quantities,
        links=links,
        collected=len(dialog.lines_for(spec.name)) if spec.multiline else 0,
        choices=spec.choices,
    )
    return new_order_keyboards.question_keyboard(context.t, dialog.id, spec.name, offers)


def _list_question(
    context: BotContext, plan: OrderPlan, spec: FieldSpec, dialog: OrderDialog
) -> list_answers.ListQuestion:
    return list_answers.ListQuestion(
        dialog, plan, spec, lambda: _question_markup(context, plan, spec, dialog)
    )


async def _took(
    update: Update,
    context: BotContext,
    q: list_answers.ListQuestion,
    taken: list_answers.Taken | None,
) -> str | int:
    """A list question answered (by a file or ✅ Done) moves on; else it stays open."""
    if taken is None:
        return ANSWER
    q.dialog.values[q.spec.name] = taken.value
    q.dialog.collect(q.spec.name, [])
    save(context, q.dialog)
    return await _advance(update, context, taken.notice)


# --- steps ---------------------------------------------------------------------------------


async def _index(update: Update, context: BotContext) -> CatalogIndex | None:
    run = open_run(context, OrderDialog)
    return await load_index(update, context, slot=run.slot if run is not None else None)


async def _ask_service(update: Update, context: BotContext, notice: str | None = None) -> str:
    dialog = _start_dialog(context, None)
    t = context.t
    picks = await _quick_picks(context)
    text = with_order_picks(pick_service(t, notice), t, picks)
    markup = prepend(new_order_keyboards.order_pick_service(t, dialog.id), order_pick_rows(picks))
    await ui.show(update, text, markup)
    return PICK_SERVICE


async def _quick_picks(context: BotContext) -> QuickPicks:
    """The user's ★ favourites and 🕘 recent services; none when the catalog cannot be read
    (the question still takes an id or words)."""
    stored = await context.deps.favourites.stored(context.user.id)
    if stored.empty:
        return NO_PICKS  # no catalog read for a user who has none
    try:
        index = await context.deps.catalog.get(context.user.id)
    except (NoKey, PanelError) as exc:
        log.info("no quick picks: %s", type(exc).__name__)
        return NO_PICKS
    return stored.resolve(index)


async def _select(update: Update, context: BotContext, service_id: int) -> str | int:
    index = await _index(update, context)
    if index is None:
        return end(context)
    t = context.t
    service = index.get(service_id)
    if service is None:
        return await _ask_service(update, context, no_such_service(t, service_id))
    if plan_for(service) is None:
        return await _ask_service(update, context, error_text(t, unknown_type_error(service)))
    _start_dialog(context, service_id)
    return await _advance(update, context)


async def _service_plan(update: Update, context: BotContext, dialog: OrderDialog) -> OrderPlan:
    """The plan of the dialog's service (`plan.service` is the service as listed now).

    Raises `_Moved` when the dialog cannot go on with it: back to the service question (none
    chosen yet, gone from the panel, a type the bot cannot order), or out (no catalog).
    """
    if dialog.service is None:
        raise _Moved(await _ask_service(update, context))
    index = await _index(update, context)
    if index is None:
        raise _Moved(end(context))
    service = index.get(dialog.service)
    if service is None:
        gone = ServiceGone(
            N_("Service {id} is no longer offered by the panel. Please pick another one."),
            id=dialog.service,
        )
        raise _Moved(await _ask_service(update, context, error_text(context.t, gone)))
    plan = plan_for(service)
    if plan is None:
        notice = error_text(context.t, unknown_type_error(service))
        raise _Moved(await _ask_service(update, context, notice))
    return plan


async def _advance(
    update: Update, context: BotContext, notice: str | None = None, *, former: Any = None
) -> str | int:
    """Ask the next open question, or show the preview when every answer is in.

    `former`: the next question's earlier answer, shown under it (« Back).
    """
    dialog = _dialog(context)
    # Whatever was edited has been answered (or left as it was): on to the next question.
    dialog.editing = False
    plan = await _service_plan(update, context, dialog)
    service = plan.service
    while True:
        spec = plan.next_field(dialog.values, dialog.skipped)
        if spec is None:
            return await _preview(update, context, dialog, service.id, notice)
        if spec.name != "runs" or dialog.dripfeed:
            break
        if service.dripfeed is True:
            return await _ask_dripfeed(update, context, dialog, service, notice)
        # The panel does not say: drip-feed only when switched on at the quantity question.
        dialog.skipped.append("runs")
    return await _ask(update, context, plan, dialog, spec, notice, former)


async def _ask(
    update: Update,
    context: BotContext,
    plan: OrderPlan,
    dialog: OrderDialog,
    spec: FieldSpec,
    notice: str | None = None,
    former: Any = None,
) -> str:
    """Make `spec` the open question and show it (editing the pressed button's message)."""
    dialog.question = spec.name
    save(context, dialog)
    await ui.show(
        update,
        with_notice(notice, _question(context.t, plan.service, spec, dialog, former)),
        await _question_markup(context, plan, spec, dialog),
    )
    return ANSWER


async def _ask_dripfeed(
    update: Update,
    context: BotContext,
    dialog: OrderDialog,
    service: Service,
    notice: str | None,
) -> str:
    """The drip-feed Yes/No, asked before the runs when the panel lists the service with it."""
    dialog.question = DRIPFEED_QUESTION
    save(context, dialog)
    t = context.t
    markup = new_order_keyboards.order_dripfeed(t, dialog.id, DRIPFEED_QUESTION)
    await ui.show(update, with_notice(notice, dripfeed_question(t, service)), markup)
    return ASK_DRIPFEED


async def _preview(
    update: Update,
    context: BotContext,
    dialog: OrderDialog,
    service_id: int,
    notice: str | None = None,
    *,
    new_message: bool = False,
) -> str | int:
    """Price the answers and show the preview (`notice` above it; `new_message`: never edit)."""
    t = context.t
    try:
        preview = await context.deps.ordering.prepare(
            context.user.id, service_id, dialog.values, dialog.slot
        )
    except AnswerRejected as exc:
        # The answer no longer fits the service as the panel lists it now: ask it again, and
        # the answers that were checked against it.
        for name in (exc.field, *exc.dependents):
            dialog.values.pop(name, None)
        if exc.field == "runs":
            dialog.dripfeed = False
        save(context, dialog)
        return await _advance(update, context, error_text(t, exc.error))
    except (ServiceGone, UnknownServiceType) as exc:
        return await _ask_service(update, context, error_text(t, exc))
    except InputError as exc:
        await ui.show(update, error_text(t, exc))
        return end(context)
    except (NoKey, PanelError) as exc:
        await reply_panel_error(update, context, exc, edit=True)
        return end(context)
    end(context)
    text = with_notice(notice, render_preview(t, preview))
    say = ui.send if new_message else ui.show
    shown = await say(update, text, _preview_keyboard(context, preview))
    await preview_ui.shown(context, preview.batch, shown)
    # The preview shows a long list's first lines: the whole list comes beside it.
    await list_answers.send_files(update, long_lists(t, preview.params))
    return END


# --- dialog handlers -----------------------------------------------------------------------


@_step
async def start_order(update: Update, context: BotContext) -> str | int:
    """/order, /order <id>, /order <words>, and the menu button."""
    await ui.answer(update)
    begin(context, OrderDialog)
    if not await context.deps.accounts.has_key(context.user.id):
        await ui.show(update, no_key_text(context.t))
        return end(context)
    args = context.args or []
    if update.callback_query is None and args:
        return await _service_text(update, context, " ".join(args))
    return await _ask_service(update, context)


@_step
async def order_service(update: Update, context: BotContext) -> str | int:
    """🛒 Order on a service card, or "Order here" under a comparison (on that panel)."""
    await ui.answer(update)
    pressed = callback_of(update, OrderService) or callback_of(update, PanelOrderService)
    if pressed is None:
        return END
    dialog = begin(context, OrderDialog)
    if isinstance(pressed, PanelOrderService):
        dialog.slot = pressed.slot
        save(context, dialog)
    return await _select(update, context, pressed.service_id)


@_step
async def receive_service(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    if message is None or not message.text:
        return PICK_SERVICE
    return await _service_text(update, context, message.text)


async def service_not_text(update: Update, context: BotContext) -> str:
    """A file, photo or sticker where the service is asked for: restate the question."""
    return await _ask_service(update, context, text_needed(context.t))


async def _service_text(update: Update, context: BotContext, text: str) -> str | int:
    raw = text.strip().removeprefix("#").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return await _select(update, context, int(raw))
    index = await _index(update, context)
    if index is None:
        return end(context)
    _start_dialog(context, None)
    context.state.catalog_search = raw[:200]
    # Back leads to the service question the words were typed at, not to the categories.
    screen = await search_screen(context, index, raw, back=Menu("order"))
    await ui.send(update, screen.text, screen.markup)
    return PICK_SERVICE


async def _open_field(
    update: Update, context: BotContext
) -> tuple[OrderDialog, OrderPlan, FieldSpec] | None:
    """The dialog, its plan and the question that is open; None: it was asked anew instead."""
    dialog = _dialog(context)
    plan = await _service_plan(update, context, dialog)
    try:
        return dialog, plan, plan.field(dialog.question or "")
    except KeyError:
        return None


@_step
async def receive_answer(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    if message is None or message.text is None:
        return ANSWER
    found = await _open_field(update, context)
    if found is None:
        return await _advance(update, context)
    dialog, plan, spec = found
    if spec.multiline:
        await list_answers.typed(
            update, context, _list_question(context, plan, spec, dialog), message.text
        )
        return ANSWER
    try:
        dialog.values[spec.name] = spec.parse(message.text, plan.service, dialog.values)
    except InputError as exc:
        await _ask_again(update, context, error_text(context.t, exc), plan, spec, dialog)
        return ANSWER
    save(context, dialog)
    return await _advance(update, context)


async def _ask_again(
    update: Update,
    context: BotContext,
    notice: str,
    plan: OrderPlan,
    spec: FieldSpec,
    dialog: OrderDialog,
) -> None:
    """An answer that does not do: the error and a one-line reminder, under the question's
    keyboard. The question itself is just above in the chat: it is not sent again."""
    collected = len(dialog.lines_for(spec.name))
    line = reminder(context.t, spec, collected, line_limits(plan, spec))
    await ui.send(
        update, with_reminder(notice, line), await _question_markup(context, plan, spec, dialog)
    )


@_step
async def receive_file(update: Update, context: BotContext) -> str | int:
    """Anything but text at a question: a .txt/.csv answers a list question (or joins its
    lines); anywhere else, say that text is needed."""
    message = update.effective_message
    if message is None:
        return ANSWER
    found = await _open_field(update, context)
    if found is None:
        return await _advance(update, context)
    dialog, plan, spec = found
    if not spec.multiline:
        await _ask_again(update, context, text_needed(context.t), plan, spec, dialog)
        return ANSWER
    q = _list_question(context, plan, spec, dialog)
    return await _took(update, context, q, await list_answers.uploaded(update, context, q))


async def _answered_field(
    update: Update, context: BotContext
) -> tuple[OrderDialog, OrderPlan, FieldSpec]:
    """`_open_field`, or on to where the dialog stands when no question is open."""
    found = await _open_field(update, context)
    if found is None:
        raise _Moved(await _advance(update, context))
    return found


@_step
async def finish_list(update: Update, context: BotContext) -> str | int | None:
    """✅ Done (N) or /done at a list question: the collected lines are the answer."""
    if (
        update.callback_query is not None
        and await answer_press(update, context, FinishList) is None
    ):
        return None
    dialog, plan, spec = await _answered_field(update, context)
    if not spec.multiline:
        await _ask_again(update, context, not_a_list(context.t), plan, spec, dialog)
        return ANSWER
    q = _list_question(context, plan, spec, dialog)
    return await _took(update, context, q, await list_answers.finished(update, context, q))


_ListChangeAct = Callable[
    [Update, BotContext, list_answers.ListQuestion], Coroutine[Any, Any, None]
]
# Keyed by the wire value: a value this version does not know (a forged or newer button) has
# no entry, and does nothing.
_LIST_CHANGES: dict[str, _ListChangeAct] = {
    ListChange.UNDO.value: list_answers.remove_last,
    ListChange.RESTART.value: list_answers.start_over,
    ListChange.SHOW.value: list_answers.show_all,
}


@_step
async def edit_list(update: Update, context: BotContext) -> str | int | None:
    """↩️ Remove the last message, 🗑 Start over or 📄 Show all under a list question."""
    pressed = _pressed_question(update, context, ListEdit)
    act = _LIST_CHANGES.get(pressed[1].change) if pressed is not None else None
    if act is None:
        await closed(update, context)
        return None
    await ui.answer(update)
    dialog, plan, spec = await _answered_field(update, context)
    if spec.multiline:
        await act(update, context, _list_question(context, plan, spec, dialog))
    return ANSWER


_Q = TypeVar("_Q", bound=QuestionButton)


def _pressed_question(
    update: Update, context: BotContext, kind: type[_Q]
) -> tuple[OrderDialog, _Q] | None:
    """The open order dialog and the pressed `kind` button, if it answers the open question."""
    pressed = button_of_open_dialog(update, context)
    dialog = open_run(context, OrderDialog)
    if not isinstance(pressed, kind) or dialog is None or dialog.service is None:
        return None
    return (dialog, pressed) if dialog.question == pressed.question else None


async def answer_press(
    update: Update, context: BotContext, kind: type[_Q], question: str | None = None
) -> tuple[OrderDialog, _Q] | None:
    """The open order dialog and the pressed `kind` button, the press answered; None, after
    telling the user the button is closed, when it does not answer the open question (or
    the open question is not `question`)."""
    found = _pressed_question(update, context, kind)
    if found is None or (question is not None and found[0].question != question):
        await closed(update, context)
        return None
    await ui.answer(update)
    return found


@dataclass(frozen=True, slots=True)
class QuestionPress(Generic[_Q]):
    """A press answering the open question: its dialog, the button, the service's plan."""

    dialog: OrderDialog
    button: _Q
    plan: OrderPlan


_Step = Callable[[Update, BotContext], Coroutine[Any, Any, str | int | None]]
_PressAct = Callable[[Update, BotContext, QuestionPress[_Q]], Coroutine[Any, Any, str | int]]


def question_step(kind: type[_Q]) -> Callable[[_PressAct[_Q]], _Step]:
    """A dialog handler of `kind` buttons: `act` runs with the press answered, only for a press
    that answers the open question ("This question is closed" otherwise), with the plan of the
    dialog's service (or the dialog moves on as `_service_plan` says)."""

    def wrap(act: _PressAct[_Q]) -> _Step:
        @_step
        @functools.wraps(act)
        async def run(update: Update, context: BotContext) -> str | int | None:
            found = await answer_press(update, context, kind)
            if found is None:
                return None
            dialog, button = found
            plan = await _service_plan(update, context, dialog)
            return await act(update, context, QuestionPress(dialog, button, plan))

        return run

    return wrap


@question_step(ChooseValue)
async def choose_value(
    update: Update, context: BotContext, press: QuestionPress[ChooseValue]
) -> str | int:
    """One of a question's fixed values (a delay) pressed: as if it had been typed."""
    dialog, pressed = press.dialog, press.button
    try:
        spec = press.plan.field(pressed.question)
        if pressed.value in spec.choices:
            value = spec.parse(str(pressed.value), press.plan.service, dialog.values)
            dialog.values[spec.name] = value
            save(context, dialog)
    except (KeyError, InputError):
        # Not a value this question takes (a forged button): it is simply asked again.
        pass
    return await _advance(update, context)


@_step
async def dripfeed_answer(update: Update, context: BotContext) -> str | int | None:
    """Yes/No of the drip-feed question (state ASK_DRIPFEED)."""
    found = await answer_press(update, context, DripfeedChoice, DRIPFEED_QUESTION)
    if found is None:
        return None
    dialog, pressed = found
    if pressed.yes:
        dialog.dripfeed = True
    else:
        dialog.skipped.append("runs")
    save(context, dialog)
    return await _advance(update, context)


@_step
async def dripfeed_by_message(update: Update, context: BotContext) -> str | int:
    """Anything sent at the drip-feed question: it is answered with its buttons."""
    return await _advance(update, context, use_buttons(context.t))


@_step
async def dripfeed_switch(update: Update, context: BotContext) -> str | int | None:
    """The ⏱ Drip-feed switch at the quantity question (on: the quantity is per run)."""
    found = _pressed_question(update, context, DripfeedChoice)
    if found is not None and found[0].question == DRIPFEED_QUESTION:
        # A dialog saved by a version that asked drip-feed within ANSWER.
        return await dripfeed_answer(update, context)
    if found is None or found[0].question != "quantity":
        await closed(update, context)
        return None
    await ui.answer(update)
    dialog, pressed = found
    dialog.dripfeed = pressed.yes
    if dialog.editing:
        # The quantity reopened by ✏️ Edit stays open: the switch decides whether runs follow.
        for name in ("runs", "interval"):
            dialog.values.pop(name, None)
        if pressed.yes:
            dialog.skipped = [name for name in dialog.skipped if name != "runs"]
        elif "runs" not in dialog.skipped:
            dialog.skipped.append("runs")
        plan = await _service_plan(update, context, dialog)
        return await _ask(update, context, plan, dialog, plan.field("quantity"))
    save(context, dialog)
    return await _advance(update, context)


@question_step(SkipQuestion)
async def skip_question(
    update: Update, context: BotContext, press: QuestionPress[SkipQuestion]
) -> str | int:
    dialog, question = press.dialog, press.button.question
    try:
        optional = press.plan.field(question).optional
    except KeyError:
        optional = False
    if optional:
        # An answer reopened by ✏️ Edit and now skipped is left out.
        dialog.values.pop(question, None)
        if question not in dialog.skipped:
            dialog.skipped.append(question)
        save(context, dialog)
    return await _advance(update, context)


@_step
async def reorder(update: Update, context: BotContext) -> str | int:
    """ "Reorder" on an order card: the same service, link and quantity, straight to preview."""
    pressed = callback_of(update, Reorder)
    order_id = pressed.order_id if pressed is not None else None
    return await _reorder(update, context, order_id, dripfeed=True)


@_step
async def without_dripfeed(update: Update, context: BotContext) -> str | int:
    """ "Order without drip-feed" under a result the panel refused for its drip-feed.

    Only a fresh preview: nothing is placed until the user confirms it.
    """
    pressed = callback_of(update, OrderWithoutDripfeed)
    order_id = pressed.order_id if pressed is not None else None
    return await _reorder(update, context, order_id, dripfeed=False)


async def _reorder(
    update: Update, context: BotContext, order_id: int | None, *, dripfeed: bool
) -> str | int:
    t = context.t
    found = (
        await context.deps.ordering.reorder_values(context.user.id, order_id)
        if order_id is not None
        else None
    )
    if found is None:
        await ui.answer(update, button_expired(t))
        return END
    await ui.answer(update)
    if not await context.deps.accounts.has_key(context.user.id):
        await ui.show(update, no_key_text(t))
        return end(context)
    service_id, values = found
    if not dripfeed:
        values = {k: v for k, v in values.items() if k not in {"runs", "interval"}}
    # Reordered on the order's own panel: its service id means something else elsewhere.
    slot = await context.deps.ordering.order_panel(context.user.id, order_id or 0)
    if slot is None:
        await ui.show(update, panel_gone(t))
        return end(context)
    dialog = begin(context, OrderDialog)
    dialog.slot = slot
    save(context, dialog)
    index = await _index(update, context)
    if index is None:
        return end(context)
    service = index.get(service_id)
    plan = plan_for(service) if service is not None else None
    # Optional questions the first order left out stay out (no drip-feed unless it had one).
    skipped = [f.name for f in plan.fields if f.optional and f.name not in values] if plan else []
    dialog = _start_dialog(context, service_id, values, skipped, dripfeed="runs" in values)
    # The refused result stays readable: its preview without drip-feed comes as a new message.
    return await _preview(update, context, dialog, service_id, new_message=not dripfeed)


# --- confirm / discard (not dialog states: they must work from anywhere) -------------------


async def confirm(update: Update, context: BotContext) -> None:
    t = context.t
    pressed = callback_of(update, ConfirmOrder) or callback_of(update, OrderAnyway)
    if pressed is None:
        return

    async def claimed(order: Order) -> None:
        # The Confirm button goes away before the panel call: no third tap can even try.
        await announce(update, sending(t))

    try:
        result = await context.deps.ordering.confirm(
            context.user.id, pressed.batch, claimed, anyway=isinstance(pressed, OrderAnyway)
        )
    except NoKey:
        await ui.answer(update, no_key_text(t), alert=True)
        return
    if not await _refused(update, context, result):
        await _show_result(update, context, result)


async def _refused(update: Update, context: BotContext, result: SubmitResult) -> bool:
    """Nothing was ordered (a second tap, an old, closed or changed preview): say why."""
    t = context.t
    if result.outcome in {OrderOutcome.ALREADY, OrderOutcome.GONE}:
        await ui.answer(update, already_text(t, result.order), alert=True)
    elif result.outcome is OrderOutcome.REPLACED:
        await ui.answer(update, replaced_text(t), alert=True)
    elif result.outcome is OrderOutcome.DUPLICATE:
        await tell_duplicate(update, context, result)
    elif result.outcome is OrderOutcome.CANCELLED:
        await ui.answer(update, cancelled_text(t, 1), alert=True)
    elif result.outcome in {OrderOutcome.EXPIRED, OrderOutcome.KEY_CHANGED}:
        await ui.answer(update)
        text = closed_text(t, expired=result.outcome is OrderOutcome.EXPIRED)
        again = new_order_keyboards.preview_again(t, result.order.id) if result.order else None
        await ui.show(update, text, again)
    elif result.outcome is OrderOutcome.CHANGED and result.repriced is not None:
        await ui.answer(update)
        await _show_repriced(update, context, result.repriced)
    else:
        return False
    return True


async def tell_duplicate(update: Update, context: BotContext, result: SubmitResult) -> None:
    """Nothing was ordered for an open order on the link (a DUPLICATE Confirm, or 🕒 Later):
    the alert, and the preview's ⚠️ Order anyway is the way on."""
    await ui.answer(update, anyway_needed(context.t), alert=True)
    await _show_warning(update, context, result)


async def _show_warning(update: Update, context: BotContext, result: SubmitResult) -> None:
    """A DUPLICATE Confirm: the tapped preview shows its warning and ⚠️ Order anyway.

    One made before the open order on its link was placed shows neither until a Confirm
    finds that order: this one (`result.warned`), or an earlier one in the Mini App.
    """
    warned = result.warned
    batch = result.order.batch if result.order is not None else None
    if warned is None and batch is not None and not _offers_anyway(update, batch):
        warned = await context.deps.ordering.warned_again(context.user.id, batch)
    if warned is None:
        return
    text = render_preview(context.t, warned)
    shown = await ui.show(update, text, _preview_keyboard(context, warned))
    await preview_ui.shown(context, warned.batch, shown)


def _offers_anyway(update: Update, batch: str) -> bool:
    """Whether the tapped message has the preview's ⚠️ Order anyway button already."""
    query = update.callback_query
    message = query.message if query is not None else None
    markup = message.reply_markup if isinstance(message, Message) else None
    wanted = OrderAnyway(batch).pack()
    rows = markup.inline_keyboard if markup is not None else ()
    return any(button.callback_data == wanted for row in rows for button in row)


def _preview_keyboard(context: BotContext, preview: Preview) -> InlineKeyboardMarkup:
    """Confirm, Cancel, ✏️ Edit (and ⚠️ Order anyway when it warns) under a preview."""
    return new_order_keyboards.order_preview(
        context.t,
        preview.batch,
        edit_buttons(context.t, preview),
        context.deps.settings.webapp_url,
        anyway=preview.needs_anyway,
    )


async def _show_result(update: Update, context: BotContext, result: SubmitResult) -> None:
    t = context.t
    # First, before anything that could fail: the ids the database did not take.
    await tell_unsaved(update, t, result.unsaved)
    panel_id = result.panel_order_id if result.outcome is OrderOutcome.PLACED else None
    slot = result.order.panel_slot if result.order is not None else None
    balance = await _balance_after(context, slot) if panel_id is not None else None
    currency = None
    if isinstance(result.error, InsufficientBalance):
        # The preview just learnt the account currency, so this is normally no panel call.
        currency = await account_currency(context)
    names = panel_names(await context.deps.accounts.names(context.user.id))
    panel = names.get(slot, "") if slot is not None else ""
    text = render_result(t, result, balance, currency, panel)
    order_id = result.order.id if result.order is not None else None
    if dripfeed_refused(result) and result.order is not None:
        # The panel lists no drip-feed flag, so the bot offered it: offer the rest.
        markup = new_order_keyboards.order_refused_dripfeed(t, result.order.id)
    else:
        placed = order_id if panel_id is not None else None
        markup = new_order_keyboards.order_result(t, placed, _unknown_order(result))
    await deliver(update, context, text, markup, edit=True, order_id=order_id)


def _unknown_order(result: SubmitResult) -> int | None:
    """The local id of an order whose outcome is unknown (its buttons settle it)."""
    if result.outcome is not OrderOutcome.UNKNOWN or result.order is None:
        return None
    return result.order.id


async def _balance_after(context: BotContext, slot: int | None = None) -> Balance | None:
    """The balance after the order on its panel; None when it cannot be read (the charge
    still shows)."""
    try:
        return await context.deps.accounts.balance(context.user.id, slot)
    except (NoKey, PanelError) as exc:
        log.info("no balance after an order: %s", type(exc).__name__)
        return None


async def _show_repriced(update: Update, context: BotContext, repriced: Repriced) -> None:
    t = context.t
    text = render_repriced(t, repriced)
    if repriced.fresh is not None:
        shown = await ui.show(update, text, _preview_keyboard(context, repriced.fresh))
        await preview_ui.shown(context, repriced.fresh.batch, shown)
        return
    gone = isinstance(repriced.problem, ServiceGone)
    again = None if gone else new_order_keyboards.preview_again(t, repriced.old.id)
    await ui.show(update, text, again or menu_keyboards.main_menu(t))


async def discard(update: Update, context: BotContext) -> None:
    t = context.t
    pressed = callback_of(update, DiscardOrder)
    if pressed is None:
        return
    ordering = context.deps.ordering
    batch = pressed.batch
    if await ordering.discard(context.user.id, batch):
        await ui.answer(update)
        await ui.show(update, discarded(t), menu_keyboards.main_menu(t))
        return
    rows = await ordering.batch_of(context.user.id, batch)
    await ui.answer(update, already_text(t, rows[0] if rows else None), alert=True)


def dialog_part() -> DialogPart:
    text = tg_filters.TEXT & ~tg_filters.COMMAND
    # Files, photos, stickers, voice…: answered within the dialog, never "not understood".
    not_text = ~tg_filters.TEXT & ~tg_filters.COMMAND
    return DialogPart(
        entry_points=[
            *command_and_button("order", start_order),
            on_press(order_service, OrderService, PanelOrderService),
            on_press(reorder, Reorder),
            on_press(without_dripfeed, OrderWithoutDripfeed),
        ],
        states={
            PICK_SERVICE: [
                MessageHandler(text, receive_service),
                MessageHandler(not_text, service_not_text),
            ],
            ANSWER: [
                MessageHandler(text, receive_answer),
                MessageHandler(not_text, receive_file),
                on_press(dripfeed_switch, DripfeedChoice),
                on_press(skip_question, SkipQuestion),
                on_press(finish_list, FinishList),
                on_press(edit_list, ListEdit),
                on_press(choose_value, ChooseValue),
                CommandHandler("done", finish_list),
            ],
            ASK_DRIPFEED: [
                on_press(dripfeed_answer, DripfeedChoice),
                # Any message: this question is answered with its buttons only.
                MessageHandler(~tg_filters.COMMAND, dripfeed_by_message),
            ],
        },
    )


def handlers() -> list[AnyHandler]:
    return [
        on_press(confirm, ConfirmOrder, OrderAnyway),
        on_press(discard, DiscardOrder),
    ]
