"""What to ask for each service type of the standard API, and how to turn answers into an order.

`plan_for(service)` gives the ordered fields of the dialog; each field's `parse` validates one
answer (raising `InputError`) given the answers so far. `build_params` then produces the order's
parameters: its `link`, `quantity`, `runs` and `interval`, and the type's `extra` of `NewOrder`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.i18n import N_, NP_
from bot.panel.models import Service
from bot.services.catalog_index import fold
from bot.services.validation import (
    MAX_INTERVAL_MINUTES,
    MAX_LIST_LINES,
    MAX_RUNS,
    SUBSCRIPTION_DELAYS,
    InputError,
    WholeNumber,
    check_dripfeed_total,
    missing_value,
    normalize_link,
    parse_delay,
    parse_expiry,
    parse_hashtag,
    parse_hashtags,
    parse_interval,
    parse_lines,
    parse_quantity,
    parse_runs,
    parse_username,
    parse_usernames,
    require,
)


class OrderKind(StrEnum):
    """Service types of the standard API, keyed by their folded name."""

    DEFAULT = "default"
    PACKAGE = "package"
    CUSTOM_COMMENTS = "custom comments"
    CUSTOM_COMMENTS_PACKAGE = "custom comments package"
    MENTIONS = "mentions"
    MENTIONS_WITH_HASHTAGS = "mentions with hashtags"
    MENTIONS_CUSTOM_LIST = "mentions custom list"
    MENTIONS_HASHTAG = "mentions hashtag"
    MENTIONS_USER_FOLLOWERS = "mentions user followers"
    MENTIONS_MEDIA_LIKES = "mentions media likes"
    COMMENT_LIKES = "comment likes"
    COMMENT_REPLIES = "comment replies"
    POLL = "poll"
    SUBSCRIPTIONS = "subscriptions"
    INVITES_FROM_GROUPS = "invites from groups"


Values = Mapping[str, Any]
Parser = Callable[[str, Service, dict[str, Any]], Any]

MAX_POLL_ANSWER = 100
MAX_SUBSCRIPTION_POSTS = 10_000


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One question of the order dialog; `name` is the API parameter it fills.

    `optional` fields may be skipped. A field with `depends_on` is asked (and required)
    only when that other field got a value — the drip-feed interval follows the runs.
    `checked_against` names the answers its parser reads (runs × quantity must fit the
    service's max): an answer checked against a changed one must be asked again.
    A `multiline` (list) answer may come in several messages: `check_part` checks one of them
    (every line, not how many there are in all) and `parse` the whole. `choices` are the only
    values the field takes, offered as buttons.
    Prompt placeholders are filled from `prompt_params(service)`.
    """

    name: str
    prompt_msgid: str
    parse: Parser
    optional: bool = False
    depends_on: str | None = None
    multiline: bool = False
    checked_against: tuple[str, ...] = ()
    choices: tuple[int, ...] = ()

    def check_part(self, text: str, service: Service, values: dict[str, Any]) -> list[str]:
        """One message's lines of a list answer, each checked as `parse` checks them; how many
        lines the service takes is checked on the whole list, so `LineCountError` is not
        raised here."""
        try:
            parsed = self.parse(text, service, values)
        except LineCountError as exc:
            parsed = exc.lines
        if isinstance(parsed, list | tuple):
            return [str(item) for item in parsed]
        return [line.strip() for line in str(parsed).splitlines() if line.strip()]

    def applies(self, values: Values) -> bool:
        return self.depends_on is None or values.get(self.depends_on) is not None

    def required(self, values: Values) -> bool:
        return not self.optional and self.applies(values)


def prompt_params(service: Service) -> dict[str, Any]:
    """Every placeholder any prompt uses; `str.format` ignores the ones a prompt lacks.

    Numbers stay numbers: the view formats them for the locale.
    """
    return {
        "min": service.min,
        "max": service.max,
        # A list answer holds at most MAX_LIST_LINES lines, whatever the service would take.
        "max_lines": min(service.max, MAX_LIST_LINES),
        "max_runs": MAX_RUNS,
        "max_interval": MAX_INTERVAL_MINUTES,
        "max_answer": MAX_POLL_ANSWER,
        "example": link_example(service),
    }


