"""Catalog data for the ordering tests, generated here so they do not depend on the fake panel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.panel.models import Service

PLATFORMS = ("Instagram", "TikTok", "YouTube", "Twitter", "Telegram", "Facebook")
PRODUCTS = ("Takipçi", "Beğeni", "İzlenme", "Yorum", "Kaydetme", "Paylaşım")
QUALITIES = ("Gerçek", "Hızlı", "Türk", "Global", "Ucuz")


def svc(
    id: int = 1,
    *,
    name: str = "Instagram Takipçi",
    type: str = "Default",
    category: str = "Instagram",
    rate: str = "12.50",
    min: int = 100,
    max: int = 10_000,
    **kw: Any,
) -> Service:
    return Service(
        id=id,
        name_text=name,
        type=type,
        category_text=category,
        rate=Decimal(rate),
        min=min,
        max=max,
        **kw,
    )


def make_services(n: int) -> list[Service]:
    """`n` services over 36 categories, deterministic, in the order a panel would list them."""
    services = []
    per_category = max(1, n // (len(PLATFORMS) * len(PRODUCTS)))
    for i in range(n):
        group = min(i // per_category, len(PLATFORMS) * len(PRODUCTS) - 1)
        platform = PLATFORMS[group // len(PRODUCTS)]
        product = PRODUCTS[group % len(PRODUCTS)]
        quality = QUALITIES[i % len(QUALITIES)]
        services.append(
            svc(
                1000 + i,
                name=f"{platform} {product} [{quality}] #{i}",
                category=f"{platform} {product}",
                rate=f"{(i % 97) + 1}.{i % 100:02d}",
                min=10 * (1 + i % 5),
                max=100_000,
                dripfeed=(i % 3 == 0),
            )
        )
    return services
