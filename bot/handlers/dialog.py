"""One ConversationHandler for every dialog, so starting one dialog always leaves the previous one.

Each feature contributes entry points and states; states are namespaced strings ("setkey.key").
Commands that are not part of a dialog are not matched by it and still run while a dialog waits.

Every run of a dialog gets an instance id, carried by each of its buttons (`DialogButton`).
Telegram keeps old keyboards alive forever, so a button from an earlier run (or an earlier
question of this run) must never act on the dialog that is open now: it only gets "This
question is closed" and nothing changes.

The open run is a typed `DialogState` (`SetKeyDialog`, `BulkDialog`, `OrderDialog`). It is kept
in `UserState.dialog` as a JSON-ready dict, because PTB persistence stores user_data as JSON
(bot/persistence.py); this module alone reads and writes that key. A stored shape that does not
read back (a damaged or unknown one) counts as no open dialog.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Self, TypeVar

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler
from telegram.warnings import PTBUserWarning

from bot.callbacks.base import callback_of
from bot.callbacks.dialog import CancelDialog, DialogButton
from bot.deps import BotContext
from bot.handlers import ui

AnyHandler = BaseHandler[Any, Any, Any]


@dataclass
class DialogPart:
    entry_points: list[AnyHandler] = field(default_factory=list)
    states: dict[object, list[AnyHandler]] = field(default_factory=dict)


# --- dialog state ----------------------------------------------------------------------------


@dataclass
class DialogState:
    """One run of a dialog: its flow and the instance id its buttons carry."""

    flow: ClassVar[str]
    id: str

    def __init_subclass__(cls, flow: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if flow is not None:
            cls.flow = flow

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for user_data (and so for persistence)."""
        return {"flow": self.flow, "id": self.id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self | None:
        """The run stored as `data`, or None when `data` is not this flow's shape."""
        ident = data.get("id")
        if data.get("flow") != cls.flow or not isinstance(ident, str) or not ident:
            return None
        return cls._read(ident, data)

    @classmethod
    def _read(cls, ident: str, data: Mapping[str, Any]) -> Self | None:
        return cls(ident)


class SetKeyDialog(DialogState, flow="setkey"):
    """/setkey waits for the key (nothing else is kept: never the key)."""


class BulkDialog(DialogState, flow="bulk"):
    """/bulk waits for the order lines."""


class ZoneDialog(DialogState, flow="zone"):
    """Settings waits for a typed IANA time zone name."""


class QuietDialog(DialogState, flow="quiet"):
    """Settings waits for typed quiet hours ("23:00-08:00")."""


@dataclass
class ScheduleDialog(DialogState, flow="schedule"):
    """🕒 Later under a preview waits for a typed time; `batch` is the preview's."""

    batch: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "batch": self.batch}

    @classmethod
    def _read(cls, ident: str, data: Mapping[str, Any]) -> Self | None:
        batch = data.get("batch")
        return cls(ident, batch) if isinstance(batch, str) and batch else None


@dataclass
class FoundOrderDialog(DialogState, flow="found"):
    """🔎 I found it on the panel: waits for the panel's id of unknown order `order_id`."""

    order_id: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "order_id": self.order_id}

    @classmethod
    def _read(cls, ident: str, data: Mapping[str, Any]) -> Self | None:
        order_id = data.get("order_id")
        if not isinstance(order_id, int) or isinstance(order_id, bool) or order_id <= 0:
            return None
        return cls(ident, order_id)


# The drip-feed Yes/No question's name in OrderDialog.question and in its buttons' data.
DRIPFEED_QUESTION = "dripfeed?"


