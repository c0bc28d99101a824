"""Validators for what a user types while ordering. Only `InputError` comes out of them.

Each error carries an English message id (marked with `N_`) and its parameters, so the
Telegram layer shows it translated: `_(err.msgid, **err.params)`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.i18n import N_
from bot.panel.models import Service
from bot.services.catalog_index import CatalogIndex

MAX_LINK_LENGTH = 2000
MAX_RUNS = 1000
MAX_INTERVAL_MINUTES = 10_080  # one week
MAX_LIST_LINES = 1000
MAX_LINE_LENGTH = 500
# Bigger numbers are typos or abuse; keeps int() away from huge digit strings.
MAX_INT_DIGITS = 12


class InputError(ValueError):
    """Something the user typed cannot be used; `msgid`/`params` describe why.

    With a `plural` msgid the message counts something: `params["n"]` picks the form
    (`Translator.ngettext`), so "1 line" and "2 lines" both read right in every language.
    """

    def __init__(self, msgid: str, /, plural: str | None = None, **params: Any) -> None:
        self.msgid = msgid
        self.plural = plural
        self.params = params
        super().__init__(self.english)

    @property
    def english(self) -> str:
        """The untranslated message, for logs and tests."""
        msgid = self.msgid
        if self.plural is not None and self.params.get("n") != 1:
            msgid = self.plural
        try:
            return msgid.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return msgid

    def __repr__(self) -> str:
        plural = f", plural={self.plural!r}" if self.plural is not None else ""
        return f"{type(self).__name__}({self.msgid!r}{plural}, params={self.params!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InputError):
            return NotImplemented
        mine = (type(self), self.msgid, self.plural, self.params)
        return mine == (type(other), other.msgid, other.plural, other.params)

    def __hash__(self) -> int:
        return hash((type(self), self.msgid))


class ServiceGone(InputError):
    """The service is no longer in the panel's catalog."""


# --- links -------------------------------------------------------------------------------

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})$")
# Invisible characters phones and chat apps put around pasted links.
_INVISIBLE_EDGES = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"


