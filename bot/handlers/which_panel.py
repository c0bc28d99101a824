"""A typed order id stored on several of the user's panels is a question (issue 21 item 2).

Panels number orders themselves, so `/refill 23501` may name alpha's order and beta's. The
command waits in user_data under a token, the question offers one button per panel, and
nothing reaches any panel until the user picks one: the command then runs again with that id
pinned to that panel (and asks again for the next such id, if any). The commands themselves
run in bot/handlers/status.py, which takes the buttons.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.deps import BotContext
from bot.handlers import ui
from bot.keyboards import status as status_keyboards
from bot.services.tracking import ParsedIds, SeveralPanels
from bot.views.status import which_panel_question

# The command of an old 📊 Status button (the panel's id alone): the order's card.
CARD = "card"
# Older questions are dropped: a user rarely has more than one open at a time.
MAX_WAITING = 5


@dataclass(frozen=True, slots=True)
class Waiting:
    """A command waiting for the user to say which panel `asked` is on."""

    command: str
    parsed: ParsedIds
    pinned: dict[int, int]
    asked: int
    slots: tuple[int, ...]

    def dump(self) -> dict[str, Any]:
        # JSON-friendly (user_data is persisted as JSON): lists, string keys.
        return {
            "command": self.command,
            "ids": self.parsed.ids,
            "invalid": self.parsed.invalid,
            "pinned": [[pid, slot] for pid, slot in self.pinned.items()],
            "asked": self.asked,
            "slots": list(self.slots),
        }

    @classmethod
    def load(cls, data: object) -> Waiting | None:
        """None for anything that is not what `dump` wrote (an old or damaged entry)."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                command=str(data["command"]),
                parsed=ParsedIds([int(i) for i in data["ids"]], [str(s) for s in data["invalid"]]),
                pinned={int(pid): int(slot) for pid, slot in data["pinned"]},
                asked=int(data["asked"]),
                slots=tuple(int(s) for s in data["slots"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def _waiting(context: BotContext) -> dict[str, Any]:
    """Waiting commands: token -> what `Waiting.dump` writes."""
    return context.state.waiting


async def ask(
    update: Update,
    context: BotContext,
    command: str,
    parsed: ParsedIds,
    pinned: Mapping[int, int],
    several: SeveralPanels,
    *,
    in_place: bool = True,
) -> None:
    """Ask which panel the first unsettled id is on; the command waits for the answer. After
    a button (`in_place`: a first question's answer asking the next) it takes the pressed
    message's place."""
    asked, slots = next(iter(several.slots.items()))
    names = await context.deps.accounts.names(context.user.id)
    waiting = _waiting(context)
    while len(waiting) >= MAX_WAITING:
        waiting.pop(next(iter(waiting)))
    token = secrets.token_urlsafe(6)
    waiting[token] = Waiting(command, parsed, dict(pinned), asked, tuple(slots)).dump()
    choices = [(slot, names.get(slot) or f"#{slot}") for slot in slots]
    text = which_panel_question(context.t, asked, [name for _, name in choices])
    markup = status_keyboards.which_panel(context.t, token, choices)
    say = ui.show if in_place and update.callback_query is not None else ui.send
    await say(update, text, markup)


def take(context: BotContext, token: str, slot: int) -> Waiting | None:
    """The waiting command with the picked panel pinned; None when the question is gone
    (answered already: a double tap runs nothing twice) or `slot` was not offered."""
    waiting = Waiting.load(_waiting(context).pop(token, None))
    if waiting is None or slot not in waiting.slots:
        return None
    return Waiting(
        waiting.command,
        waiting.parsed,
        {**waiting.pinned, waiting.asked: slot},
        waiting.asked,
        waiting.slots,
    )
