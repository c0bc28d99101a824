"""« Back, ✏️ Edit and quick answers of the /order dialog (bot/handlers/new_order.py).

« Back at a question asks the previous one again, its earlier answer shown, every other
answer kept; at the first question it shows the service card and leaves the dialog. ✏️ Edit
on a single-order preview closes that preview (a preview is a promise: its Confirm then orders
nothing, `OrderingService.reopen`) and asks just that question again; the answer, or « Back,
leads to a new preview with a new draft. An Edit of a preview that is no longer open (placed,
cancelled, expired, already edited) changes nothing.

Quick answers: the quantity question offers min / 1K / 5K / 10K / max (those the service
takes), the link question the last links used for the service; a link button carries the
order's id, never the link, and the order's owner is checked again when it is pressed.

These buttons are entry points of the one dialog (`allow_reentry`), so they are matched in
any state; each acts only when it belongs to the open run's open question.
"""

from __future__ import annotations

from telegram import Update

from bot.callbacks.base import callback_of
from bot.callbacks.order_edit import EditAnswer, LastLink, QuestionBack, QuickQuantity
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.catalog import load_index
from bot.handlers.dialog import (
    DRIPFEED_QUESTION,
    DialogPart,
    OrderDialog,
    begin,
    closed,
    end,
    save,
)
from bot.handlers.new_order import (
    ANSWER,
    QuestionPress,
    _advance,
    _ask,
    _ask_again,
    _open_field,
    _pressed_question,
    _service_plan,
    _step,
    answer_press,
    question_step,
)
from bot.handlers.routing import on_press
from bot.keyboards import catalog as catalog_keyboards
from bot.keyboards import layout
from bot.keyboards import menu as menu_keyboards
from bot.panel.models import Service
from bot.services.drafts import DraftRefusal
from bot.services.order_types import OrderPlan
from bot.services.validation import InputError
from bot.storage.models import SubmitState
from bot.views.catalog import render_service_card
from bot.views.errors import button_expired
from bot.views.new_order import already_text, error_text

# --- « Back --------------------------------------------------------------------------------


def asked_questions(plan: OrderPlan, dialog: OrderDialog) -> list[str]:
    """The questions this dialog asks, in order, as its answers so far decide them."""
    asked: list[str] = []
    for spec in plan.fields:
        if spec.name == "runs":
            if plan.service.dripfeed is True:
                asked.append(DRIPFEED_QUESTION)
            # Without the Yes (or the ⏱ switch at the quantity) the runs are never asked.
            if dialog.dripfeed or "runs" in dialog.values:
                asked.append(spec.name)
        elif spec.applies(dialog.values):
            asked.append(spec.name)
    return asked


def previous_question(plan: OrderPlan, dialog: OrderDialog, current: str) -> str | None:
    """The question asked before `current`; None at the first one."""
    asked = asked_questions(plan, dialog)
    at = asked.index(current) if current in asked else len(asked)
    return asked[at - 1] if at > 0 else None


def unanswer(dialog: OrderDialog, name: str) -> object:
    """Take back the answer to question `name` (it is asked again); the answer it had."""
    if name == DRIPFEED_QUESTION:
        dialog.dripfeed = False
        for field in ("runs", "interval"):
            dialog.values.pop(field, None)
        dialog.skipped = [s for s in dialog.skipped if s != "runs"]
        return None
    dialog.skipped = [s for s in dialog.skipped if s != name]
    return dialog.values.pop(name, None)


@question_step(QuestionBack)
async def back(
    update: Update, context: BotContext, press: QuestionPress[QuestionBack]
) -> str | int:
    """« Back: the previous question again (from an Edit: a new preview, nothing changed)."""
    dialog = press.dialog
    if dialog.editing:
        # Every other answer is in, and this one still holds: the preview, priced anew.
        return await _advance(update, context)
    previous = previous_question(press.plan, dialog, press.button.question)
    if previous is None:
        return await _to_card(update, context, press.plan.service)
    former = unanswer(dialog, previous)
    save(context, dialog)
    return await _advance(update, context, former=former)