@dataclass(frozen=True, slots=True)
class OrderPlan:
    kind: OrderKind
    service: Service
    fields: tuple[FieldSpec, ...]

    @property
    def takes_link_and_quantity_only(self) -> bool:
        """Fits bulk ordering: nothing beyond link + quantity is needed."""
        return self.kind is OrderKind.DEFAULT

    @property
    def per_package(self) -> bool:
        """A fixed package: one order is one package, whatever the panel lists as min–max."""
        return self.kind in _PER_PACKAGE

    @property
    def dripfeed(self) -> bool:
        return any(f.name == "runs" for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def dependents(self, name: str) -> tuple[str, ...]:
        """The fields whose answers rest on `name`'s, directly or in turn.

        When `name` must be asked again, so must these: the interval follows the runs, and
        the runs were checked against the quantity. A field only rests on earlier ones.
        """
        found: list[str] = []
        for spec in self.fields:
            if {spec.depends_on, *spec.checked_against} & {name, *found}:
                found.append(spec.name)
        return tuple(found)

    def next_field(
        self, values: Values, skipped: Collection[str] = frozenset()
    ) -> FieldSpec | None:
        """The next question, or None when the order is complete."""
        for spec in self.fields:
            if spec.name in values or spec.name in skipped or not spec.applies(values):
                continue
            return spec
        return None


# --- field parsers -----------------------------------------------------------------------


def text_only(parse: Callable[[str], Any]) -> Parser:
    """A `Parser` from a parser that needs nothing but the answer's text."""

    def parser(text: str, service: Service, values: dict[str, Any]) -> Any:
        return parse(text)

    return parser


def with_service(parse: Callable[[str, Service], Any]) -> Parser:
    """A `Parser` from a parser that checks the answer against the service's limits."""

    def parser(text: str, service: Service, values: dict[str, Any]) -> Any:
        return parse(text, service)

    return parser


def _runs(text: str, service: Service, values: dict[str, Any]) -> int:
    runs = parse_runs(text)
    check_dripfeed_total(require(values, "quantity"), runs, service)
    return runs


class LineCountError(InputError):
    """A list whose lines are each fine, but too few or too many for the service.

    `lines` are those lines, checked: a part of a list sent in several messages is taken.
    """

    def __init__(self, lines: list[str], service: Service) -> None:
        super().__init__(
            *NP_(
                "You sent {n} line; this service takes between {min} and {max}.",
                "You sent {n} lines; this service takes between {min} and {max}.",
            ),
            n=len(lines),
            min=service.min,
            max=service.max,
        )
        self.lines = lines


def _check_count(items: list[str], service: Service) -> list[str]:
    # These types bill one unit per line, so the line count is the quantity.
    if not service.min <= len(items) <= service.max:
        raise LineCountError(items, service)
    return items


def _comments(text: str) -> list[str]:
    return parse_lines(text, field="comments")


def _groups(text: str) -> list[str]:
    return parse_lines(text, field="groups")


_answer_number = WholeNumber(
    "answer_number",
    N_("The answer number must be a whole number between {min} and {max}."),
    max=MAX_POLL_ANSWER,
)
_posts = WholeNumber(
    "posts",
    N_("The number of posts must be a whole number between {min} and {max}."),
    max=MAX_SUBSCRIPTION_POSTS,
)
_SUB_MIN = WholeNumber(
    "min", N_("The minimum per post must be a whole number between {min} and {max}.")
)
_SUB_MAX = WholeNumber(
    "max", N_("The maximum per post must be a whole number between {min} and {max}.")
)


def _sub_min(text: str, service: Service) -> int:
    return _SUB_MIN.within(text, max(service.min, 1), service.max)


def _sub_max(text: str, service: Service, values: dict[str, Any]) -> int:
    return _SUB_MAX.within(text, max(require(values, "min"), service.min, 1), service.max)


# --- kinds of field ------------------------------------------------------------------------


def _asked(
    name: str, prompt_msgid: str, parse: Callable[[str], Any], *, optional: bool = False
) -> FieldSpec:
    """A one-message answer that its parser reads alone."""
    return FieldSpec(name, prompt_msgid, text_only(parse), optional=optional)


def _listed(name: str, prompt_msgid: str, parse: Callable[[str], list[str]]) -> FieldSpec:
    """A list, one item per line, that may come in several messages."""
    return FieldSpec(name, prompt_msgid, text_only(parse), multiline=True)


def _counted(name: str, prompt_msgid: str, parse: Callable[[str], list[str]]) -> FieldSpec:
    """A list billed one unit per line: how many lines it has must fit the service's min–max."""

    def parse_counted(text: str, service: Service) -> list[str]:
        return _check_count(parse(text), service)

    return FieldSpec(name, prompt_msgid, with_service(parse_counted), multiline=True)


# --- field catalogue ---------------------------------------------------------------------

LINK = _asked("link", N_("Send the link (e.g. {example})."), normalize_link)

# The link question's example, for the platform the service's name or category names (the
# first that matches, so "YouTube Shorts" is YouTube's and not a generic one).
LINK_EXAMPLES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), example)
    for pattern, example in (
        (r"\b(youtube|yt)\b", "https://youtube.com/watch?v=VIDEO_ID"),
        (r"\btik ?tok\b", "https://tiktok.com/@username/video/VIDEO_ID"),
        (r"\b(telegram|tg)\b", "https://t.me/channel/123"),
        (r"\b(twitter|x)\b", "https://x.com/username/status/POST_ID"),
        (r"\b(facebook|fb)\b", "https://facebook.com/page"),
        (r"\bthreads\b", "https://threads.net/@username"),
        (r"\bspotify\b", "https://open.spotify.com/track/TRACK_ID"),
        (r"\btwitch\b", "https://twitch.tv/channel"),
        (r"\blinked ?in\b", "https://linkedin.com/in/username"),
        (r"\b(instagram|insta|ig)\b", "https://instagram.com/username"),
    )
)
GENERIC_LINK_EXAMPLE = "https://site.com/your-post"