def _bad_char(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"}


def normalize_link(text: str) -> str:
    """An http(s) URL with a real host name; a bare `instagram.com/x` becomes `https://…`.

    The scheme and host are lowercased, `www.` is kept when given, the rest is untouched.
    """
    link = text.strip().strip(_INVISIBLE_EDGES).strip()
    if not link:
        raise InputError(N_("Please send a link, e.g. https://instagram.com/username."))
    if len(link) > MAX_LINK_LENGTH:
        raise InputError(N_("This link is too long (over {max} characters)."), max=MAX_LINK_LENGTH)
    if any(_bad_char(ch) for ch in link):
        raise InputError(
            N_("A link cannot contain spaces or invisible characters. Please send one link.")
        )
    if link.startswith("//"):
        link = "https:" + link
    match = _SCHEME.match(link)
    if match is not None and "." not in match.group(1):
        scheme = match.group(1).lower()
        if scheme not in {"http", "https"} or not link[match.end() :].startswith("//"):
            raise InputError(
                N_("Only web links starting with https:// or http:// are accepted."),
            )
    else:
        # No scheme, or "host.tld:port/…" which the regex mistakes for one.
        link = "https://" + link
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:
        raise _bad_link() from None
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None or not _real_host(host):
        raise _bad_link()
    netloc = host if port is None else f"{host}:{port}"
    # Everything after the host is kept byte for byte: panels match links literally.
    rest = link[len(parts.scheme) + 3 + len(parts.netloc) :]
    normalized = f"{parts.scheme.lower()}://{netloc}{rest}"
    if len(normalized) > MAX_LINK_LENGTH:
        raise InputError(N_("This link is too long (over {max} characters)."), max=MAX_LINK_LENGTH)
    return normalized


def _bad_link() -> InputError:
    return InputError(
        N_("This does not look like a link. Send a web address such as https://instagram.com/name.")
    )


def _real_host(host: str) -> bool:
    labels = host.split(".")
    if len(labels) < 2 or len(host) > 253:
        return False
    # A letters-only top-level domain also rules out bare IP addresses.
    return all(_LABEL.match(label) for label in labels) and bool(_TLD.match(labels[-1]))


# --- numbers -----------------------------------------------------------------------------

_PLAIN_INT = re.compile(r"^[0-9]+$")
# One separator kind, used consistently in groups of three: 1,000 / 1.000 / 1 000 / 1'000.
_GROUPED_INT = re.compile(r"^[0-9]{1,3}(?P<sep>[,.' ])[0-9]{3}(?:(?P=sep)[0-9]{3})*$")
_NUMBER_SPACES = re.compile(r"[\u00a0\u2007\u2009\u202f]")


def _to_int(text: str) -> int | None:
    """Whole number with optional thousand separators; None for anything else.

    "1.5" and "1,50" are decimals (not groups of three), so they are rejected, not guessed.
    """
    cleaned = _NUMBER_SPACES.sub(" ", text.strip())
    if _PLAIN_INT.match(cleaned) is None:
        if _GROUPED_INT.match(cleaned) is None:
            return None
        cleaned = re.sub(r"[,.' ]", "", cleaned)
    cleaned = cleaned.lstrip("0") or "0"
    if len(cleaned) > MAX_INT_DIGITS:
        return None
    return int(cleaned)


def parse_positive_int(
    text: str,
    *,
    field: str,
    min: int = 1,
    max: int = 10**9,
    msgid: str | None = None,
) -> int:
    """Whole number in `min..max`. `field` names the value for the Telegram layer."""
    value = _to_int(text)
    if value is None or not min <= value <= max:
        raise InputError(
            msgid or N_("Please send a whole number between {min} and {max}."),
            field=field,
            min=min,
            max=max,
        )
    return value


@dataclass(frozen=True, slots=True)
class WholeNumber:
    """An answer that must be a whole number in `min..max`, with its own message saying so.

    Called with the text for the fixed bounds; `within` takes bounds known only when asking
    (the service's limits, an earlier answer).
    """

    field: str
    msgid: str
    min: int = 1
    max: int = 10**9

    def __call__(self, text: str) -> int:
        return self.within(text, self.min, self.max)

    def within(self, text: str, min: int, max: int) -> int:
        return parse_positive_int(text, field=self.field, min=min, max=max, msgid=self.msgid)


_QUANTITY = WholeNumber("quantity", N_("Quantity must be a whole number between {min} and {max}."))


def parse_quantity(text: str, service: Service) -> int:
    return _QUANTITY.within(text, max(service.min, 1), service.max)


parse_runs = WholeNumber(
    "runs",
    N_("Runs (how many deliveries) must be a whole number between {min} and {max}."),
    min=2,
    max=MAX_RUNS,
)
# Minutes between drip-feed runs.
parse_interval = WholeNumber(
    "interval",
    N_("Interval must be a whole number of minutes between {min} and {max}."),
    max=MAX_INTERVAL_MINUTES,
)


def check_dripfeed_total(quantity: int, runs: int, service: Service) -> int:
    """Drip-feed sends `quantity` per run; the panel checks the total against the service max.

    Each run's quantity is already within min..max (`parse_quantity`), so the total is at
    least min; only the upper bound can fail. Returns the total.
    """
    total = quantity * runs
    if not service.min <= total <= service.max:
        raise InputError(
            N_(
                "With drip-feed the total (quantity × runs = {total}) must be between "
                "{min} and {max}. Lower the quantity or the number of runs."
            ),
            total=total,
            min=service.min,
            max=service.max,
        )
    return total


# --- usernames and lists -----------------------------------------------------------------

_USERNAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True, slots=True)
class _ProfileSite:
    """Where a profile link's one path segment is the username, and what a username there
    may look like. `at`: the segment carries an `@` (tiktok.com/@name); `reserved`: one-segment
    paths that are pages of the site, not people."""

    name: re.Pattern[str]
    at: bool = False
    reserved: frozenset[str] = frozenset()


