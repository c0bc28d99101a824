"""One ConversationHandler for every dialog, so starting one dialog always leaves the previous one.

Each feature contributes entry points and states; states are namespaced strings ("setkey.key").
Commands that are not part of a dialog are not matched by it and still run while a dialog waits.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler
from telegram.warnings import PTBUserWarning

from bot.callbacks import Action, pattern
from bot.handlers.start import cancel_dialog

AnyHandler = BaseHandler[Any, Any, Any]


@dataclass
class DialogPart:
    entry_points: list[AnyHandler] = field(default_factory=list)
    states: dict[object, list[AnyHandler]] = field(default_factory=dict)


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
                CallbackQueryHandler(cancel_dialog, pattern=pattern(Action.DIALOG_CANCEL)),
            ],
            allow_reentry=True,
            name="dialog",
            persistent=True,
        )
