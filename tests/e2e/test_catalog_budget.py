"""CATALOG_CACHE_MB (issue 19 item 5): the catalogs kept for every user together stay within a
process-wide budget, the least recently used going first, and a search over several panels
still answers from each of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.panel.parsing import parse_services
from bot.services.catalog_index import CatalogIndex
from tests.conftest import database_settings
from tests.e2e.steps import KEY_A, beta_services, link_beta
from tests.fakes.panel import FakePanel
from tests.fakes.panel_catalog import default_services
from tests.harness import Harness, running_bot

# Room for the larger of the two catalogs, not for both.
BUDGET = max(
    CatalogIndex(parse_services(default_services())).size,
    CatalogIndex(parse_services(beta_services())).size,
)


@pytest.fixture
async def tight(tmp_path: Path, beta: FakePanel, database: Path | str) -> AsyncIterator[Harness]:
    async with running_bot(
        tmp_path,
        panels=f"Beta={beta.url}",
        catalog_cache_mb=BUDGET / 1024 / 1024,
        **database_settings(database),
    ) as harness:
        yield harness


async def test_a_search_over_two_panels_keeps_within_the_budget(
    tight: Harness, beta: FakePanel
) -> None:
    user = await tight.member(8301, key=KEY_A)
    await link_beta(tight, beta, user)
    await user.send("/services followers")
    found = (await user.reply()).text or ""
    # Both panels answered the search...
    assert "127.0.0.1" in found and "Beta" in found
    assert "IG Followers [Real]" in found
    # ...and only what fits the budget was kept: one catalog, the one used last.
    cache = tight.deps.catalog.cache
    assert 0 < cache.kept_bytes <= BUDGET
    assert len(cache) == 1
    assert tight.telegram.bad_requests() == []