def link_example(service: Service) -> str:
    """An example link for the service's platform, from its name and category."""
    words = fold(f"{service.name_text} {service.category_text}")
    for pattern, example in LINK_EXAMPLES:
        if pattern.search(words):
            return example
    return GENERIC_LINK_EXAMPLE


QUANTITY = FieldSpec(
    "quantity", N_("How many? Send a number from {min} to {max}."), with_service(parse_quantity)
)
RUNS = FieldSpec(
    "runs",
    N_("Drip-feed: in how many runs should it be delivered (2–{max_runs})? Skip for all at once."),
    _runs,
    optional=True,
    checked_against=("quantity",),
)
INTERVAL = FieldSpec(
    "interval",
    N_("How many minutes between runs (1–{max_interval})?"),
    text_only(parse_interval),
    depends_on="runs",
)
COMMENTS = _counted(
    "comments", N_("Send the comments, one per line ({min}–{max_lines} lines)."), _comments
)
PACKAGE_COMMENTS = _listed("comments", N_("Send the comments, one per line."), _comments)
USERNAMES = _listed(
    "usernames", N_("Send the usernames to mention, one per line."), parse_usernames
)
COUNTED_USERNAMES = _counted(
    "usernames",
    N_("Send the usernames to mention, one per line ({min}–{max_lines} lines)."),
    parse_usernames,
)
HASHTAGS = _listed("hashtags", N_("Send the hashtags, one per line."), parse_hashtags)
HASHTAG = _asked(
    "hashtag", N_("Send the hashtag whose users should be mentioned (e.g. #travel)."), parse_hashtag
)
FOLLOWERS_OF = _asked(
    "username", N_("Send the username whose followers should be mentioned."), parse_username
)
COMMENT_AUTHOR = _asked(
    "username", N_("Send the username of the comment's author."), parse_username
)
MEDIA = _asked(
    "media", N_("Send the link of the post whose likers should be mentioned."), normalize_link
)
ANSWER_NUMBER = _asked(
    "answer_number", N_("Which answer should get the votes (1–{max_answer})?"), _answer_number
)
GROUPS = _listed("groups", N_("Send the groups to invite from, one per line."), _groups)
SUB_USERNAME = _asked("username", N_("Send the username to subscribe to."), parse_username)
SUB_MIN = FieldSpec("min", N_("Minimum quantity per post ({min}–{max})?"), with_service(_sub_min))
SUB_MAX = FieldSpec(
    "max", N_("Maximum quantity per post (up to {max})?"), _sub_max, checked_against=("min",)
)
POSTS = _asked(
    "posts", N_("How many new posts should be covered? Skip for no limit."), _posts, optional=True
)
OLD_POSTS = _asked(
    "old_posts",
    N_("How many existing posts should be covered too? Skip for none."),
    _posts,
    optional=True,
)
DELAY = FieldSpec(
    "delay",
    N_("Delay before delivery starts, in minutes: tap one below, or type it."),
    text_only(parse_delay),
    choices=SUBSCRIPTION_DELAYS,
)
EXPIRY = _asked(
    "expiry",
    N_("Until which date (day/month/year)? Skip for no end date."),
    parse_expiry,
    optional=True,
)

