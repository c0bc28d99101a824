"""One ConversationHandler for every dialog, so starting one dialog always leaves the previous one.

Each feature contributes entry points and states; states are namespaced strings ("setkey.key").
Commands that are not part of a dialog are not matched by it and still run while a dialog waits.

Every run of a dialog gets an instance id, stored in `user_data["dialog"]["id"]` and carried by
each of its buttons. Telegram keeps old keyboards alive forever, so a button from an earlier run
(or an earlier question of this run) must never act on the dialog that is open now: it only gets
"This question is closed" and nothing changes.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler
from telegram.warnings import PTBUserWarning

from bot.callbacks import Action, Callback, decode, pattern
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.start import cancel_dialog

AnyHandler = BaseHandler[Any, Any, Any]

DIALOG_KEY = "dialog"
# Buttons that belong to one dialog run; their first argument is the run's instance id.
QUESTION_ACTIONS = (Action.DIALOG_CANCEL, Action.DRIPFEED, Action.ORDER_SKIP)


@dataclass
class DialogPart:
    entry_points: list[AnyHandler] = field(default_factory=list)
    states: dict[object, list[AnyHandler]] = field(default_factory=dict)


# --- dialog instances ------------------------------------------------------------------------


def new_instance_id() -> str:
    # URL-safe base64 has no ':'; 8 characters keep the callback data short.
    return secrets.token_urlsafe(6)


def begin(context: BotContext, flow: str) -> dict[str, Any]:
    """A fresh run of `flow`: new dialog data with a new instance id (old buttons now closed)."""
    if context.user_data is None:
        raise RuntimeError("no user_data for this update")
    dialog: dict[str, Any] = {"flow": flow, "id": new_instance_id()}
    context.user_data[DIALOG_KEY] = dialog
    return dialog


def end(context: BotContext) -> int:
    """Forget the open run (its buttons are closed from now on); the state to return."""
    if context.user_data is not None:
        context.user_data.pop(DIALOG_KEY, None)
    return ConversationHandler.END


def current(context: BotContext) -> dict[str, Any] | None:
    """The open dialog's data, without creating any."""
    data = context.user_data
    dialog = data.get(DIALOG_KEY) if data is not None else None
    return dialog if isinstance(dialog, dict) else None


def instance_id(context: BotContext, flow: str) -> str:
    """The instance id of the open `flow` run; starts one if its data went missing."""
    dialog = current(context)
    if dialog is None or dialog.get("flow") != flow or not isinstance(dialog.get("id"), str):
        dialog = begin(context, flow)
    return str(dialog["id"])


def is_current(context: BotContext, instance: str) -> bool:
    dialog = current(context)
    return dialog is not None and dialog.get("id") == instance


def button_of_open_dialog(update: Update, context: BotContext) -> Callback | None:
    """The pressed dialog button's data when it belongs to the open run, else None."""
    query = update.callback_query
    decoded = decode(query.data if query is not None else None)
    if decoded is None or decoded.action not in QUESTION_ACTIONS:
        return None
    return decoded if is_current(context, decoded.text(0)) else None


async def closed(update: Update, context: BotContext) -> None:
    """A button of a dialog run (or question) that is no longer open: say so, change nothing."""
    await ui.answer(update, context.t._("This question is closed."))


async def cancel_button(update: Update, context: BotContext) -> int | None:
    """The ✖️ Cancel of a dialog question: leaves the dialog only if the button is from it."""
    if button_of_open_dialog(update, context) is None:
        await closed(update, context)
        return None
    return await cancel_dialog(update, context)


def build_dialog(parts: Sequence[DialogPart]) -> ConversationHandler[Any]:
    entry_points = [h for part in parts for h in part.entry_points]
    states: dict[object, list[AnyHandler]] = {}
    for part in parts:
        for state, handlers in part.states.items():
            if state in states:
                raise ValueError(f"dialog state {state!r} defined twice")
            states[state] = handlers
    with warnings.catch_warnings():
        # Buttons are tracked per chat, not per message, on purpose: one dialog per user.
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states=states,
            fallbacks=[
                CommandHandler("cancel", cancel_dialog),
                CallbackQueryHandler(cancel_button, pattern=pattern(Action.DIALOG_CANCEL)),
            ],
            allow_reentry=True,
            name="dialog",
            persistent=True,
        )


def closed_buttons() -> AnyHandler:
    """After the dialog: question buttons that no open dialog state took are closed."""
    return CallbackQueryHandler(closed, pattern=pattern(*QUESTION_ACTIONS))
