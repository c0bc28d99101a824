"""The /stats chart (part of benchmark 5): how long drawing it takes, first time and warm.

    python -m benchmarks charts

"First" is a fresh interpreter that has loaded the bot but not matplotlib, as a bot that has
never drawn a chart: the import is part of what the user waits for. "Warm" is the next draws
in the same process. The chart is the biggest /stats draws routinely: 3 panels spending every
day of the 30 in 2 currencies.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from benchmarks._common import median


def _draw(runs: int) -> dict[str, Any]:
    from bot.i18n import Catalogs
    from bot.services.stats import build_report
    from bot.storage.spending import SpendRow
    from bot.views.spend_chart import spend_chart

    rng = random.Random(7)
    now = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
    rows = [
        SpendRow(
            placed_at=(now - dt.timedelta(days=day, minutes=rng.randrange(600))).timestamp(),
            panel=panel,
            currency=currency,
            amount=Decimal(rng.randrange(100, 5000)) / 100,
            status="Completed",
            service_id=rng.randrange(1, 40),
            service_name="Followers",
        )
        for day in range(30)
        for panel in ("Roket", "Second", "Third")
        for currency in ("USD", "TRY")
    ]
    report = build_report(rows, now=now, panel_name=lambda p: p)
    t = Catalogs.load().translator("en")
    times: list[float] = []
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        size = len(spend_chart(t, report).png)
        times.append(time.perf_counter() - started)
    return {
        "first_s": times[0],
        "warm_s": median(times[1:]) if runs > 1 else times[0],
        "bytes": size,
    }


def run(runs: int = 5) -> dict[str, Any]:
    code = (
        "import json, sys; from benchmarks.charts import _draw; "
        f"print(json.dumps(_draw({max(2, runs)})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str]) -> int:
    result = run()
    print(
        f"/stats chart: first draw (matplotlib import included) {result['first_s'] * 1000:.0f} ms,"
        f" warm {result['warm_s'] * 1000:.0f} ms, {result['bytes']:,} bytes (target < 1 s)"
    )
    return 0
