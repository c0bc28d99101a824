"""Telegram HTML that is safe to send (issue 19 item 6: panel text is text).

Every string a panel sends (service names, categories, descriptions, currencies, statuses, error
texts) and every name a user typed may hold `<`, `&` or a whole `<a href=…>`. `Html` is text
already fit for a message; the one way to make it from such a string is `escaped`. The views'
placeholders for panel text (`Translator.gettext`'s `panel`, `name`, `category`, `type`,
`currency`, `status` and `error`, and `link` and `query` for what a user typed; `ngettext`'s
`category`) take only `Html`, so mypy rejects a raw string there. Text that is not HTML (button
labels, a chart's title) goes through `Translator.plain` instead, which takes text as it is.
The bot's own markup becomes `Html` where it is written (`Html(f"<b>{esc(label)}</b>")`, our
own words around text that is itself escaped).

`PanelText` goes one step further for the panel's words as they leave the panel layer (a
service's name, category and description, its own words for the average time; a catalog's
categories): the model hands them to the views as a `PanelText`, which is not a `str`, so
mypy rejects it wherever text is wanted (`+`, `join`, a `str` parameter, a placeholder).
It enters a message through `escaped`/`esc` only; formatted in an f-string it
gives its escaped text, so even the use a type checker cannot see shows it as text; and
`.plain` says, where it is read, that plain text is meant (a search key, the Mini App's JSON).
A model keeps the plain `str` in its field (`Service.name_text`) and makes the `PanelText` when
it is read (`Service.name`, a `PanelWords`): a catalog of 100,000 services then holds no extra
object per service. Data (search keys, sorting, matching, storage, JSON) reads the plain field.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, Generic, NewType, Self, TypeVar, overload

Html = NewType("Html", str)

# What a `PanelWords` gives: `PanelText`, or `PanelText | None` for a field that may be None.
_Shown = TypeVar("_Shown")


class PanelText:
    """Text a panel wrote, kept apart from `str`: see the module docstring."""

    __slots__ = ("plain",)

    def __init__(self, plain: str) -> None:
        self.plain = plain

    def __repr__(self) -> str:
        return f"PanelText({self.plain!r})"

    def __str__(self) -> str:
        # Escaped: an f-string or a `format` that slipped past review still shows it as text.
        return html.escape(self.plain, quote=False)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            # Never equal, so always a mistake (`order.currency == "USD"` would be False even
            # for "USD"), and one mypy does not see: it fails loudly instead. Data compares
            # the plain fields (`currency_text`) or `.plain`.
            raise TypeError("PanelText compared with str: compare its .plain text")
        return isinstance(other, PanelText) and other.plain == self.plain

    def __hash__(self) -> int:
        return hash(self.plain)

    def __bool__(self) -> bool:
        return bool(self.plain)


def panel_text(plain: str | None) -> PanelText | None:
    """`plain` as `PanelText`, None staying None."""
    return None if plain is None else PanelText(plain)


def escaped(value: object) -> Html:
    """`value` as text that shows as itself in a Telegram HTML message."""
    text = value.plain if isinstance(value, PanelText) else str(value)
    return Html(html.escape(text, quote=False))


class PanelWords(Generic[_Shown]):
    """A model's panel text for the views: its plain field (`field`) read as `PanelText` by
    `make` (`PanelText`, or `panel_text` for a field that may be None).

    Made when read, not kept: a `PanelText` per service would be one more object for every
    garbage collection to look at, 13,000 per large catalog (issue 19 item 5).
    """

    __slots__ = ("_make", "field")

    def __init__(self, field: str, make: Callable[[Any], _Shown]) -> None:
        self.field = field
        self._make = make

    @overload
    def __get__(self, model: None, owner: type) -> Self: ...

    @overload
    def __get__(self, model: object, owner: type | None = None) -> _Shown: ...

    def __get__(self, model: object, owner: type | None = None) -> Self | _Shown:
        if model is None:
            return self
        return self._make(getattr(model, self.field))