_INSTAGRAM = _ProfileSite(
    re.compile(r"[A-Za-z0-9._]{1,30}"),
    reserved=frozenset({"explore", "accounts", "direct", "reels", "stories", "about", "p", "tv"}),
)
_TELEGRAM = _ProfileSite(
    re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}"),
    reserved=frozenset({"share", "proxy", "socks", "joinchat", "login", "addstickers", "iv"}),
)
_TIKTOK = _ProfileSite(re.compile(r"[A-Za-z0-9._]{2,24}"), at=True)
_X = _ProfileSite(
    re.compile(r"[A-Za-z0-9_]{1,15}"),
    reserved=frozenset(
        {"home", "explore", "search", "i", "intent", "settings", "messages", "notifications",
         "share", "login", "signup", "tos", "privacy", "compose", "hashtag"}
    ),
)  # fmt: skip
_PROFILE_SITES: dict[str, _ProfileSite] = {
    "instagram.com": _INSTAGRAM,
    "instagr.am": _INSTAGRAM,
    "t.me": _TELEGRAM,
    "telegram.me": _TELEGRAM,
    "tiktok.com": _TIKTOK,
    "x.com": _X,
    "twitter.com": _X,
}


def _looks_like_link(text: str) -> bool:
    """A URL with a scheme, or a host with a dot followed by a path (`t.me/name`)."""
    if "://" in text or text.startswith("//"):
        return True
    head = text.split("/", 1)[0]
    return "/" in text and "." in head


def _username_from_link(text: str) -> str:
    """The username a profile link names (instagram.com/name, t.me/name, tiktok.com/@name,
    x.com/name; any scheme or none, `www.`/`m.`, a query, a fragment, a trailing slash),
    checked against that site's username rules. Anything else is an `InputError`."""
    not_profile = InputError(
        N_(
            "This link is not a profile link. Send the username (like @name) or a profile "
            "link such as https://instagram.com/name."
        ),
        value=text[:64],
    )
    try:
        link = normalize_link(text)
    except InputError:
        raise not_profile from None
    parts = urlsplit(link)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
    site = _PROFILE_SITES.get(host)
    segments = [s for s in parts.path.split("/") if s]
    if site is None or len(segments) != 1:
        raise not_profile
    segment = segments[0]
    if site.at and not segment.startswith("@"):
        raise not_profile
    name = segment.removeprefix("@")
    if name.lower() in site.reserved or site.name.fullmatch(name) is None:
        raise not_profile
    return name


def parse_username(text: str) -> str:
    """`@name` or `name` → `name`; letters, digits, `.`, `_`, `-` (Telegram/Instagram-like).

    A profile link is read too (`https://instagram.com/name?igsh=…` → `name`): people copy
    the profile's address more often than they type the name."""
    name = text.strip().strip(_INVISIBLE_EDGES).strip().removeprefix("@")
    if _looks_like_link(name):
        return _username_from_link(name)
    if _USERNAME.match(name) is None or not any(ch.isalnum() for ch in name):
        raise InputError(
            N_(
                "Send a username like @name: letters, digits, dot, underscore or hyphen, "
                "up to 64 characters."
            ),
            value=text.strip()[:64],
        )
    return name


def parse_lines(
    text: str,
    *,
    field: str,
    max_lines: int = MAX_LIST_LINES,
    max_length: int = MAX_LINE_LENGTH,
) -> list[str]:
    """One item per line: stripped, blank lines dropped; 1..max_lines items."""
    items = [line.strip() for line in text.splitlines()]
    items = [line for line in items if line]
    if not items:
        raise InputError(N_("Please send at least one line."), field=field)
    if len(items) > max_lines:
        raise InputError(
            N_("Too many lines: {count}. At most {max} are allowed."),
            field=field,
            count=len(items),
            max=max_lines,
        )
    for number, item in enumerate(items, start=1):
        if len(item) > max_length:
            raise InputError(
                N_("Line {line} is too long (over {max} characters)."),
                field=field,
                line=number,
                max=max_length,
            )
    return items


