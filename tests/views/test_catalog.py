"""/services screens from a catalog index: texts and button labels."""

from __future__ import annotations

import pytest

from bot.callbacks.catalog import ServiceMore
from bot.i18n import Translator
from bot.keyboards import catalog as catalog_keyboards
from bot.keyboards import layout
from bot.panel.text import PanelText
from bot.services.catalog_index import CatalogIndex
from bot.views.catalog import (
    DESCRIPTION_MAX,
    PART_HTML_MAX,
    SEARCH_LIMIT,
    catalog_changed,
    category_label,
    description_parts,
    refreshed,
    render_category_page,
    render_description_part,
    render_search_page,
    render_service_card,
    render_service_page,
    service_gone,
    service_label,
)
from bot.views.screen import Screen
from bot.views.text import BUTTON_MAX, MAX_TEXT
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
    assert "services. Choose one:\n\n<b>#" in screen.text
    assert len([lb for lb in labels(screen) if " · " in lb]) == layout.PAGE_SIZE
    with pytest.raises(IndexError):
        render_service_page(index, en, 999)
    small = CatalogIndex([svc(3, category="YouTube <&>")])
    assert render_service_page(small, en, 0).text == (
        "<b>YouTube &lt;&amp;&gt;</b> — 1 service. Choose one:\n\n<b>#3</b> Instagram Takipçi"
    )


def test_search_page(index: CatalogIndex, en: Translator, tr: Translator) -> None:
    found = render_search_page(index, en, "instagram")
    # Each result with its category (issue 13 item 16), the full name in the text (item 11).
    assert found.text == (
        "🔎 2 services found for “instagram”:\n\n"
        "#1 Instagram Takipçi — 📂 <i>Instagram</i>\n"
        "#2 Instagram Beğeni &lt;hızlı&gt; — 📂 <i>Instagram</i>"
    )
    assert "0.85 · Instagram Beğeni <hız… #2" in labels(found)
    nothing = render_search_page(index, tr, "<tiktok>")
    assert nothing.text == "🔎 “&lt;tiktok&gt;” için sonuç bulunamadı."
    many = render_search_page(CatalogIndex(make_services(2000)), en, "instagram")
    assert f"Only the first {SEARCH_LIMIT} are shown" in many.text


def test_service_label_keeps_price_and_id_when_the_name_is_cut(
    en: Translator, tr: Translator
) -> None:
    label = service_label(svc(12, name="x" * 200, rate="1234.5"), en)
    assert len(label) == BUTTON_MAX
    assert label.startswith("1,234.50 · xxx") and label.endswith("x… #12")
    assert (
        service_label(svc(101, name="Takipçi R30", rate="12.5"), tr) == "12,50 · Takipçi R30 #101"
    )
    # A name with line breaks still makes a one-line label.
    assert service_label(svc(7, name="A\n  B", rate="1"), en) == "1.00 · A B #7"


def test_category_label_keeps_the_count(en: Translator) -> None:
    assert category_label(PanelText("Instagram"), 1200, en) == "Instagram (1,200)"
    long = category_label(PanelText("Instagram Türk Gerçek Takipçi Garantili"), 50, en)
    assert long == "Instagram Türk Gerçek Taki… (50)" and len(long) == BUTTON_MAX


def test_category_page_lists_cut_names_whole(en: Translator) -> None:
    name = "Instagram Türk Gerçek Takipçi <Garantili>"
    screen = render_category_page(CatalogIndex([svc(1, category=name)]), en)
    assert labels(screen)[0] == "Instagram Türk Gerçek Takip… (1)"
    assert screen.text.endswith("\n\nInstagram Türk Gerçek Takipçi &lt;Garantili&gt;")
    short = render_category_page(CatalogIndex([svc(1, category="Instagram")]), en)
    assert short.text.endswith("to search by name.")


def test_service_card(en: Translator, tr: Translator) -> None:
    back = catalog_keyboards.card_back(en, 0, 0, "v1")
    service = svc(
        12,
        name="Takipçi <b>",
        rate="12.5",
        refill=True,
        dripfeed=False,
        description_text="  <i>fast</i> " + "y" * 3000,
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
    assert labels(screen) == ["🛒 Order", "📖 More", "« Back"]
    package = render_service_card(svc(5, type="Package", rate="3", min=1, max=1), tr, None, back)
    assert "Fiyat: paket başına 3,00" in package.text
    assert "1–1" not in package.text
    assert "Damla" not in package.text  # no drip-feed line when the panel does not say
    assert labels(package) == ["🛒 Sipariş ver", "« Back"]  # no description, no More


def test_card_of_a_type_the_bot_cannot_order_says_so_and_has_no_order_button(
    en: Translator,
) -> None:
    back = catalog_keyboards.card_back(en, 0, 0, "v1")
    screen = render_service_card(svc(9, type="Story <Views>"), en, "USD", back)
    assert (
        "⚠️ I cannot order services of the type “Story &lt;Views&gt;”, "
        "so this one has no Order button."
    ) in screen.text
    assert labels(screen) == ["« Back"]
    replies = render_service_card(svc(9, type="Comment Replies"), en, "USD", back)
    assert "cannot order" not in replies.text
    assert labels(replies) == ["🛒 Order", "« Back"]


def test_description_parts_stay_html_safe_within_a_message(en: Translator) -> None:
    assert description_parts(None) == []
    assert description_parts(PanelText("  short  ")) == [PanelText("short")]
    words = " ".join(f"word{i}" for i in range(2000))  # about 17,000 characters
    parts = [part.plain for part in description_parts(PanelText(words))]
    assert len(parts[0]) <= DESCRIPTION_MAX and len(parts) > 3
    assert " ".join(parts) == words  # cut between words, nothing lost
    # Every "&" takes five characters as HTML: the parts get shorter, never too long.
    amps = description_parts(PanelText("&" * 20_000))
    assert "".join(part.plain for part in amps) == "&" * 20_000
    service = svc(3, name="N" * 400, description_text="&<>" * 5000)
    for part in range(1, len(description_parts(service.description))):
        screen = render_description_part(en, service, ServiceMore(3, part, 0, 0))
        assert screen is not None and len(screen.text) <= MAX_TEXT
        assert len(screen.text) <= PART_HTML_MAX + 600
    assert render_description_part(en, service, ServiceMore(3, 99, 0, 0)) is None
    assert render_description_part(en, service, ServiceMore(3, 0, 0, 0)) is None


def test_alerts(en: Translator, tr: Translator) -> None:
    assert catalog_changed(en) == "The catalog has changed since. Here is the current list."
    assert catalog_changed(tr) == "Katalog bu arada değişti. İşte güncel liste."
    assert service_gone(en) == "This service is no longer offered."
    assert refreshed(en) == "Catalog refreshed."
