"""Start-up builds what the first replies would build on first use (issue 19 item 5): babel's
data for every language and the callback codec's tables cost 20-40 ms of CPU, and built inside
a reply (the first price shown, the first search over every panel) they held the event loop
for everyone that long."""

from __future__ import annotations

from pathlib import Path

import babel.localedata
import pytest

from bot import i18n
from bot.callbacks import base
from tests.harness import running_bot


async def test_start_up_loads_every_languages_data_and_the_codec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a new process: no locale data read, no Locale that has read it, no codec tables.
    monkeypatch.setattr(babel.localedata, "_cache", {})
    monkeypatch.setattr(babel.localedata, "_dict_cache", {})
    i18n._load_catalogs.cache_clear()
    base._field_types.cache_clear()
    base._schema.cache_clear()
    async with running_bot(tmp_path) as bot:
        languages = bot.deps.catalogs.languages
        assert {"en", "tr"} <= set(languages)
        assert set(languages) <= set(babel.localedata._dict_cache)
        assert base._schema.cache_info().currsize == 1