def _parse_each_line(
    text: str, field: str, parse_one: Callable[[str], str], msgid: str, max_lines: int
) -> list[str]:
    """A list of one item per line, each read by `parse_one`; `msgid` names the bad line."""
    items: list[str] = []
    for number, item in enumerate(parse_lines(text, field=field, max_lines=max_lines), 1):
        try:
            items.append(parse_one(item))
        except InputError:
            raise InputError(msgid, field=field, line=number, value=item[:64]) from None
    return items


def parse_usernames(text: str, *, max_lines: int = MAX_LIST_LINES) -> list[str]:
    return _parse_each_line(
        text,
        "usernames",
        parse_username,
        N_("Line {line} is not a valid username: {value}"),
        max_lines,
    )


_HASHTAG = re.compile(r"^\w{1,100}$")


def parse_hashtag(text: str) -> str:
    """A single hashtag, returned without `#` (the standard `hashtag` parameter)."""
    tag = text.strip().removeprefix("#")
    if _HASHTAG.match(tag) is None:
        raise InputError(
            N_("Send one hashtag like #travel: letters, digits and underscores only."),
            value=text.strip()[:64],
        )
    return tag


def parse_hashtags(text: str, *, max_lines: int = MAX_LIST_LINES) -> list[str]:
    """Hashtags one per line, returned with `#` as the standard `hashtags` list shows them."""
    return _parse_each_line(
        text,
        "hashtags",
        lambda item: "#" + parse_hashtag(item),
        N_("Line {line} is not a valid hashtag: {value}"),
        max_lines,
    )


# --- subscriptions -----------------------------------------------------------------------

# Values the standard "Subscriptions" type accepts for `delay` (minutes).
SUBSCRIPTION_DELAYS: tuple[int, ...] = (
    0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480,
    540, 600,
)  # fmt: skip


def parse_delay(text: str) -> int:
    value = _to_int(text)
    if value is None or value not in SUBSCRIPTION_DELAYS:
        # The dialog offers every value as a button: the error need not list all 22 again.
        raise InputError(
            N_("Delay must be one of the minutes on the buttons ({min}–{max})."),
            min=SUBSCRIPTION_DELAYS[0],
            max=SUBSCRIPTION_DELAYS[-1],
        )
    return value


_DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d")


def parse_expiry(text: str, *, today: date | None = None) -> str:
    """A future date as day/month/year; returned in the panel's `d/m/Y` form."""
    raw = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if day <= (today or date.today()):
            raise InputError(N_("The expiry date must be in the future."), value=raw[:32])
        return day.strftime("%d/%m/%Y")
    raise InputError(N_("Send the expiry date as day/month/year, e.g. 31/12/2030."), value=raw[:32])


# --- catalog drift -----------------------------------------------------------------------


def service_available(index_now: CatalogIndex, service_id: int) -> Service:
    """The service as the panel lists it now; `ServiceGone` when it vanished.

    Whether it still takes the previewed order at the previewed price is checked on Confirm
    (`OrderingService.confirm`, `BulkOrderService.confirm`), against the stored draft.
    """
    current = index_now.get(service_id)
    if current is None:
        raise ServiceGone(
            N_("Service {id} is no longer offered by the panel. Please pick another one."),
            id=service_id,
        )
    return current


def require(values: Mapping[str, Any], name: str) -> Any:
    """A value collected earlier in the dialog; missing means the dialog state was lost."""
    value = values.get(name)
    if value is None:
        raise missing_value(name)
    return value


def missing_value(name: str) -> InputError:
    return InputError(
        N_("Some order details are missing. Please start the order again."), field=name
    )
