"""Catalog loading, language choice, formatting, and the catalogs' completeness.

The completeness tests at the bottom guard the real catalogs and stay in the suite: a string
added to `bot/` without a Turkish translation fails here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.i18n import EXTRACT_KEYWORDS, N_, Catalogs, locales_dir, placeholders
from bot.panel.text import escaped

REPO = Path(__file__).resolve().parents[2]
LOCALES = REPO / "locales"
TURKISH_LETTERS = set("çğıİöşüÇĞÖŞÜ")


def write_po(directory: Path, language: str, body: str) -> None:
    target = directory / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    header = (
        'msgid ""\nmsgstr ""\n'
        f'"Language: {language}\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    )
    (target / "bot.po").write_text(header + body, encoding="utf-8")


@pytest.fixture
def small(tmp_path: Path) -> Catalogs:
    write_po(
        tmp_path,
        "en",
        'msgid "only-en"\nmsgstr "English override"\n\nmsgid "Hello, {name}!"\nmsgstr ""\n',
    )
    write_po(
        tmp_path,
        "tr",
        'msgid "Hello, {name}!"\nmsgstr "Merhaba, {name}!"\n\n'
        '#, fuzzy\nmsgid "Fuzzy one"\nmsgstr "Bulanık çeviri"\n\n'
        'msgid "Broken {count}"\nmsgstr "Bozuk {sayi}"\n\n'
        'msgid "{n} order"\nmsgid_plural "{n} orders"\n'
        'msgstr[0] "{n} sipariş"\nmsgstr[1] "{n} sipariş ({who})"\n',
    )
    return Catalogs.load(tmp_path)


def test_real_catalogs_load_from_the_checkout() -> None:
    assert locales_dir() == LOCALES
    catalogs = Catalogs.load()
    assert {"en", "tr"} <= set(catalogs.languages)
    assert catalogs.translator("tr").gettext("Main menu") == "Ana menü"
    assert catalogs.translator("en").gettext("Main menu") == "Main menu"


def test_placeholders_are_filled(small: Catalogs) -> None:
    tr = small.translator("tr")
    assert tr.gettext("Hello, {name}!", name=escaped("Ayşe")) == "Merhaba, Ayşe!"
    assert tr._("Hello, {name}!", name=escaped("Ali")) == "Merhaba, Ali!"
    assert small.translator("en").gettext("Hello, {name}!", name=escaped("Bob")) == "Hello, Bob!"
    # Without arguments the text is returned as is, braces included.
    assert tr.gettext("Hello, {name}!") == "Merhaba, {name}!"


def test_every_panel_text_placeholder_reaches_the_text(small: Catalogs) -> None:
    """Each typed placeholder (bot/panel/text.py) is filled like any other, with the rest."""
    names = ("panel", "name", "category", "type", "currency", "status", "error", "link", "query")
    template = " ".join(f"{{{n}}}" for n in (*names, "id"))
    given = {n: escaped(f"<{n}>") for n in names}
    shown = small.translator("en").gettext(template, **given, id=7)
    assert shown == " ".join(f"&lt;{n}&gt;" for n in names) + " 7"


def test_fallback_chain_language_then_default_catalog_then_source(small: Catalogs) -> None:
    tr = small.translator("tr")
    assert tr.gettext("only-en") == "English override"
    assert tr.gettext("nowhere at all") == "nowhere at all"
    assert tr.gettext("Fuzzy one") == "Fuzzy one"  # fuzzy entries are ignored


def test_unknown_language_gets_the_default(small: Catalogs) -> None:
    assert small.translator("de").language == "en"
    assert small.translator(None).language == "en"
    assert small.languages == ("en", "tr")


def test_broken_translation_falls_back_to_source_text(small: Catalogs) -> None:
    assert small.translator("tr").gettext("Broken {count}", count=3) == "Broken 3"


def test_plural_forms_and_implicit_n(small: Catalogs) -> None:
    tr, en = small.translator("tr"), small.translator("en")
    assert tr.ngettext("{n} order", "{n} orders", 1) == "1 sipariş"
    assert tr.ngettext("{n} order", "{n} orders", 5, who="x") == "5 sipariş (x)"
    assert en.ngettext("{n} order", "{n} orders", 1) == "1 order"
    assert en.ngettext("{n} order", "{n} orders", 2) == "2 orders"


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [
        ("tr", "en-US", "tr"),
        (None, "tr-TR", "tr"),
        (None, "tr", "tr"),
        (None, "TR_tr", "tr"),
        ("de", "pt-BR", "en"),
        (None, None, "en"),
        ("", "", "en"),
    ],
)
def test_pick(small: Catalogs, stored: str | None, telegram: str | None, expected: str) -> None:
    assert small.pick(stored, telegram, "en") == expected


def test_translator_is_immutable(small: Catalogs) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        small.translator("tr").language = "en"  # type: ignore[misc]


def test_missing_default_catalog_still_gives_source_strings(tmp_path: Path) -> None:
    write_po(tmp_path, "tr", 'msgid "Yes"\nmsgstr "Evet"\n')
    catalogs = Catalogs.load(tmp_path)
    assert catalogs.translator("xx").gettext("Yes") == "Yes"
    assert catalogs.translator("tr").gettext("No") == "No"


# --- formatting -------------------------------------------------------------------------------


def test_turkish_money() -> None:
    t = Catalogs.load().translator("tr")
    assert t.money(Decimal("1234.5"), "TRY") == "₺1.234,50"
    assert t.money(Decimal("1234.5"), "usd") == "$1.234,50"
    assert t.money(Decimal("1234.5"), None) == "1.234,50"
    assert t.money(Decimal("1234.5"), "USDT") == "1.234,50 USDT"
    assert t.money(Decimal("-3"), "TRY") == "-₺3,00"


def test_money_keeps_precision_between_2_and_6_decimals() -> None:
    en = Catalogs.load().translator("en")
    assert en.money(Decimal("0.001234"), "USD") == "$0.001234"
    assert en.money(Decimal("0.0012345678"), "USD") == "$0.001235"
    assert en.money(Decimal("1.500000"), "USD") == "$1.50"
    assert en.money(Decimal("1E+3"), "USD") == "$1,000.00"
    assert en.money(Decimal("2.125"), "Kredi") == "2.125 Kredi"


def test_money_of_any_size_a_panel_can_cause_and_its_unit_as_text() -> None:
    """Issue 19 items 6 and 12: 1e18 per 1000 × ~1e12 has more digits than Decimal's default
    28, and a unit that is not an ISO code is the panel's text, escaped for HTML."""
    en = Catalogs.load().translator("en")
    assert en.money(Decimal("999999999999E+15"), "USD") == "$999,999,999,999,000,000,000,000,000.00"
    assert en.money(Decimal("1E+30"), None) == "1,000,000,000,000,000,000,000,000,000,000.00"
    assert en.money(Decimal("1.5"), "<a href='x'>USD</a> & co") == (
        "1.50 &lt;a href='x'&gt;USD&lt;/a&gt; &amp; co"
    )


