"""Buttons of one dialog run (bot/handlers/dialog.py): ✖️ Cancel, and the bases of every
button that answers one question of a run."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class DialogButton(CallbackData):
    """A button of one dialog run: `dialog` is the run's instance id (bot/handlers/dialog.py).

    Old keyboards stay in the chat; the id makes their buttons "closed" once that run is over.
    """

    dialog: str


class CancelDialog(DialogButton, action="dc"):
    """✖️ Cancel under a dialog question."""


class QuestionButton(DialogButton):
    """A button answering one question of a dialog run: it acts only while that one is open."""

    question: str
