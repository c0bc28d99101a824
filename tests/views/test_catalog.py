"""/services screens from a catalog index: texts and button labels."""

from __future__ import annotations

import pytest

from bot import keyboards
from bot.i18n import Translator
from bot.services.catalog_index import CatalogIndex
from bot.views.catalog import (
    DESCRIPTION_MAX,
    LABEL_MAX,
    SEARCH_LIMIT,
    catalog_changed,
    refreshed,
    render_category_page,
    render_search_page,
    render_service_card,
    render_service_page,
    service_gone,
    service_label,
)
from bot.views.screen import Screen
from tests.services._data import make_services, svc


def labels(screen: Screen) -> list[str]:
    return [button.text for row in screen.markup.inline_keyboard for button in row]


@pytest.fixture
def index() -> CatalogIndex:
    return CatalogIndex(
        [
            svc(1, name="Instagram Takipçi", category="Instagram"),
            svc(2, name="Instagram Beğeni <hızlı>", category="Instagram", rate="0.85"),
            svc(3, name="YouTube İzlenme", category="YouTube <&>"),
        ]
    )


def test_category_page_counts_services_and_categories(
    index: CatalogIndex, en: Translator, tr: Translator
) -> None:
    screen = render_category_page(index, en)
    assert screen.text.startswith("🛍 <b>Services</b>: 3 services in 2 categories.")
    assert "/services and a few words" in screen.text
    assert labels(screen)[:2] == ["Instagram (2)", "YouTube <&> (1)"]
    turkish = render_category_page(index, tr)
    assert turkish.text != screen.text and "3" in turkish.text


def test_empty_catalog(en: Translator) -> None:
    assert render_category_page(CatalogIndex([]), en).text == (
        "The panel lists no services right now."
    )


def test_service_page_escapes_the_category_and_pages(en: Translator) -> None:
    index = CatalogIndex(make_services(1000))  # 27 services a category
    screen = render_service_page(index, en, 0)
    assert screen.text.endswith("services. Choose one:")
    assert len([lb for lb in labels(screen) if lb.startswith("#")]) == keyboards.PAGE_SIZE
    with pytest.raises(IndexError):
        render_service_page(index, en, 999)
    small = CatalogIndex([svc(3, category="YouTube <&>")])
    assert render_service_page(small, en, 0).text == (
        "<b>YouTube &lt;&amp;&gt;</b> — 1 service. Choose one:"
    )


def test_search_page(index: CatalogIndex, en: Translator, tr: Translator) -> None:
    found = render_search_page(index, en, "instagram")
    # Each result with its category (issue 13 item 16).
    assert found.text == (
        "🔎 2 services found for “instagram”:\n\n"
        "#1 Instagram Takipçi — 📂 <i>Instagram</i>\n"
        "#2 Instagram Beğeni &lt;hızlı&gt; — 📂 <i>Instagram</i>"
    )
    assert "#2 Instagram Beğeni <hızlı> — 0.85" in labels(found)
    nothing = render_search_page(index, tr, "<tiktok>")
    assert nothing.text == "🔎 “&lt;tiktok&gt;” için sonuç bulunamadı."
    many = render_search_page(CatalogIndex(make_services(2000)), en, "instagram")
    assert f"Only the first {SEARCH_LIMIT} are shown" in many.text


def test_service_label_keeps_the_price_when_the_name_is_cut(en: Translator) -> None:
    label = service_label(svc(12, name="x" * 200, rate="1234.5"), en)
    assert len(label) <= LABEL_MAX
    assert label.startswith("#12 xxx") and label.endswith("… — 1,234.50")


def test_service_card(en: Translator, tr: Translator) -> None:
    back = keyboards.card_back(en, 0, 0, "v1")
    service = svc(
        12,
        name="Takipçi <b>",
        rate="12.5",
        refill=True,
        dripfeed=False,
        description="  <i>fast</i> " + "y" * 3000,
    )
    screen = render_service_card(service, en, "USD", back)
    lines = screen.text.split("\n")
    assert lines[:7] == [
        "<b>#12 Takipçi &lt;b&gt;</b>",
        "Category: Instagram",
        "Type: Default",
        "Rate: $12.50 per 1000",
        "Quantity: 100–10,000",
        "Refill: yes · Cancel: no",
        "Drip-feed: no",
    ]
    assert lines[8].startswith("<i>&lt;i&gt;fast&lt;/i&gt; yyy") and lines[8].endswith("…</i>")
    assert len(lines[8]) < DESCRIPTION_MAX + 40
    assert labels(screen) == ["🛒 Order", "« Back"]
    package = render_service_card(svc(5, type="Package", rate="3"), tr, None, back)
    assert "Fiyat: paket başına 3,00" in package.text
    assert "Damla" not in package.text  # no drip-feed line when the panel does not say


def test_alerts(en: Translator, tr: Translator) -> None:
    assert catalog_changed(en) == "The catalog has changed since. Here is the current list."
    assert catalog_changed(tr) == "Katalog bu arada değişti. İşte güncel liste."
    assert service_gone(en) == "This service is no longer offered."
    assert refreshed(en) == "Catalog refreshed."