_FIELDS: dict[OrderKind, tuple[FieldSpec, ...]] = {
    OrderKind.DEFAULT: (LINK, QUANTITY),
    OrderKind.PACKAGE: (LINK,),
    OrderKind.CUSTOM_COMMENTS: (LINK, COMMENTS),
    OrderKind.CUSTOM_COMMENTS_PACKAGE: (LINK, PACKAGE_COMMENTS),
    OrderKind.MENTIONS: (LINK, QUANTITY, USERNAMES),
    OrderKind.MENTIONS_WITH_HASHTAGS: (LINK, QUANTITY, USERNAMES, HASHTAGS),
    OrderKind.MENTIONS_CUSTOM_LIST: (LINK, COUNTED_USERNAMES),
    OrderKind.MENTIONS_HASHTAG: (LINK, QUANTITY, HASHTAG),
    OrderKind.MENTIONS_USER_FOLLOWERS: (LINK, QUANTITY, FOLLOWERS_OF),
    OrderKind.MENTIONS_MEDIA_LIKES: (LINK, QUANTITY, MEDIA),
    OrderKind.COMMENT_LIKES: (LINK, QUANTITY, COMMENT_AUTHOR),
    # The standard API: `username` (whose comment gets the replies) and one reply per line.
    OrderKind.COMMENT_REPLIES: (LINK, COMMENT_AUTHOR, COMMENTS),
    OrderKind.POLL: (LINK, QUANTITY, ANSWER_NUMBER),
    OrderKind.SUBSCRIPTIONS: (SUB_USERNAME, SUB_MIN, SUB_MAX, POSTS, OLD_POSTS, DELAY, EXPIRY),
    OrderKind.INVITES_FROM_GROUPS: (LINK, QUANTITY, GROUPS),
}

# Types whose quantity is the number of lines of a list field.
_COUNTED_BY: dict[OrderKind, str] = {
    OrderKind.CUSTOM_COMMENTS: "comments",
    OrderKind.COMMENT_REPLIES: "comments",
    OrderKind.MENTIONS_CUSTOM_LIST: "usernames",
}


def counted_field(plan: OrderPlan) -> str | None:
    """The list field whose number of lines is the order's quantity (custom comments)."""
    return _COUNTED_BY.get(plan.kind)


def line_limits(plan: OrderPlan, spec: FieldSpec) -> tuple[int, int] | None:
    """How many lines a list answer may have in all: (fewest, most); None for other fields.

    A type billed per line takes the service's min–max (capped at what one answer holds);
    other lists take 1 to `MAX_LIST_LINES`.
    """
    if not spec.multiline:
        return None
    if _COUNTED_BY.get(plan.kind) == spec.name:
        return plan.service.min, min(plan.service.max, MAX_LIST_LINES)
    return 1, MAX_LIST_LINES


