"""/panels and /balance with several panels: the list, a panel's card, the questions."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from bot.i18n import Translator
from bot.panel.capabilities import Capabilities, Feature, Support
from bot.panel.models import Balance
from bot.panel.text import Html
from bot.services.panels import PanelLine, PanelMatches
from bot.storage.models import PanelAccount
from bot.views.errors import panel_error_text
from bot.views.text import esc


def _name(account: PanelAccount) -> Html:
    star = "★ " if account.is_default else ""
    return Html(f"{star}<b>{esc(account.label)}</b>")


def _line(t: Translator, line: PanelLine) -> str:
    if line.balance is not None:
        amount = t.balance(line.balance.amount, line.balance.currency)
        return f"{_name(line.account)}: {amount}"
    return t._("{panel}: not answering", panel=_name(line.account))


def totals_lines(t: Translator, sums: dict[str, Decimal]) -> list[str]:
    """One total per currency: amounts in different currencies are never added together."""
    return [
        t._(
            "Total in {currency}: <b>{amount}</b>",
            currency=esc(currency or "?"),
            amount=t.balance(amount, currency or None),
        )
        for currency, amount in sums.items()
    ]


def panels_text(t: Translator, lines: Sequence[PanelLine], sums: dict[str, Decimal]) -> str:
    if not lines:
        return t._("You have not linked a panel yet. Add one below, or send /setkey.")
    head = t._("🔗 <b>Your panels</b> (★ is the default: /order, /services and /bulk use it)")
    body = [_line(t, line) for line in lines]
    tail = totals_lines(t, sums) if len(lines) > 1 else []
    return "\n".join([head, "", *body, *(["", *tail] if tail else [])])


def balances_text(t: Translator, lines: Sequence[PanelLine], sums: dict[str, Decimal]) -> str:
    """/balance with several panels: one line each, then a total per currency."""
    head = t._("💰 <b>Balances</b>")
    body = [_line(t, line) for line in lines]
    return "\n".join([head, "", *body, "", *totals_lines(t, sums)])


def capabilities_line(t: Translator, caps: Capabilities) -> str:
    """What the panel takes through its API, as learned from its answers, in one line:
    "bulk: one by one · status: one by one · refill: not through the API · cancel: …"."""

    def how(feature: Feature, yes: str, no: str) -> str:
        support = caps.of(feature)
        if support is Support.UNKNOWN:
            return t._("not known yet")
        return yes if support is Support.YES else no

    api, not_api = t._("through the API"), t._("not through the API")
    return " · ".join(
        [
            t._("bulk: {how}", how=how(Feature.ADD_BULK, t._("in one request"), t._("one by one"))),
            t._(
                "status: {how}",
                how=how(Feature.MULTI_STATUS, t._("many at once"), t._("one by one")),
            ),
            t._("refill: {how}", how=how(Feature.REFILL, api, not_api)),
            t._("cancel: {how}", how=how(Feature.CANCEL, api, not_api)),
        ]
    )


def panel_card(
    t: Translator, line: PanelLine, *, orders: int, capabilities: Capabilities | None = None
) -> str:
    account = line.account
    parts = [_name(account), f"<code>{esc(account.url)}</code>"]
    if line.balance is not None:
        parts.append(
            t._("Balance: {balance}", balance=t.balance(line.balance.amount, line.balance.currency))
        )
    elif line.error is not None:
        parts.append(panel_error_text(t, line.error))
    if account.is_default:
        parts.append(t._("This is your default panel."))
    if account.low_balance_threshold is not None:
        parts.append(
            t._("🔔 Low-balance alert at {amount}", amount=esc(str(account.low_balance_threshold)))
        )
    parts.append(t._("Orders placed on it: {count}", count=orders))
    if capabilities is not None:
        parts.append(capabilities_line(t, capabilities))
    return "\n".join(parts)


def pick_panel_text(t: Translator, *, any_left: bool, custom: bool) -> str:
    if any_left:
        return t._("Which panel do you want to add?")
    if custom:
        return t._("You linked every panel offered here. You can add another one by its URL.")
    return t._("You linked every panel offered here.")


def url_question(t: Translator, notice: str | None = None, *, allow_private: bool = False) -> str:
    """Asks for a panel's URL, saying which addresses the operator's settings accept."""
    if allow_private:
        text = t._(
            "Send the panel's API URL, for example <code>https://panel.example/api/v2</code>.\n"
            "Addresses on a private network and plain http are accepted too."
        )
    else:
        text = t._(
            "Send the panel's API URL, for example <code>https://panel.example/api/v2</code>.\n"
            "Only https addresses on the public internet are accepted."
        )
    return text if notice is None else notice + "\n\n" + text


def url_refused(t: Translator, reason: str) -> str:
    return t._("This address cannot be used: {reason}", reason=esc(reason))


def panel_key_question(t: Translator, name: str) -> str:
    return t._(
        "Send me your API key for <b>{panel}</b>.\n"
        "I delete your message right away and store the key encrypted.",
        panel=esc(name),
    )


def panel_added(t: Translator, account: PanelAccount, balance: Balance) -> str:
    """A panel linked, or its key replaced."""
    return t._(
        "✅ <b>{panel}</b> linked. Balance: {balance}",
        panel=esc(account.label),
        balance=t.balance(balance.amount, balance.currency),
    )


def panel_key_refused(t: Translator) -> str:
    return t._("This panel did not accept the key. Check it and send it again, or /cancel.")


def rename_question(t: Translator, current: str, notice: str | None = None) -> str:
    text = t._(
        "Send a new name for <b>{panel}</b> (up to 24 characters, without | ; , =).",
        panel=esc(current),
    )
    return text if notice is None else notice + "\n\n" + text


def name_question(t: Translator, suggested: str) -> str:
    """A panel added by its URL: what to call it, its host suggested."""
    return t._(
        "What should I call this panel? Tap <b>{panel}</b> to keep that name, or send another "
        "(up to 24 characters, without | ; , =).",
        panel=esc(suggested),
    )


def bad_name(t: Translator) -> str:
    return t._("That name cannot be used: up to 24 characters, without | ; , = or tabs.")


def name_taken(t: Translator) -> str:
    return t._("You already have a panel with this name.")


def renamed(t: Translator, name: str) -> str:
    return t._("✅ Renamed to <b>{panel}</b>.", panel=esc(name))


def remove_question(t: Translator, name: str, open_orders: int) -> str:
    text = t._(
        "Remove <b>{panel}</b>? Its key is deleted; its orders stay in your history.",
        panel=esc(name),
    )
    if open_orders:
        text += "\n" + t.ngettext(
            "{count} order on it is still open: it will no longer be tracked here.",
            "{count} orders on it are still open: they will no longer be tracked here.",
            open_orders,
            count=open_orders,
        )
    return text


def removed(t: Translator, name: str) -> str:
    return t._("<b>{panel}</b> was removed.", panel=esc(name))


def panel_gone(t: Translator) -> str:
    return t._("This panel is no longer linked.")


def panel_limit_reached(t: Translator, limit: int) -> str:
    """MAX_PANELS_PER_USER reached: one line, and what to do about it."""
    return t.ngettext(
        "You can link at most {n} panel. Remove one in /panels to add another.",
        "You can link at most {n} panels. Remove one in /panels to add another.",
        limit,
    )


def panel_linked_already(t: Translator) -> str:
    return t._("This panel is already linked: it is in /panels.")


# Thresholds are money: Decimal, positive, at most this (a typo guard, not a policy).
MAX_THRESHOLD = Decimal(1_000_000_000)
_OFF_WORDS = frozenset({"0", "off", "no", "none", "kapat", "kapalı", "kapali", "yok", "-"})


def parse_threshold(t: Translator, text: str) -> Decimal | Literal[False] | None:
    """The alert threshold typed as the user's language writes amounts (`1.000,50` in Turkish,
    `1,000.50` in English; `1,5` too), None to turn it off, False when unreadable."""
    value = text.strip().casefold()
    if value in _OFF_WORDS:
        return None
    amount = t.read_amount(value)
    if amount is None or amount <= 0 or amount > MAX_THRESHOLD:
        return False
    return amount


def alert_question(t: Translator, account: PanelAccount, notice: str | None = None) -> str:
    if account.low_balance_threshold is None:
        current = t._("No alert is set.")
    else:
        current = t._("The alert is at {amount}.", amount=esc(str(account.low_balance_threshold)))
    text = t._(
        "🔔 Send the balance below which I tell you about <b>{panel}</b> (for example 10), "
        "or 0 to turn the alert off.",
        panel=esc(account.label),
    )
    text = current + "\n" + text
    return text if notice is None else notice + "\n\n" + text


def bad_threshold(t: Translator) -> str:
    return t._("Send a positive amount such as 10 or 2.50, or 0 to turn the alert off.")


def alert_set(t: Translator, name: str, threshold: Decimal | None) -> str:
    if threshold is None:
        return t._("🔕 No low-balance alert for <b>{panel}</b>.", panel=esc(name))
    return t._(
        "🔔 I will tell you once when the balance of <b>{panel}</b> falls below {amount}, "
        "and again only after it rose above it.",
        panel=esc(name),
        amount=esc(str(threshold)),
    )


def browsing(t: Translator, name: str) -> str:
    return t._("🔗 Panel: <b>{panel}</b> (★ default; 🔁 below switches)", panel=esc(name))


def looking_at(t: Translator, name: str, default: str) -> str:
    """/services showing another panel than the ★ default, which /order and /bulk still use."""
    return t._(
        "🔗 Panel: <b>{panel}</b>, just looking. /order and /bulk use ★ <b>{default}</b>.",
        panel=esc(name),
        default=esc(default),
    )


def default_now(t: Translator, name: str) -> str:
    """After ★ Make default: what changed, and where."""
    return t._("★ <b>{panel}</b> is now your default for /order and /bulk.", panel=esc(name))


def search_results(t: Translator, query: str, found: Sequence[PanelMatches]) -> str:
    """/services <words> over every panel, grouped by panel."""
    lines = [t._("🔎 “{query}” on your panels", query=esc(query[:60]))]
    for group in found:
        lines += ["", f"<b>{esc(group.account.label)}</b>"]
        if group.error is not None:
            lines.append(panel_error_text(t, group.error))
        elif not group.services:
            lines.append(t._("Nothing found."))
        for service in group.services:
            rate = t.money(service.rate, group.currency)
            lines.append(
                t._(
                    "#{id} {name} — {rate} per 1000",
                    id=service.id,
                    name=esc(service.name),
                    rate=rate,
                )
            )
        if group.more:
            lines.append(t.ngettext("… and {n} more", "… and {n} more", group.more))
    return "\n".join(lines)
