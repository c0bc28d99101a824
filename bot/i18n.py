"""Translations and locale-aware formatting, chosen per update.

Handlers run concurrently for different users, so there is no process-wide "current language":
each update gets its own immutable `Translator`.

Catalogs are the `.po` files under `locales/<lang>/LC_MESSAGES/bot.po`, read directly at
start-up (no compile step, so a plain `pip install` works). Source strings are English and use
`str.format` placeholders: `_("Balance: {amount}", amount=...)`; translators keep the `{names}`.

Maintaining the catalogs (from the repository root)::

    # 1. collect every _(), gettext(), ngettext(), N_(), NP_() string from bot/ into the template
    pybabel extract -F babel.cfg --no-default-keywords -k _ -k gettext -k ngettext:1,2 -k N_ \\
        -k NP_:1,2 --sort-by-file --project smm-panel-bot -o locales/bot.pot .

    # 2. merge the template into every existing catalog (new strings arrive untranslated)
    pybabel update -i locales/bot.pot -d locales -D bot --no-fuzzy-matching

    # 3. start a new language, e.g. German; then translate locales/de/LC_MESSAGES/bot.po
    pybabel init -i locales/bot.pot -d locales -D bot -l de

No `pybabel compile` is needed. Fuzzy entries are ignored until a translator clears the flag.
`tests/runtime/test_i18n.py` fails while any string lacks a Turkish translation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gettext as gettext_module
import html
import io
import logging
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_decimal_symbol,
    list_currencies,
)

from bot.panel.text import Html, PanelText
from bot.zones import zone_info

log = logging.getLogger(__name__)

DOMAIN: Final = "bot"
SOURCE_LANGUAGE: Final = "en"
# Keywords for babel's extractor; the pybabel commands above and the tests use the same set.
EXTRACT_KEYWORDS: Final[Mapping[str, tuple[int, ...] | None]] = MappingProxyType(
    {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NP_": (1, 2)}
)

_MIN_DECIMALS: Final = 2
_MAX_DECIMALS: Final = 6
_PLAIN_MONEY_PATTERN: Final = "#,##0.00####"
# A letter directly before a digit: Babel writes codes with no symbol as "TRY1,234.50" in English.
_CODE_THEN_DIGIT: Final = re.compile(r"([^\W\d_])(\d)")
NBSP: Final = "\u00a0"


def N_(msgid: str) -> str:
    """Mark a module-level string for extraction; it is translated later, where it is shown."""
    return msgid


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction; `Translator.ngettext` picks one later."""
    return singular, plural