@dataclass
class OrderDialog(DialogState, flow="order"):
    """/order's answers so far; `service` is None while the service is asked for.

    `question` is the open question: a field of the service's plan, or `DRIPFEED_QUESTION`.
    `skipped` are optional fields left out; `dripfeed`: turned on, the quantity is per run.
    `editing`: the open question was reopened by ✏️ Edit on a preview, every other answer is
    in: its answer (or « Back) leads straight to a new preview.
    `collected` are the lines sent so far to the list question `collected_for`, in several
    messages, before ✅ Done (bot/handlers/list_answers.py): kept here, they survive a restart.
    """

    service: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    question: str | None = None
    dripfeed: bool = False
    editing: bool = False
    collected: list[str] = field(default_factory=list)
    collected_for: str | None = None
    # How many lines each message added to `collected`, oldest first (↩️ removes the last).
    collected_parts: list[int] = field(default_factory=list)
    # The panel account the order goes to ("Order here" on a comparison); None: the default.
    slot: int | None = None

    def lines_for(self, question: str) -> list[str]:
        """The lines collected for `question` (none when they were for another question)."""
        return list(self.collected) if self.collected_for == question else []

    def parts_for(self, question: str) -> list[int]:
        """How many lines each message added to `question`'s list, oldest first; a list kept
        without them (or not adding up) counts as one message."""
        lines = self.lines_for(question)
        parts = self.collected_parts if self.collected_for == question else []
        if sum(parts) != len(lines) or any(p <= 0 for p in parts):
            return [len(lines)] if lines else []
        return list(parts)

    def collect(self, question: str, lines: list[str], parts: list[int] | None = None) -> None:
        """`lines` are now all the lines collected for `question` (empty: none), `parts` how
        many each message added (None: one message)."""
        self.collected = list(lines)
        self.collected_for = question if lines else None
        self.collected_parts = (list(parts) if parts is not None else [len(lines)]) if lines else []

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.slot is not None:
            data["slot"] = self.slot
        if self.service is not None:
            data.update(
                service=self.service,
                values=dict(self.values),
                skipped=list(self.skipped),
                question=self.question,
                dripfeed=self.dripfeed,
                editing=self.editing,
            )
            if self.collected_for is not None and self.collected:
                data["collected"] = {
                    "question": self.collected_for,
                    "lines": list(self.collected),
                    "parts": list(self.collected_parts),
                }
        return data

    @classmethod
    def _read(cls, ident: str, data: Mapping[str, Any]) -> Self | None:
        service = data.get("service")
        slot = data.get("slot")
        if not isinstance(slot, int) or isinstance(slot, bool):
            slot = None
        if service is None:
            return cls(ident, slot=slot)
        values, skipped = data.get("values", {}), data.get("skipped", [])
        # Saved before the question had its name: the same value was stored as "field".
        question = data.get("question", data.get("field"))
        if (
            not isinstance(service, int)
            or isinstance(service, bool)
            or not isinstance(values, dict)
            or not all(isinstance(k, str) for k in values)
            or not isinstance(skipped, list)
            or not all(isinstance(s, str) for s in skipped)
            or not isinstance(question, str | None)
        ):
            return None
        dripfeed = data.get("dripfeed") is True
        editing = data.get("editing") is True
        dialog = cls(
            ident, service, dict(values), list(skipped), question, dripfeed, editing, slot=slot
        )
        collected = data.get("collected")
        if isinstance(collected, Mapping):
            lines, target = collected.get("lines"), collected.get("question")
            # A damaged collection is dropped, not the answers: the lines can be sent again.
            if isinstance(target, str) and isinstance(lines, list):
                parts = collected.get("parts")
                sizes = [p for p in parts if isinstance(p, int)] if isinstance(parts, list) else []
                kept = [line for line in lines if isinstance(line, str)]
                dialog.collect(target, kept, sizes or None)
                dialog.collected_parts = dialog.parts_for(target)  # sizes that add up
        return dialog


@dataclass
class PanelDialog(DialogState, flow="panel"):
    """/panels: adding a panel (`url` for a custom one, then the key: never kept here) or
    renaming one or setting its low-balance alert (`slot`). `step` is the open question:
    "url", "key", "name" or "alert"."""

    step: str = "key"
    preset: int | None = None
    url: str | None = None
    slot: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(step=self.step, preset=self.preset, url=self.url, slot=self.slot)
        return data

    @classmethod
    def _read(cls, ident: str, data: Mapping[str, Any]) -> Self | None:
        step, preset, url, slot = (data.get(k) for k in ("step", "preset", "url", "slot"))
        if step not in ("url", "key", "name", "alert") or not isinstance(url, str | None):
            return None
        for number in (preset, slot):
            if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
                return None
        return cls(ident, step, preset, url, slot)


