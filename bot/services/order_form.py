"""The order form of the Mini App: the chat's questions of a service as fields. No Telegram here.

The chat asks one question at a time (`OrderPlan.fields`); the Mini App shows them all at once.
Both read the same plan, and every answer is checked by the same field parsers, so the form
can neither take what the chat would refuse nor refuse what it would take. The bounds and
quick answers here are only what the page offers; `check_answers` (and the draft made by Review)
is what decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.panel.models import Service
from bot.services.order_types import (
    MAX_POLL_ANSWER,
    FieldSpec,
    OrderPlan,
    counted_field,
    line_limits,
    order_cost,
    plan_for,
)
from bot.services.quick_answers import QUICK_INTERVALS, quick_quantities
from bot.services.validation import MAX_INTERVAL_MINUTES, MAX_RUNS, InputError


class FieldKind(StrEnum):
    """How the page shows a field (the parser behind it is the chat's)."""

    LINK = "link"
    QUANTITY = "quantity"
    LIST = "list"  # one item per line, with a count
    NUMBER = "number"
    TEXT = "text"
    CHOICE = "choice"  # only the listed values (the subscription delay)
    DATE = "date"  # day/month/year, as the chat takes it


class Dripfeed(StrEnum):
    """Drip-feed is one choice (issue 21): asked when the panel lists it, offered otherwise."""

    NONE = "none"  # the service does not take it
    ASKED = "asked"  # the panel lists drip-feed for the service: Yes / No
    OFFERED = "offered"  # the panel says nothing: the user may switch it on


_KINDS: dict[str, FieldKind] = {
    "link": FieldKind.LINK,
    "media": FieldKind.LINK,
    "quantity": FieldKind.QUANTITY,
    "hashtag": FieldKind.TEXT,
    "username": FieldKind.TEXT,
    "expiry": FieldKind.DATE,
}


@dataclass(frozen=True, slots=True)
class FormField:
    """One field; `bounds` of a number (lowest, highest; None: open), `lines` of a list (fewest,
    most), `picks` the values offered as buttons."""

    name: str
    kind: FieldKind
    prompt_msgid: str
    optional: bool
    depends_on: str | None
    bounds: tuple[int | None, int | None]
    lines: tuple[int, int] | None
    picks: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class OrderForm:
    plan: OrderPlan
    fields: tuple[FormField, ...]
    dripfeed: Dripfeed
    # The list whose number of lines is the quantity (custom comments), if any.
    counted_by: str | None = None

    @property
    def service(self) -> Service:
        return self.plan.service


def _kind(spec: FieldSpec) -> FieldKind:
    if spec.multiline:
        return FieldKind.LIST
    if spec.choices:
        return FieldKind.CHOICE
    return _KINDS.get(spec.name, FieldKind.NUMBER)


def _bounds(name: str, service: Service) -> tuple[int | None, int | None]:
    """What the chat's parser of the field takes, as far as a number input can say it."""
    bounds: dict[str, tuple[int | None, int | None]] = {
        "quantity": (service.min, service.max),
        "runs": (2, MAX_RUNS),
        "interval": (1, MAX_INTERVAL_MINUTES),
        "answer_number": (1, MAX_POLL_ANSWER),
        "min": (service.min, service.max),
        "max": (service.min, service.max),
        "posts": (1, None),
        "old_posts": (1, None),
    }
    return bounds.get(name, (None, None))


def _field(plan: OrderPlan, spec: FieldSpec) -> FormField:
    picks: tuple[int, ...] = spec.choices
    if spec.name == "quantity":
        picks = tuple(quick_quantities(spec, plan.service, {}))
    elif spec.name == "interval":
        picks = QUICK_INTERVALS
    return FormField(
        name=spec.name,
        kind=_kind(spec),
        prompt_msgid=spec.prompt_msgid,
        optional=spec.optional,
        depends_on=spec.depends_on,
        bounds=_bounds(spec.name, plan.service),
        lines=line_limits(plan, spec),
        picks=picks,
    )


def order_form(service: Service) -> OrderForm | None:
    """The form of `service`; None for a type the bot cannot order (the chat refuses it too)."""
    plan = plan_for(service)
    if plan is None:
        return None
    if not plan.dripfeed:
        dripfeed = Dripfeed.NONE
    else:
        dripfeed = Dripfeed.ASKED if service.dripfeed is True else Dripfeed.OFFERED
    fields = tuple(_field(plan, spec) for spec in plan.fields)
    return OrderForm(plan, fields, dripfeed, counted_field(plan))


@dataclass(frozen=True, slots=True)
class FormCheck:
    """Answers checked as typed: each field's problem, and the cost once it can be known."""

    errors: dict[str, InputError]
    values: dict[str, Any]
    # Every required answer is in and fits: Review can be asked.
    ready: bool = False
    # None until ready, and for subscriptions (billed per future post).
    cost: Decimal | None = None


def check_answers(form: OrderForm, answers: Mapping[str, str], *, dripfeed: bool) -> FormCheck:
    """Every answer given so far through its field's own parser, in the plan's order (a field
    is checked against the answers before it, as in the chat). Empty answers are left out;
    drip-feed fields count only with `dripfeed` on. Missing required answers are no error
    here: Review says which one is missing."""
    errors: dict[str, InputError] = {}
    values: dict[str, Any] = {}
    for spec in form.plan.fields:
        text = str(answers.get(spec.name) or "").strip()
        if not text or (spec.name in ("runs", "interval") and not dripfeed):
            continue
        if not spec.applies(values):
            continue
        try:
            values[spec.name] = spec.parse(text, form.service, values)
        except InputError as exc:
            errors[spec.name] = exc
    # Once drip-feed is chosen its runs are asked without a Skip, as in the chat.
    needed = {s.name for s in form.plan.fields if s.required(values)}
    if dripfeed and form.dripfeed is not Dripfeed.NONE:
        needed.add("runs")
    ready = not errors and needed <= values.keys()
    return FormCheck(errors, values, ready, order_cost(form.service, values) if ready else None)
