"""Buttons of one dialog run (bot/handlers/dialog.py): ✖️ Cancel, and the bases of every
button that answers one question of a run."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class DialogAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    DIALOG_CANCEL = "dc"


@dataclass(frozen=True)
class DialogButton(CallbackData):
    """A button of one dialog run: `dialog` is the run's instance id (bot/handlers/dialog.py).

    Old keyboards stay in the chat; the id makes their buttons "closed" once that run is over.
    """

    dialog: str


@dataclass(frozen=True)
class CancelDialog(DialogButton, action=DialogAction.DIALOG_CANCEL):
    """✖️ Cancel under a dialog question."""


@dataclass(frozen=True)
class QuestionButton(DialogButton):
    """A button answering one question of a dialog run: it acts only while that one is open."""

    question: str