_PER_PACKAGE = frozenset({OrderKind.PACKAGE, OrderKind.CUSTOM_COMMENTS_PACKAGE})

_TYPE_SEPARATORS = re.compile(r"[\s_\-]+")


def order_kind(service_type: str) -> OrderKind | None:
    """Kind for a panel's `type` text ("Custom Comments", "custom_comments", …).

    An empty type counts as Default: panels that omit the field only sell default services.
    """
    key = _TYPE_SEPARATORS.sub(" ", fold(service_type)).strip()
    if not key:
        return OrderKind.DEFAULT
    try:
        return OrderKind(key)
    except ValueError:
        return None


def plan_for(service: Service) -> OrderPlan | None:
    """The dialog for `service`, or None for a type the bot does not know (refuse it).

    Default services take drip-feed (`runs`, `interval`) unless the panel says
    `dripfeed: false`: the standard `add` accepts both for every Default service, and panels
    such as the seed's list no `dripfeed` field at all. With `dripfeed: true` the dialog asks;
    with no flag the user opts in (and a panel that refuses says so when the order is placed).
    """
    kind = order_kind(service.type)
    if kind is None:
        return None
    fields = _FIELDS[kind]
    if kind is OrderKind.DEFAULT and service.dripfeed is not False:
        fields = (*fields, RUNS, INTERVAL)
    return OrderPlan(kind=kind, service=service, fields=fields)


_DRIPFEED_WORDS = re.compile(r"drip|\bruns?\b|\binterval|damla", re.IGNORECASE)


def mentions_dripfeed(panel_message: str) -> bool:
    """Whether a panel's refusal is about drip-feed ("Drip-feed is not available", "runs")."""
    return _DRIPFEED_WORDS.search(panel_message) is not None


def build_params(plan: OrderPlan, values: Values) -> dict[str, Any]:
    """The order's parameters: `link`, `quantity`, `runs`, `interval`, the rest `NewOrder.extra`.

    Lists are sent newline-separated, as the standard API expects. Counted types (custom
    comments, mentions custom list) also send `quantity` = number of lines: the standard
    panel ignores it, but panels that read `quantity` for every type then bill correctly.
    Raises `InputError` when a required answer is missing.
    """
    params: dict[str, Any] = {}
    for spec in plan.fields:
        value = values.get(spec.name)
        if value is None:
            if spec.required(values):
                raise missing_value(spec.name)
            continue
        if not spec.applies(values):
            continue
        params[spec.name] = "\n".join(value) if isinstance(value, list | tuple) else value
    counted = _COUNTED_BY.get(plan.kind)
    if counted is not None:
        params["quantity"] = _count(params[counted])
    return params


def _count(value: Any) -> int:
    if isinstance(value, str):
        return sum(1 for line in value.splitlines() if line.strip())
    return len(value)


def order_quantity(plan: OrderPlan, values: Values) -> int | None:
    """Units the order delivers per run; None for packages and subscriptions."""
    if plan.kind in _PER_PACKAGE or plan.kind is OrderKind.SUBSCRIPTIONS:
        return None
    counted = _COUNTED_BY.get(plan.kind)
    if counted is not None:
        return _count(require(values, counted))
    return int(require(values, "quantity"))


def order_cost(service: Service, values: Values) -> Decimal | None:
    """Price before ordering, from the catalog rate (per 1000; per package for packages).

    None when it cannot be known upfront: subscriptions are billed per future post, and
    unknown types are never ordered.
    """
    plan = plan_for(service)
    if plan is None or plan.kind is OrderKind.SUBSCRIPTIONS:
        return None
    if plan.kind in _PER_PACKAGE:
        return service.rate
    quantity = order_quantity(plan, values)
    if quantity is None:
        return None
    runs = values.get("runs") if plan.dripfeed else None
    return service.cost(quantity, int(runs) if runs else 1)
