"""Text the catalog screens add for the quick picks, the sort and filters, the search results'
categories and a service's average time. Pure functions, as the rest of `bot.views`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Translator
from bot.keyboards.favourites import catalog_pick_rows, view_rows
from bot.keyboards.layout import before_last, prepend
from bot.panel.models import Service
from bot.services.catalog_options import CatalogOptions, Sort
from bot.services.favourites import FAVOURITES_MAX, QuickPicks
from bot.storage.models import Starred
from bot.views.screen import Screen
from bot.views.text import esc

# Search results name each service and its category in the text; a name is cut past this.
FULL_NAME_MAX = 250
NAME_MAX = 60


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- average time ---------------------------------------------------------------------------


def duration(t: Translator, minutes: int) -> str:
    """ "1 hour 14 minutes", "2 days 3 hours": the two largest units, in the user's language."""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts: list[str] = []
    if days:
        parts.append(t.ngettext("{n} day", "{n} days", days))
    if hours:
        parts.append(t.ngettext("{n} hour", "{n} hours", hours))
    if mins and not days:
        parts.append(t.ngettext("{n} minute", "{n} minutes", mins))
    return " ".join(parts)


def average_time_line(t: Translator, service: Service) -> str | None:
    """The card's "Average time" line; None when the panel sent none."""
    if service.average_minutes is not None:
        return t._("Average time: {time}", time=duration(t, service.average_minutes))
    if service.average_text:
        # Words the bot could not read stay the panel's, and say so.
        return t._("Average time (the panel's words): {text}", text=esc(service.average_text))
    return None


# --- sort and filters -------------------------------------------------------------------------


def view_note(t: Translator, view: CatalogOptions, shown: int, total: int) -> str | None:
    """One line saying how the list is sorted and filtered; None for the panel's plain list."""
    parts: list[str] = []
    if view.sort is Sort.PRICE_UP:
        parts.append(t._("cheapest first"))
    elif view.sort is Sort.PRICE_DOWN:
        parts.append(t._("most expensive first"))
    if view.refill_only:
        parts.append(t._("refill only"))
    if view.cancel_only:
        parts.append(t._("cancel only"))
    if not parts:
        return None
    line = "⚙️ " + " · ".join(parts)
    if view.filtered:
        line += " — " + t._(
            "{shown} of {total} shown", shown=t.number(shown), total=t.number(total)
        )
    return line


def nothing_matches(t: Translator) -> str:
    return t._("No service here matches the filters.")


def with_view(
    screen: Screen,
    t: Translator,
    view: CatalogOptions,
    *,
    shown: int,
    total: int,
    category: int,
    version: str,
) -> Screen:
    """A service list (`total` services, `shown` after the filters) with its sort and filter
    toggles above « Back (the services stay the first buttons) and a line under its title
    saying which are on. An empty list gets none."""
    if total == 0:
        return screen
    title, _, rest = screen.text.partition("\n")
    lines = [title]
    note = view_note(t, view, shown, total)
    if note is not None:
        lines.append(note)
    if shown == 0:
        lines.append(nothing_matches(t))
    text = "\n".join(lines) + ("\n" + rest if rest else "")
    return Screen(text, before_last(screen.markup, view_rows(t, view, category, version)))


# --- search results ---------------------------------------------------------------------------


def search_lines(t: Translator, services: Sequence[Service]) -> str:
    """The page's results with their categories: "#12 Takipçi — 📂 Instagram". The buttons cut
    long names to fit a phone, so the text has them in full (up to FULL_NAME_MAX)."""
    return "\n".join(
        f"#{s.id} {esc(_cut(s.name_text, FULL_NAME_MAX))} — 📂 "
        f"<i>{esc(s.category or t._('no category'))}</i>"
        for s in services
    )


# --- quick picks -------------------------------------------------------------------------------


def unavailable_note(t: Translator, picks: QuickPicks) -> str | None:
    """Favourites the panel does not list now get no button; they are named instead."""
    if not picks.unavailable:
        return None
    ids = ", ".join(f"#{sid}" for sid in picks.unavailable)
    return t._("★ Not offered by the panel now: {ids}", ids=ids)


def with_quick_picks(screen: Screen, t: Translator, picks: QuickPicks) -> Screen:
    """The categories with the user's quick picks on top (each opens its card)."""
    note = unavailable_note(t, picks)
    text = screen.text if note is None else screen.text + "\n" + note
    return Screen(text, prepend(screen.markup, catalog_pick_rows(picks)))


def with_order_picks(question: str, t: Translator, picks: QuickPicks) -> str:
    """/order's service question, pointing at the quick-pick buttons when there are some."""
    lines = [question]
    if picks.favourites or picks.recent:
        lines.append(t._("Or tap one of your ★ favourites or 🕘 recent services below."))
    note = unavailable_note(t, picks)
    if note is not None:
        lines.append(note)
    return "\n".join(lines)


def starred_alert(t: Translator, outcome: Starred | None) -> str:
    """The toast after ☆/★: `None` means it was taken off the list."""
    if outcome is None:
        return t._("Removed from favourites.")
    if outcome is Starred.FULL:
        return t._(
            "You have {n} favourites, the most there can be. Remove one first.",
            n=t.number(FAVOURITES_MAX),
        )
    return t._("Added to favourites: it is at the top of /order and /services.")