def test_balances_round_to_the_currencys_digits() -> None:
    catalogs = Catalogs.load()
    en, tr = catalogs.translator("en"), catalogs.translator("tr")
    assert en.balance(Decimal("4937.49988"), "USD") == "$4,937.50"
    assert tr.balance(Decimal("9987.03125"), "TRY") == "₺9.987,03"
    assert en.balance(Decimal("1234.5"), "JPY") == "¥1,235"  # no minor unit
    assert en.balance(Decimal("2.125"), "Kredi") == "2.13 Kredi"  # not ISO: two digits
    assert en.balance(Decimal("-0.004"), "USD") in ("$0.00", "-$0.00")


def test_typed_amounts_are_read_as_the_language_writes_them() -> None:
    catalogs = Catalogs.load()
    tr, en = catalogs.translator("tr"), catalogs.translator("en")
    assert tr.read_amount("1.000,50") == Decimal("1000.50")
    assert tr.read_amount("1.000") == Decimal("1000")  # Turkish thousands
    assert en.read_amount("1.000") == Decimal("1.000")
    assert en.read_amount("1,000.50") == tr.read_amount("1,000.50") == Decimal("1000.50")
    assert en.read_amount("1,5") == tr.read_amount("1,5") == Decimal("1.5")
    assert tr.read_amount("1 000") == Decimal("1000")
    for bad in ("abc", "1e5", "1..2", "", "-", "NaN", "∞"):
        assert tr.read_amount(bad) is None and en.read_amount(bad) is None, bad


