"""Progress and expected time on cards, /status and the preview (issue 24 item 4). Pure.

Times are in the user's zone (`Translator.when`); a duration reads in days, hours and minutes.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.progress import Duration, DurationSource, Eta, Progress

BAR_CELLS = 10


def bar(percent: int) -> str:
    """▰▰▰▱▱▱▱▱▱▱ for 30%: one cell per 10%, rounded down (full only when all is delivered)."""
    filled = max(0, min(BAR_CELLS, percent * BAR_CELLS // 100))
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


def progress_line(t: Translator, progress: Progress) -> str:
    return t._(
        "Progress: {bar} {percent}% ({delivered} of {total})",
        bar=bar(progress.percent),
        percent=progress.percent,
        delivered=t.number(progress.delivered),
        total=t.number(progress.total),
    )


def short_progress(progress: Progress) -> str:
    """/status's compact form: the bar and the share."""
    return f"{bar(progress.percent)} {progress.percent}%"


def duration_text(t: Translator, seconds: float) -> str:
    """ "2 h 30 min", "45 min", "3 d 4 h": the two largest units, whole minutes at least 1."""
    minutes = max(1, round(seconds / 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return t._("{d} d {h} h", d=days, h=hours) if hours else t._("{d} d", d=days)
    if hours:
        return t._("{h} h {m} min", h=hours, m=mins) if mins else t._("{h} h", h=hours)
    return t._("{m} min", m=mins)


def _source(t: Translator, duration: Duration) -> str:
    if duration.source is DurationSource.OWN:
        return t.ngettext(
            "the median of your last {n} order of this service",
            "the median of your last {n} orders of this service",
            duration.samples,
        )
    return t._("the panel's average time")


def expected_line(t: Translator, duration: Duration | None) -> list[str]:
    """The preview's line (none without an estimate)."""
    if duration is None:
        return []
    return [
        t._(
            "⏱ Expected duration: about {duration} ({source})",
            duration=duration_text(t, duration.seconds),
            source=_source(t, duration),
        )
    ]


def eta_line(t: Translator, eta: Eta | None) -> list[str]:
    """The card's line: when it should finish (in the user's zone), and from what."""
    if eta is None:
        return []
    when, source = t.when(eta.finish_at), _source(t, eta.duration)
    if eta.late:
        return [t._("⏱ Expected by {when}: running late ({source})", when=when, source=source)]
    return [t._("⏱ Expected by {when} ({source})", when=when, source=source)]


def short_eta(t: Translator, eta: Eta | None) -> str:
    """/status's compact form: "⏱ by 7 Dec 2026, 18:30 (UTC)", or that it runs late."""
    if eta is None:
        return ""
    when = t.when(eta.finish_at)
    if eta.late:
        return t._("⏱ was due {when}", when=when)
    return t._("⏱ by {when}", when=when)
