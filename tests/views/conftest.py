"""Views are pure: real translators (English and Turkish) and plain data, no Telegram."""

from __future__ import annotations

import pytest

from bot.i18n import Catalogs, Translator

CATALOGS = Catalogs.load()


@pytest.fixture
def en() -> Translator:
    return CATALOGS.translator("en")


@pytest.fixture
def tr() -> Translator:
    return CATALOGS.translator("tr")