def locales_dir() -> Path:
    """`bot/locales` inside an installed wheel, else `<repo>/locales` in a checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "locales", package.parent / "locales"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no locales directory next to or inside {package}")


def _apply(text: str, fallback: str, kwargs: Mapping[str, Any]) -> str:
    try:
        return text.format(**kwargs)
    except (KeyError, IndexError, ValueError):
        # A translator broke a placeholder: show the English text rather than fail the handler.
        log.warning("bad placeholders in translation of %r", fallback)
        return fallback.format(**kwargs)


def _precision_for(amount: Decimal) -> int:
    """Decimal digits enough to quantize and format `amount`: any amount a panel can make us
    show (a rate of 1e18 for a quantity of 1e12) is past the default 28, and quantize would
    raise InvalidOperation."""
    return max(28, amount.adjusted() + _MAX_DECIMALS + 4)


def _decimals(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    own = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(max(own, _MIN_DECIMALS), _MAX_DECIMALS)


def _plain(currency: PanelText | str | None) -> str | None:
    """A currency as the panel wrote it: `_amount` escapes it where it is not an ISO code."""
    return currency.plain if isinstance(currency, PanelText) else currency


class _Unset(Enum):
    """A placeholder not given (None is no value to show)."""

    UNSET = 0


_UNSET = _Unset.UNSET
# `Translator.gettext`'s placeholders for a panel's text, in its parameters' order.
_PANEL_TEXT: Final = (
    *("panel", "name", "category", "type", "currency", "status", "error"),
    *("link", "query"),
)


@dataclass(frozen=True, slots=True)
class Translator:
    """Messages and number/date formats for one language; immutable, safe to share."""

    language: str
    translations: gettext_module.NullTranslations = field(repr=False)
    locale: Locale = field(repr=False)
    # The IANA zone `when()` shows times in: the user's own, else the TIMEZONE setting.
    zone: str = "UTC"

    def with_zone(self, zone: str) -> Translator:
        """The same language, showing times in `zone`."""
        return self if zone == self.zone else dataclasses.replace(self, zone=zone)

    def gettext(
        self,
        msgid: str,
        /,
        *,
        # Names a panel (or a user) gave: a service's, a category's, a panel's own.
        panel: Html | _Unset = _UNSET,
        name: Html | _Unset = _UNSET,
        category: Html | _Unset = _UNSET,
        type: Html | _Unset = _UNSET,
        # Words a panel said.
        currency: Html | _Unset = _UNSET,
        status: Html | _Unset = _UNSET,
        error: Html | _Unset = _UNSET,
        # What a user typed.
        link: Html | _Unset = _UNSET,
        query: Html | _Unset = _UNSET,
        **kwargs: Any,
    ) -> str:
        """Translate `msgid`; placeholders are filled only when keyword arguments are given.

        The placeholders that show a panel's (or a user's) text take only escaped `Html`
        (bot/panel/text.py), so a raw name cannot reach a message through them."""
        values = (panel, name, category, type, currency, status, error, link, query)
        shown = zip(_PANEL_TEXT, values, strict=True)
        kwargs.update({key: value for key, value in shown if value is not _UNSET})
        text: str = self.translations.gettext(msgid)
        return _apply(text, msgid, kwargs) if kwargs else text

    _ = gettext

    def plain(self, msgid: str, /, **kwargs: Any) -> str:
        """Translate a text that is not HTML (a button label, a chart's title): its placeholders
        take text as it is, since escaping would show "&lt;" there."""
        text: str = self.translations.gettext(msgid)
        return _apply(text, msgid, kwargs) if kwargs else text

    def ngettext(
        self,
        singular: str,
        plural: str,
        n: int,
        /,
        *,
        category: Html | _Unset = _UNSET,
        **kwargs: Any,
    ) -> str:
        """Plural-aware translation; `{n}` (formatted for the locale) is available without
        passing it. `category`, the one panel text plural messages show, takes only `Html`."""
        if category is not _UNSET:
            kwargs["category"] = category
        text: str = self.translations.ngettext(singular, plural, n)
        values = {"n": self.number(n), **kwargs}
        return _apply(text, singular if n == 1 else plural, values)

    def money(self, amount: Decimal, currency: PanelText | str | None) -> str:
        """At least 2 decimals, more when the amount has them (per-1000 rates do), at most 6.

        HTML-safe: a currency that is not an ISO code is the panel's own text and is escaped.
        """
        with localcontext(prec=_precision_for(amount)):
            quantized = amount.quantize(
                Decimal(1).scaleb(-_decimals(amount)), rounding=ROUND_HALF_UP
            )
            return self._amount(quantized, _plain(currency))

    def balance(self, amount: Decimal, currency: PanelText | str | None) -> str:
        """A balance with its currency's own digits ("$4,937.50", not "$4,937.49988"; "¥1,235");
        the exact value stays in /export."""
        unit = _plain(currency)
        code = (unit or "").strip().upper()
        digits = get_currency_precision(code) if code in _ISO_CURRENCIES else _MIN_DECIMALS
        with localcontext(prec=_precision_for(amount)):
            quantized = amount.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
            return self._amount(quantized, unit, currency_digits=True)

    def _amount(
        self, quantized: Decimal, currency: str | None, currency_digits: bool = False
    ) -> str:
        """`quantized` with its own digits (at least the currency's with `currency_digits`, else
        at least 2), and the currency as the language writes it."""
        code = (currency or "").strip().upper()
        if code and code in _ISO_CURRENCIES:
            text: str = format_currency(
                quantized,
                code,
                locale=self.locale,
                currency_digits=currency_digits,
                decimal_quantization=False,
            )
            # "TRY 1,234.50" reads as an amount; a no-break space keeps code and number together.
            return _CODE_THEN_DIGIT.sub(rf"\1{NBSP}\2", text)
        plain: str = format_decimal(quantized, format=_PLAIN_MONEY_PATTERN, locale=self.locale)
        # Panels also report non-ISO units ("USDT", "Kredi"): show them as given.
        unit = html.escape(currency.strip(), quote=False) if currency else ""
        return f"{plain} {unit}" if unit else plain

    def read_amount(self, text: str) -> Decimal | None:
        """An amount a user typed, with the language's marks or the other usual ones: "1.000,50"
        and "1000,5" in Turkish, "1,000.50" in English, "1 000" anywhere; None if unreadable."""
        value = re.sub(r"[\s\u00a0\u202f']", "", text)
        if not re.fullmatch(r"[0-9.,]*[0-9][0-9.,]*", value):
            return None
        mark = get_decimal_symbol(self.locale)
        group = "." if mark == "," else ","
        if "," in value and "." in value:
            # Both marks: the last one is the decimal mark, the other groups thousands.
            mark = "," if value.rfind(",") > value.rfind(".") else "."
            group = "." if mark == "," else ","
        elif group in value and not re.fullmatch(rf"\d{{1,3}}(\{group}\d{{3}})+", value):
            # "1,5" in English, "1.5" in Turkish: not thousands, so the one mark is decimal.
            group, mark = mark, group
        digits = value.replace(group, "").replace(mark, ".")
        try:
            amount = Decimal(digits)
        except InvalidOperation:
            return None
        return amount if amount.is_finite() else None

    def number(self, n: int | Decimal) -> str:
        return self.decimal(Decimal(n))

    def decimal(self, d: Decimal) -> str:
        """All of the value's own digits, grouped and with the locale's decimal mark."""
        with localcontext(prec=_precision_for(d)):
            text: str = format_decimal(d, locale=self.locale, decimal_quantization=False)
        return text

    def when(self, timestamp: float) -> str:
        """A moment (epoch seconds) as users read every time the bot shows: the day with its month
        in words (no reader swaps day and month), a 24-hour time in the user's zone, then the
        zone's name — "7 Dec 2026, 15:33 (UTC)", "7 Ara 2026 15:33 (Europe/Istanbul)"."""
        tz = zone_info(self.zone)
        moment = dt.datetime.fromtimestamp(timestamp, tz)
        pattern = _MOMENT_PATTERNS.get(self.language, _MOMENT_PATTERN)
        text: str = format_datetime(moment, pattern, tzinfo=tz, locale=self.locale)
        return f"{text} ({self.zone})"

    def day(self, date: dt.date) -> str:
        """A day without its year, month in words so no reader swaps day and month: "7 Dec",
        "7 Ara"."""
        text: str = format_date(date, "d MMM", locale=self.locale)
        return text

    def datetime(self, moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
        """Short date and time; naive values are taken as UTC, `tz` converts before showing."""
        text: str = format_datetime(moment, "short", tzinfo=tz, locale=self.locale)
        return text


_ISO_CURRENCIES: Final = frozenset(list_currencies())
# One date style everywhere (cards, lists, pushes, the chart): "7 Dec 2026, 15:33".
_MOMENT_PATTERN: Final = "d MMM y, HH:mm"
_MOMENT_PATTERNS: Final[Mapping[str, str]] = MappingProxyType({"tr": "d MMM y HH:mm"})


def _read_catalog(path: Path, language: str) -> gettext_module.GNUTranslations:
    stat = path.stat()
    compiled = _compiled_catalog(path, language, stat.st_mtime_ns, stat.st_size)
    # A fresh object each time: `Catalogs.load` chains fallbacks onto it.
    return gettext_module.GNUTranslations(io.BytesIO(compiled))


@functools.lru_cache(maxsize=16)
def _compiled_catalog(path: Path, language: str, mtime_ns: int, size: int) -> bytes:
    """The `.po` file compiled to `.mo` bytes. Parsing takes ~50 ms of CPU, and every
    application start (each test's bot, each instance of the web app) reads the same files: a
    file changed since (its time or size, in the key) is read again."""
    with path.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    # use_fuzzy=False drops fuzzy entries (and empty msgstrs), so they fall back to the source.
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Catalogs:
    """All loaded languages; `translator()` never fails, unknown languages get the default."""

    default: str
    _translators: Mapping[str, Translator] = field(repr=False)

    @classmethod
    def load(cls, directory: Path | None = None, default: str = SOURCE_LANGUAGE) -> Catalogs:
        root = directory if directory is not None else locales_dir()
        files = tuple(
            _CatalogFile(po, po.stat().st_mtime_ns, po.stat().st_size)
            for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        )
        return _load_catalogs(files, default)

    @classmethod
    def _from_files(cls, files: tuple[_CatalogFile, ...], default: str) -> Catalogs:
        found: dict[str, gettext_module.GNUTranslations] = {}
        for file in files:
            language = file.path.parent.parent.name
            found[language] = _read_catalog(file.path, language)
        # Chain: the user's language, then the default language's catalog, then the English
        # source string itself (NullTranslations behaviour at the end of the chain).
        base: gettext_module.NullTranslations = found.get(
            default, gettext_module.NullTranslations()
        )
        translators: dict[str, Translator] = {}
        for language, translations in found.items():
            if language != default:
                translations.add_fallback(base)
            translators[language] = Translator(language, translations, Locale.parse(language))
        if default not in translators:
            translators[default] = Translator(default, base, Locale.parse(default))
        return cls(default, MappingProxyType(translators))

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages that have a catalog (the default is included even without one)."""
        return tuple(sorted(self._translators))

    def warm_up(self) -> None:
        """Format money once in every language: babel reads a language's data on first use
        (8-30 ms of CPU each), which would otherwise hold the event loop inside the first reply
        that shows a price, a search over every panel among them (issue 19 item 5)."""
        for translator in self._translators.values():
            translator.money(Decimal("0.01"), "USD")

    def translator(self, language: str | None) -> Translator:
        if language is not None and language in self._translators:
            return self._translators[language]
        return self._translators[self.default]

    def pick(self, stored: str | None, telegram_code: str | None, default: str) -> str:
        """The user's stored choice, else Telegram's language ("tr-TR" → "tr"), else default."""
        if stored and stored.lower() in self._translators:
            return stored.lower()
        if telegram_code:
            primary = telegram_code.replace("_", "-").split("-", 1)[0].lower()
            if primary in self._translators:
                return primary
        return default


def placeholders(text: str) -> frozenset[str]:
    """Names of the `{placeholders}` in a format string (`{{` escapes excluded)."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None:
            names.add(name.split(".", 1)[0].split("[", 1)[0])
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class _CatalogFile:
    """A catalog file as found: a file changed since (its time or size) is read again."""

    path: Path
    mtime_ns: int
    size: int


@functools.lru_cache(maxsize=16)
def _load_catalogs(files: tuple[_CatalogFile, ...], default: str) -> Catalogs:
    """The same files give the same Catalogs, immutable (Translator): every application start
    (each test's bot, each instance of the web app) shares it instead of parsing the compiled
    catalogs again (~5 ms of CPU a start)."""
    return Catalogs._from_files(files, default)
