"""Service catalogs for the fake panel: a small default one and a generated one for benchmarks.

Services are kept in the panel's wire format (the dicts `action=services` returns), so a test can
hand the fake exactly the shapes a real panel would serve, odd fields included.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# Types whose orders carry no link: the target is named by `username` instead.
LINKLESS_TYPES = frozenset({"Subscriptions"})

# The example service of the API spec (shared/spec/panel-api-v2.txt), the fake's first.
SPEC_SERVICE: dict[str, Any] = {
    "service": 1,
    "name": "Instagram Takipçi",
    "type": "Default",
    "category": "Instagram",
    "rate": "12.50",
    "min": 100,
    "max": 10000,
    "refill": True,
    "cancel": True,
}

DEFAULT_SERVICES: tuple[dict[str, Any], ...] = (
    dict(SPEC_SERVICE),
    {
        "service": 2,
        "name": "Instagram Beğeni [Hızlı]",
        "type": "Default",
        "category": "Instagram",
        "rate": "3.20",
        "min": 50,
        "max": 50000,
        "refill": False,
        "cancel": True,
        "dripfeed": True,
        "description": "Drip-feed destekli. Başlangıç 0-1 saat, günlük 5K.",
        # `average_time` is not in the standard; panels send it in several shapes: words …
        "average_time": "1 hours 14 minutes",
    },
    {
        "service": 3,
        "name": "Instagram Özel Yorum",
        "type": "Custom Comments",
        "category": "Instagram",
        "rate": "45.00",
        "min": 5,
        "max": 1000,
        "refill": False,
        "cancel": False,
    },
    {
        "service": 4,
        "name": "Instagram Mention + Hashtag",
        "type": "Mentions With Hashtags",
        "category": "Instagram",
        "rate": "8.00",
        "min": 100,
        "max": 5000,
        "refill": False,
        "cancel": False,
    },
    {
        "service": 5,
        "name": "Instagram Otomatik Beğeni (Abonelik)",
        "type": "Subscriptions",
        "category": "Instagram",
        "rate": "5.00",
        "min": 100,
        "max": 10000,
        "refill": False,
        "cancel": True,
    },
    {
        "service": 6,
        "name": "YouTube İzlenme",
        "type": "Default",
        "category": "YouTube",
        "rate": "2.75",
        "min": 500,
        "max": 1000000,
        "refill": True,
        "cancel": False,
        "average_time": 90,  # … a number of minutes …
    },
    {
        "service": 7,
        "name": "YouTube Abone Paketi 1000",
        "type": "Package",
        "category": "YouTube",
        "rate": "150.00",
        "min": 1,
        "max": 1,
        "refill": False,
        "cancel": False,
    },
    {
        "service": 8,
        "name": "Telegram Anket Oyu",
        "type": "Poll",
        "category": "Telegram",
        "rate": "1.10",
        "min": 100,
        "max": 20000,
        "refill": False,
        "cancel": True,
        "average_time": "Not enough data",  # … or words no program can read.
    },
    {
        "service": 9,
        "name": "Telegram Kanal Üye",
        "type": "Default",
        "category": "Telegram",
        "rate": "0.95",
        "min": 100,
        "max": 100000,
        "refill": True,
        "cancel": True,
        "dripfeed": False,
    },
)

# Comment Replies (standard API v2: `link`, `username` whose comment gets the replies, and
# `comments`, one reply per line, billed per line). Not in DEFAULT_SERVICES, whose counts the
# tests rely on: `default_services() + [comment_replies()]` where a test needs it.
COMMENT_REPLIES_SERVICE: dict[str, Any] = {
    "service": 10,
    "name": "Instagram Yorum Yanıtı",
    "type": "Comment Replies",
    "category": "Instagram",
    "rate": "60.00",
    "min": 2,
    "max": 500,
    "refill": False,
    "cancel": False,
}


def comment_replies() -> dict[str, Any]:
    return dict(COMMENT_REPLIES_SERVICE)


@dataclass(frozen=True, slots=True)
class CatalogService:
    """The fields of a wire-format service the fake needs to price and validate orders."""

    id: int
    type: str
    rate: Decimal
    min: int
    max: int
    refill: bool
    cancel: bool
    dripfeed: bool | None

    @property
    def needs_link(self) -> bool:
        return self.type not in LINKLESS_TYPES


def parse_service(raw: dict[str, Any]) -> CatalogService:
    """Read one wire-format service; raises ValueError so a bad test catalog fails loudly."""
    try:
        rate = Decimal(str(raw["rate"]))
        return CatalogService(
            id=int(raw["service"]),
            type=str(raw["type"]),
            rate=rate,
            min=int(raw["min"]),
            max=int(raw["max"]),
            refill=bool(raw.get("refill", False)),
            cancel=bool(raw.get("cancel", False)),
            dripfeed=None if raw.get("dripfeed") is None else bool(raw["dripfeed"]),
        )
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise ValueError(f"bad fake service {raw!r}: {exc!r}") from exc


def default_services() -> list[dict[str, Any]]:
    return [dict(s) for s in DEFAULT_SERVICES]


_PLATFORMS = ("Instagram", "TikTok", "YouTube", "Telegram", "Twitter", "Facebook", "Spotify")
_PRODUCTS = (
    ("Takipçi", "Default"),
    ("Beğeni", "Default"),
    ("İzlenme", "Default"),
    ("Yorum", "Custom Comments"),
    ("Paket", "Package"),
    ("Anket Oyu", "Poll"),
    ("Otomatik Beğeni", "Subscriptions"),
    ("Mention", "Mentions With Hashtags"),
)
_VARIANTS = ("Gerçek", "Türk", "Global", "Hızlı", "Garantili", "Ekonomik", "Premium", "HQ")


def make_services(n: int) -> list[dict[str, Any]]:
    """`n` deterministic, varied services over about n/50 categories (benchmarks: 5,000)."""
    n_categories = max(1, n // 50)
    categories = [
        f"{_PLATFORMS[c % len(_PLATFORMS)]} {_VARIANTS[(c // len(_PLATFORMS)) % len(_VARIANTS)]}"
        f" #{c + 1}"
        for c in range(n_categories)
    ]
    services: list[dict[str, Any]] = []
    for i in range(n):
        product, type_ = _PRODUCTS[i % len(_PRODUCTS)]
        category = categories[i % n_categories]
        platform = category.split(" ", 1)[0]
        # Integer arithmetic keeps rates exact: 0.0100 .. 99.9999 with varying precision.
        cents = (i * 7919) % 999_999 + 100
        rate = Decimal(cents) / 10_000
        rate_text = f"{rate:.2f}" if i % 3 else f"{rate:.4f}"
        if type_ == "Package":
            low, high = 1, 1
        else:
            low = (10, 50, 100, 500)[i % 4]
            high = low * (100, 200, 1000)[i % 3]
        item: dict[str, Any] = {
            "service": i + 1,
            "name": f"{platform} {product} [{_VARIANTS[i % len(_VARIANTS)]}] - {i + 1}",
            "type": type_,
            "category": category,
            "rate": rate_text,
            "min": low,
            "max": high,
            "refill": i % 4 == 0,
            "cancel": i % 5 != 0,
        }
        if i % 7 == 0:
            item["dripfeed"] = True
        if i % 11 == 0:
            item["description"] = f"Başlangıç: 0-{i % 24} saat. Hız: günlük {low * 10}."
        if i % 9 == 1:
            item["average_time"] = (i * 37) % 2000 + 5 if i % 2 else f"{i % 12} hours 5 minutes"
        services.append(item)
    return services