def test_numbers_decimals_and_dates() -> None:
    catalogs = Catalogs.load()
    t, en = catalogs.translator("tr"), catalogs.translator("en")
    assert t.number(1234567) == "1.234.567"
    assert t.decimal(Decimal("1234.5678")) == "1.234,5678"
    assert en.decimal(Decimal("0.75")) == "0.75"
    moment = dt.datetime(2024, 3, 5, 14, 7, tzinfo=dt.UTC)
    assert t.datetime(moment) == "5.03.2024 14:07"
    assert t.datetime(moment, tz=dt.timezone(dt.timedelta(hours=3))) == "5.03.2024 17:07"
    assert en.datetime(moment).startswith("3/5/24")


def test_n_marker_is_identity() -> None:
    assert N_("Main menu") == "Main menu"


# --- completeness of the real catalogs (stays in the suite) ------------------------------------


def _load(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=language)


# babel's type of `Message.id`: a tuple (or list) of singular and plural for ngettext.
MessageId = str | tuple[str, ...] | list[str]


def _msgids(catalog: Catalog) -> dict[MessageId, Message]:
    return {m.id: m for m in catalog if m.id}


def _source_messages() -> dict[MessageId, Message]:
    messages = _msgids(_load(LOCALES / "en" / "LC_MESSAGES" / "bot.po", "en"))
    pot = LOCALES / "bot.pot"
    if pot.exists():
        messages.update(_msgids(_load(pot)))
    return messages


def test_every_msgid_has_a_turkish_translation_with_the_same_placeholders() -> None:
    turkish = _load(LOCALES / "tr" / "LC_MESSAGES" / "bot.po", "tr")
    problems: list[str] = []
    for msgid, source in _source_messages().items():
        translated = turkish.get(msgid)
        if translated is None:
            problems.append(f"missing: {msgid!r}")
            continue
        if translated.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        if source.pluralizable:
            assert isinstance(source.id, list | tuple)  # what `pluralizable` means
            singular, plural = source.id
            forms = translated.string if isinstance(translated.string, tuple) else ()
            if len(forms) != turkish.num_plurals:
                problems.append(f"wrong number of plural forms: {msgid!r}")
            for i, form in enumerate(forms):
                # Form 0 is the singular; every other form follows msgid_plural.
                wanted = placeholders(singular if i == 0 else plural)
                if not form:
                    problems.append(f"empty plural form {i}: {msgid!r}")
                elif placeholders(form) != wanted:
                    problems.append(f"placeholders differ in form {i}: {msgid!r}")
        else:
            assert isinstance(msgid, str)
            if not translated.string:
                problems.append(f"untranslated: {msgid!r}")
            elif not isinstance(translated.string, str) or placeholders(
                translated.string
            ) != placeholders(msgid):
                problems.append(f"placeholders differ: {msgid!r} -> {translated.string!r}")
    assert not problems, "\n".join(problems)


def test_turkish_catalog_is_really_turkish() -> None:
    text = (LOCALES / "tr" / "LC_MESSAGES" / "bot.po").read_text(encoding="utf-8")
    msgstrs = "".join(line for line in text.splitlines() if line.startswith("msgstr"))
    assert TURKISH_LETTERS & set(msgstrs)


def test_every_marked_string_in_bot_is_in_the_catalogs() -> None:
    with (REPO / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    known = set(_source_messages())
    missing = set()
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=dict(EXTRACT_KEYWORDS)
    ):
        if message not in known:
            missing.add(f"{filename}:{lineno}: {message!r}")
    assert not missing, f"{len(missing)} strings not in locales/en (run pybabel):\n" + "\n".join(
        sorted(missing)
    )


def test_extraction_sees_all_keywords(tmp_path: Path) -> None:
    # Guards the keyword set itself: a marker babel missed would silently skip strings.
    package = tmp_path / "bot"
    package.mkdir()
    (package / "m.py").write_text(
        'A = N_("marked")\n'
        "def f(t):\n"
        '    return t._("underscore"), t.gettext("plain"), t.ngettext("one", "many", 2)\n',
        encoding="utf-8",
    )
    with (REPO / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    found = {
        m[2]
        for m in extract_from_dir(
            str(tmp_path), method_map, options_map, keywords=dict(EXTRACT_KEYWORDS)
        )
    }
    assert found == {"marked", "underscore", "plain", ("one", "many")}


def test_every_catalog_file_is_well_formed() -> None:
    """A merge that splits an entry (a msgid without its msgstr) is an error, not a warning."""
    for path in [LOCALES / "bot.pot", *LOCALES.glob("*/LC_MESSAGES/bot.po")]:
        with path.open("rb") as f:
            read_po(f, abort_invalid=True)