_FLOWS: Mapping[str, type[DialogState]] = MappingProxyType(
    {
        kind.flow: kind
        for kind in (
            SetKeyDialog,
            BulkDialog,
            OrderDialog,
            ZoneDialog,
            QuietDialog,
            PanelDialog,
            FoundOrderDialog,
            ScheduleDialog,
        )
    }
)

D = TypeVar("D", bound=DialogState)


def read_state(data: object) -> DialogState | None:
    """A stored run as its class; None for no run or a shape that does not read back."""
    if not isinstance(data, Mapping):
        return None
    flow = data.get("flow")
    kind = _FLOWS.get(flow) if isinstance(flow, str) else None
    return kind.from_dict(data) if kind is not None else None


# --- the open run ----------------------------------------------------------------------------


def new_instance_id() -> str:
    # URL-safe base64 has no ':'; 8 characters keep the callback data short.
    return secrets.token_urlsafe(6)


def current(context: BotContext) -> DialogState | None:
    """The open run, without creating one."""
    return read_state(context.state.dialog)


def open_run(context: BotContext, kind: type[D]) -> D | None:
    """The open run if it is a `kind` one; never creates it (old buttons must not)."""
    state = current(context)
    return state if isinstance(state, kind) else None


def save(context: BotContext, state: DialogState) -> None:
    """Keep `state` as the open run (changes to a state object count only once saved)."""
    if context.user_data is None:
        raise RuntimeError("no user_data for this update")
    context.user_data.dialog = state.to_dict()


def begin(context: BotContext, kind: type[D]) -> D:
    """A fresh run of `kind`, with a new instance id (old buttons now closed)."""
    state = kind(new_instance_id())
    save(context, state)
    return state


def end(context: BotContext) -> int:
    """Forget the open run (its buttons are closed from now on); the state to return."""
    context.state.dialog = None
    return ConversationHandler.END


def instance_id(context: BotContext, kind: type[DialogState]) -> str:
    """The instance id of the open `kind` run; starts one if its data went missing."""
    state = open_run(context, kind)
    return (state if state is not None else begin(context, kind)).id


def is_current(context: BotContext, instance: str) -> bool:
    state = current(context)
    return state is not None and state.id == instance


def button_of_open_dialog(update: Update, context: BotContext) -> DialogButton | None:
    """The pressed dialog button's data when it belongs to the open run, else None."""
    pressed = callback_of(update, DialogButton)
    return pressed if pressed is not None and is_current(context, pressed.dialog) else None


async def closed(update: Update, context: BotContext) -> None:
    """A button of a dialog run (or question) that is no longer open: say so, change nothing."""
    await ui.answer(update, context.t._("This question is closed."))


# --- the ConversationHandler -----------------------------------------------------------------

DialogEnd = Callable[[Update, BotContext], Coroutine[Any, Any, int]]


def build_dialog(parts: Sequence[DialogPart], cancel: DialogEnd) -> ConversationHandler[Any]:
    """The one dialog; `cancel` (/cancel, or the open run's ✖️ Cancel) leaves it."""
    entry_points = [h for part in parts for h in part.entry_points]
    states: dict[object, list[AnyHandler]] = {}
    for part in parts:
        for state, handlers in part.states.items():
            if state in states:
                raise ValueError(f"dialog state {state!r} defined twice")
            states[state] = handlers

    async def cancel_button(update: Update, context: BotContext) -> int | None:
        """The ✖️ Cancel of a dialog question: leaves the dialog only if the button is from it."""
        if button_of_open_dialog(update, context) is None:
            await closed(update, context)
            return None
        return await cancel(update, context)

    with warnings.catch_warnings():
        # Buttons are tracked per chat, not per message, on purpose: one dialog per user.
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states=states,
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel_button, pattern=CancelDialog.pattern()),
            ],
            allow_reentry=True,
            name="dialog",
            persistent=True,
        )


def closed_buttons() -> AnyHandler:
    """After the dialog: question buttons that no open dialog state took are closed."""
    return CallbackQueryHandler(closed, pattern=DialogButton.pattern())