async def _to_card(update: Update, context: BotContext, service: Service) -> int:
    """Back from the first question: the service card (its 🛒 Order starts over)."""
    end(context)
    index = await load_index(update, context)
    if index is None:
        return end(context)
    t = context.t
    try:
        category = index.category_index(service.category_text)
        page = index.services_in(category).index(service) // layout.PAGE_SIZE
        back_button = catalog_keyboards.card_back(t, category, page, index.version)
    except (KeyError, IndexError, ValueError):
        back_button = menu_keyboards.back_to_menu(t)[0]
    currency = await context.deps.currencies.currency(context.user.id)
    screen = render_service_card(service, t, currency, back_button)
    await ui.show(update, screen.text, screen.markup)
    return end(context)


# --- ✏️ Edit ---------------------------------------------------------------------------------


@_step
async def edit(update: Update, context: BotContext) -> str | int | None:
    """✏️ Edit under a preview: close it, reopen its dialog at that one question."""
    pressed = callback_of(update, EditAnswer)
    if pressed is None:
        return None
    t = context.t
    reopened = await context.deps.ordering.reopen(context.user.id, pressed.batch)
    order = reopened.order
    if reopened.values is None or order is None:
        placed = (
            reopened.refusal is DraftRefusal.ALREADY
            and order is not None
            and order.submit_state is not SubmitState.DRAFT
        )
        await ui.answer(update, already_text(t, order if placed else None), alert=True)
        return None
    await ui.answer(update)
    values = reopened.values
    dialog = begin(context, OrderDialog)
    dialog.service = order.service_id
    # The new preview stays on the edited one's panel: its service id means another service
    # (or none) elsewhere.
    dialog.slot = order.panel_slot
    dialog.values = values
    dialog.dripfeed = "runs" in values
    save(context, dialog)
    plan = await _service_plan(update, context, dialog)
    # Optional questions the preview left out stay out, unless that is the one edited.
    dialog.skipped = [f.name for f in plan.fields if f.optional and f.name not in values]
    try:
        spec = plan.field(pressed.field)
    except KeyError:
        spec = None
    if spec is None or not spec.applies(values):
        # Not a question of this order (forged, or the type changed): a new preview as it was.
        save(context, dialog)
        return await _advance(update, context)
    dialog.editing = True
    if spec.name == "runs":
        dialog.dripfeed = True
    return await _ask(update, context, plan, dialog, spec)


# --- quick answers ---------------------------------------------------------------------------


@_step
async def quick_quantity(update: Update, context: BotContext) -> str | int | None:
    """A quick quantity button: the same as typing that number."""
    found = await answer_press(update, context, QuickQuantity)
    if found is None:
        return None
    return await _take(update, context, str(found[1].quantity))


@_step
async def last_link(update: Update, context: BotContext) -> str | int | None:
    """A last-used link button: the link of the user's own order it names."""
    found = _pressed_question(update, context, LastLink)
    if found is None:
        await closed(update, context)
        return None
    dialog, pressed = found
    assert dialog.service is not None  # _pressed_question checked it
    link = await context.deps.ordering.link_of(context.user.id, pressed.order_id, dialog.service)
    if not link:
        await ui.answer(update, button_expired(context.t))
        return None
    await ui.answer(update)
    return await _take(update, context, link)


async def _take(update: Update, context: BotContext, text: str) -> str | int:
    """`text` as the answer to the open question, checked as if it had been typed."""
    found = await _open_field(update, context)
    if found is None:
        return await _advance(update, context)
    dialog, plan, spec = found
    try:
        dialog.values[spec.name] = spec.parse(text, plan.service, dialog.values)
    except InputError as exc:
        await _ask_again(update, context, error_text(context.t, exc), plan, spec, dialog)
        return ANSWER
    save(context, dialog)
    return await _advance(update, context)


def dialog_part() -> DialogPart:
    return DialogPart(
        entry_points=[
            on_press(edit, EditAnswer),
            on_press(back, QuestionBack),
            on_press(quick_quantity, QuickQuantity),
            on_press(last_link, LastLink),
        ]
    )
