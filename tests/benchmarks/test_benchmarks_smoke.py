"""The benchmark suite's pieces run at tiny sizes and produce numbers (no timing assertions)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks import charts, footprint, latency, poller, suite
from benchmarks import panels as several_panels
from benchmarks.__main__ import main
from benchmarks._common import percentile, user_key
from tests.harness import running_bot


def test_percentile_is_nearest_rank() -> None:
    samples = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(samples, 0.5) == 3.0
    assert percentile(samples, 0.99) == 5.0
    assert percentile(samples, 0.0) == 1.0
    assert math.isnan(percentile([], 0.5))


async def test_load_driver_times_every_step_of_the_script(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        users = [latency.FIRST_USER + i for i in range(3)]
        for uid in users:
            await bot.member(uid, key=user_key(uid))
        bot.panel.clear_log()
        load = await latency.drive(
            bot.telegram, users, tag="smoke", think_mean=0.0, seed=1, cutoff=30
        )
        figures = latency.summarize(load, bot.telegram, bot.panel)
        assert bot.telegram.bad_requests() == []
    steps = len(latency.SCRIPT) * len(users)
    assert figures["steps_pushed"] == figures["steps_answered"] == steps
    assert figures["steps_unanswered"] == figures["wrong_answers"] == 0
    assert figures["orders_placed"] == len(users) == bot.panel.count("add")
    assert figures["replies_sent"] == latency.MESSAGES_PER_SCRIPT * len(users)
    for key in ("p50_s", "p95_s", "p99_s", "raw_p50_s", "wall_s"):
        assert math.isfinite(figures[key]), key
    # Panel calls are attributed to the step that made them.
    per_step = figures["per_step"]
    assert per_step["start"]["panel_calls_mean"] == 0
    assert per_step["balance"]["panel_calls_mean"] == 1
    assert per_step["confirm"]["panel_calls_mean"] >= 1
    assert figures["raw_p50_s"] >= figures["p50_s"]


def test_bot_process_footprint() -> None:
    result = footprint.run(runs=1)
    assert 0 < result["startup_s"] < 60
    assert result["rss_idle_mib"] > 10


def test_the_stats_chart_benchmark_draws_real_charts() -> None:
    result = charts.run(runs=2)
    assert result["first_s"] > 0 and result["warm_s"] > 0
    assert result["bytes"] > 5_000  # a real PNG, not an empty figure


def test_suite_writes_table_and_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The poll section's PostgreSQL run is the same code on the other engine (tests/storage runs
    # the engine); a server of its own would cost ~10 s here, so SQLite stands in for it.
    monkeypatch.setattr(poller, "run_postgres", poller.run)
    sizes = suite.Sizes(
        users=2,
        latency_runs=1,
        baseline_runs=0,
        poll_orders=40,
        poll_keys=2,
        poll_runs=1,
        notify_count=4,
        notify_users=2,
        catalog_services=200,
        catalog_runs=1,
        footprint_runs=1,
    )
    out = tmp_path / "results.json"
    results = suite.run_suite(
        ("poll", "catalog"), sizes=sizes, results_path=out, log=lambda _: None
    )
    saved = json.loads(out.read_text())
    assert saved["poll"]["first_cycle_requests"] == 2 == saved["poll"]["expected_requests"]
    assert saved["poll"]["postgres_first_cycle_s"] > 0
    assert saved["catalog"]["fetch"]["services"] == 200
    rows = suite.rows(results)
    assert {r.benchmark.split(",")[0] for r in rows} == {"2 poll cycle", "4 catalog"}
    assert all(r.value and r.value != "n/a" for r in rows)
    table = suite.markdown(rows)
    assert table.startswith("| Benchmark |") and table.count("\n") == len(rows) + 1


def test_main_dispatches_modules_and_rejects_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no_such_benchmark"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err
    assert main(["../etc"]) == 2
    # Unknown names are modules with main(argv): the extension point soak uses.
    assert main(["poller", "--orders", "20", "--keys", "2"]) == 0
    assert "cycle 1 requests" in capsys.readouterr().out


def test_several_panels_benchmark_counts_requests_per_panel_key() -> None:
    """3 panels × 2 keys × 150 open orders: ⌈150 / 100⌉ = 2 requests per key, 12 in all."""
    result = several_panels.run(n_keys=2, per_key=150, cards=5)
    poll = result["poll"]
    assert poll["requests"] == poll["expected_requests"] == 12
    assert poll["requests_per_panel"] == [4, 4, 4]
    assert result["compare"]["similar_found"] > 0
    rows = suite.rows({"panels": result})
    assert {r.benchmark.split(",")[0] for r in rows} == {"6 several panels", "6 compare"}


def test_engines_table_puts_sqlite_and_postgres_side_by_side() -> None:
    figures = {
        "p50_s": 0.02,
        "p95_s": 0.3,
        "p99_s": 0.7,
        "rate_msg_s": 20.0,
        "wrong_answers": 0.0,
        "steps_unanswered": 0.0,
    }
    result = {
        "users": 10,
        "runs": 1,
        "summary": {"sqlite": figures, "postgres": {**figures, "p50_s": 0.024}},
    }
    table = latency.format_engines(result)
    assert "SQLite" in table and "PostgreSQL" in table
    assert "PostgreSQL p50 / SQLite p50 = 1.20" in table


def test_classic_benchmark_polls_one_by_one_within_the_budget_and_bulks_by_add() -> None:
    from benchmarks import classic

    figures = classic.run(n_orders=40, n_keys=2, n_lines=3, rps=1000.0)
    requests = [n for n, _ in figures["poll"]["cycles"]]
    # One learning pair (orders= refused, order= answered), then one request per order.
    assert sum(requests) >= 40 and requests[0] <= 42
    bulk = figures["bulk"]
    assert bulk["placed"] == 3 and bulk["add"] == 3 and bulk["bulk_with_orders"] == 0
    assert "bulk wall time" in classic.format_table(figures)
