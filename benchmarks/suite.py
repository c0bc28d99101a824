"""The whole suite: runs benchmarks 1-5, prints one table, writes benchmarks/results.json.

Sizes are chosen for a 2-core machine (the bot process on one core, the fakes and the load
driver on the other):

=====================  ===========================================  ==========================
benchmark              default                                      --quick
=====================  ===========================================  ==========================
1 latency + burst      200 users, 3 bot processes (medians);        50 users, 1 run
                       baseline 1 run, cut off at 1.5 x the plan
1c replies + backlog   50 users at ~15 replies/s, 5,000 pushes      same, 10 s after
                       queued; pushes alone for 20 s after; the
                       same load without the backlog beside it
2 poll cycle           10,000 orders / 100 keys, 3 runs each        2,000 / 20, 1 run each
                       on SQLite and PostgreSQL
3 notifications        3,000 completions (--full: 10,000), 1 run    300, 1 run
4 catalog              5,000 services, 15 timed runs each           5,000 services, 5 runs
5 footprint            5 fresh processes                            2
=====================  ===========================================  ==========================
"""

from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import (
    backlog,
    catalog,
    charts,
    footprint,
    latency,
    notifications,
    ordering,
    poller,
)
from benchmarks import panels as several_panels
from benchmarks._common import jsonable, median

RESULTS = Path(__file__).resolve().parent / "results.json"
SECTIONS = ("latency", "backlog", "poll", "notify", "catalog", "footprint", "panels")


@dataclass(frozen=True, slots=True)
class Sizes:
    users: int
    latency_runs: int
    baseline_runs: int
    poll_orders: int
    poll_keys: int
    poll_runs: int
    notify_count: int
    notify_users: int
    catalog_services: int
    catalog_runs: int
    footprint_runs: int
    backlog_users: int = 50
    backlog_pushes: int = 5_000
    backlog_after_s: int = 20


DEFAULT = Sizes(200, 3, 1, 10_000, 100, 3, 3_000, 100, 5_000, 15, 5)
QUICK = Sizes(50, 1, 1, 2_000, 20, 1, 300, 30, 5_000, 5, 2, backlog_after_s=10)


def sizes_for(*, quick: bool, full: bool) -> Sizes:
    if quick:
        return QUICK
    if full:
        return Sizes(**{**_as_dict(DEFAULT), "notify_count": 10_000})
    return DEFAULT


def _as_dict(sizes: Sizes) -> dict[str, int]:
    return {name: getattr(sizes, name) for name in Sizes.__slots__}


def run_latency(s: Sizes) -> dict[str, Any]:
    return latency.run(s.users, s.latency_runs, baseline_runs=s.baseline_runs)


def run_backlog(s: Sizes) -> dict[str, Any]:
    return backlog.run(s.backlog_users, s.backlog_pushes, after=s.backlog_after_s)


def run_poll(s: Sizes) -> dict[str, Any]:
    # SQLite and PostgreSQL in turn, so that a change of the machine's load hits both alike.
    runs: list[dict[str, Any]] = []
    pg_runs: list[dict[str, Any]] = []
    for _ in range(s.poll_runs):
        runs.append(poller.run(s.poll_orders, s.poll_keys))
        pg_runs.append(poller.run_postgres(s.poll_orders, s.poll_keys))
    return {
        "runs": runs,
        "postgres_runs": pg_runs,
        "orders": s.poll_orders,
        "keys": s.poll_keys,
        "expected_requests": runs[0]["expected_requests"],
        "first_cycle_requests": median([r["first_cycle_requests"] for r in runs]),
        "first_cycle_s": median([r["first_cycle_s"] for r in runs]),
        "completion_cycle_requests": median([r["completion_cycle_requests"] for r in runs]),
        "completion_cycle_s": median([r["completion_cycle_s"] for r in runs]),
        "postgres_first_cycle_s": median([r["first_cycle_s"] for r in pg_runs]),
        "postgres_completion_cycle_s": median([r["completion_cycle_s"] for r in pg_runs]),
    }


def run_notify(s: Sizes) -> dict[str, Any]:
    return notifications.run(s.notify_count, s.notify_users)


def run_catalog(s: Sizes) -> dict[str, Any]:
    return {
        "fetch": catalog.run(s.catalog_services, s.catalog_runs),
        "render": ordering.run(s.catalog_services, 1000, s.catalog_runs),
    }


def run_panels(s: Sizes) -> dict[str, Any]:
    # 3 panels × 50 keys × 100 open orders (quick: 10 keys), and 3 × 5,000-service compares.
    return several_panels.run(50 if s.poll_runs > 1 else 10, 100)


def run_footprint(s: Sizes) -> dict[str, Any]:
    return {**footprint.run(s.footprint_runs), "chart": charts.run()}


RUNNERS: dict[str, Callable[[Sizes], dict[str, Any]]] = {
    "latency": run_latency,
    "backlog": run_backlog,
    "poll": run_poll,
    "notify": run_notify,
    "catalog": run_catalog,
    "footprint": run_footprint,
    "panels": run_panels,
}


# ---------------------------------------------------------------------------------- table


@dataclass(frozen=True, slots=True)
class Row:
    benchmark: str
    figure: str
    value: str
    target: str
    met: bool | None  # None: informational

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "**no**", None: "—"}[self.met]


def _ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def _below(value: float, limit: float) -> bool | None:
    return None if math.isnan(value) else value < limit


# How far above an ideal sender's p99 the bot's may be (raw latencies, panel time included).
IDEAL_RATIO = 1.25


def _ideal_row(
    name: str,
    figures: dict[str, Any],
    key: str = "ideal_raw_p99_s",
    label: str = "p99 / ideal sender's p99 (raw, panel time in both)",
    target: bool = True,
) -> Row:
    """p99 against what an ideal sender reaches on the same run (benchmarks/latency.py);
    `target` False: shown for information, without a verdict."""
    raw, ideal = figures.get("raw_p99_s", math.nan), figures.get(key, math.nan)
    ratio = raw / ideal if ideal and not math.isnan(ideal) else math.nan
    return Row(
        name,
        label,
        "n/a" if math.isnan(ratio) else f"{_ms(raw)} / {_ms(ideal)} = {ratio:.2f}×",
        f"≤ {IDEAL_RATIO:.2f}×" if target else "—",
        None if math.isnan(ratio) or not target else ratio <= IDEAL_RATIO,
    )


def _backlog_ideal_rows(name: str, figures: dict[str, Any]) -> list[Row]:
    """1c against an ideal sender that also keeps the push target (benchmarks/latency.py,
    `steady_pushes`, says why), and, for information, against one that sends replies alone."""
    per_second = figures.get("ideal_pushes_per_s")
    if per_second is None:  # a results.json from before the ideal carried pushes
        return [_ideal_row(name, figures)]
    return [
        _ideal_row(
            name,
            figures,
            label=f"p99 / ideal sender's p99 (raw; the ideal also sends {per_second:.0f} pushes/s)",
        ),
        _ideal_row(
            name,
            figures,
            "ideal_replies_only_raw_p99_s",
            "p99 / ideal sender's p99 if it sent no pushes",
            target=False,
        ),
    ]


# How much longer PostgreSQL's poll cycle may take than SQLite's on the same orders (issue 22).
ENGINES_RATIO = 1.2


def _engines_row(name: str, cycle: str, poll: dict[str, Any], field: str) -> Row:
    """PostgreSQL's cycle against SQLite's (medians; older results.json files lack it)."""
    lite, pg = poll.get(field, math.nan), poll.get(f"postgres_{field}", math.nan)
    ratio = pg / lite if lite and not math.isnan(pg) else math.nan
    # Each run pairs one cycle on each engine, back to back: their ratios' range is the spread
    # a machine shared with other work gives the median.
    pairs = zip(poll.get("runs", []), poll.get("postgres_runs", []), strict=False)
    ratios = sorted(pg_run[field] / run[field] for run, pg_run in pairs if run[field])
    spread = f" (runs {ratios[0]:.2f}–{ratios[-1]:.2f}×)" if len(ratios) > 1 else ""
    return Row(
        name,
        f"PostgreSQL / SQLite cycle ({cycle})",
        "n/a" if math.isnan(ratio) else f"{pg:.2f} s / {lite:.2f} s = {ratio:.2f}×{spread}",
        f"≤ {ENGINES_RATIO:.1f}×",
        None if math.isnan(ratio) else ratio <= ENGINES_RATIO,
    )


def rows(results: dict[str, Any]) -> list[Row]:
    out: list[Row] = []
    lat = results.get("latency")
    if lat:
        s = lat["summary"]
        ours, base = s["sustained"], s["baseline"]
        n = lat["users"]
        name = f"1a sustained, {n} users"
        out += [
            Row(name, "reply latency p50 (panel time subtracted)", _ms(ours["p50_s"]), "< 50 ms",
                _below(ours["p50_s"], 0.050)),
            Row(name, "reply latency p95", _ms(ours["p95_s"]), "—", None),
            Row(name, "reply latency p99", _ms(ours["p99_s"]), "< 250 ms",
                _below(ours["p99_s"], 0.250)),
            Row(name, "outgoing rate", f"{ours['rate_msg_s']:.1f} msg/s", "≈ 25 msg/s", None),
            _ideal_row(name, ours),
        ]  # fmt: skip
        if not math.isnan(base["p50_s"]):
            unanswered = f"{base['steps_unanswered']:.0f} of {base['steps_pushed']:.0f}"
            out += [
                Row(name, "baseline (one at a time) p50 / p95 / p99",
                    f"{_ms(base['p50_s'])} / {_ms(base['p95_s'])} / {_ms(base['p99_s'])}",
                    "—", None),
                Row(name, f"baseline steps unanswered after {base['cutoff_s']:.0f} s",
                    unanswered, "—", None),
                Row(name, "p99 ratio baseline / ours",
                    f"{base['p99_s'] / ours['p99_s']:.0f}×" if ours["p99_s"] else "n/a",
                    "—", None),
            ]  # fmt: skip
        b = s.get("burst")
        if b:
            name = f"1b burst, {n} users"
            out += [
                Row(name, "wall time / floor (replies ÷ 30/s)",
                    f"{b['wall_s']:.1f} s / {b['floor_s']:.1f} s = {b['ratio_to_floor']:.2f}×",
                    "≤ 1.15×", b["ratio_to_floor"] <= 1.15),
                Row(name, "429s received", f"{b['telegram_429s']:.0f}", "0",
                    b["telegram_429s"] == 0),
                Row(name, "replies lost", f"{b['steps_unanswered']:.0f}", "0",
                    b["steps_unanswered"] == 0),
            ]  # fmt: skip
    queue = results.get("backlog")
    if queue:
        b, ref = queue["backlog"], queue["reference"]
        name = (
            f"1c {queue['users']} users at {b['reply_rate_msg_s']:.1f} replies/s, "
            f"{queue['pushes']:,} pushes queued"
        )
        out += [
            Row(name, "reply latency p50 / p99 (panel time subtracted)",
                f"{_ms(b['p50_s'])} / {_ms(b['p99_s'])}", "p99 < 300 ms",
                _below(b["p99_s"], 0.300)),
            *_backlog_ideal_rows(name, b),
            Row(name, "same load without the backlog: p50 / p99",
                f"{_ms(ref['p50_s'])} / {_ms(ref['p99_s'])}", "—", None),
            Row(name, "pushes per second while users are active",
                f"{b['push_rate_during']:.1f} msg/s", f"≥ {backlog.PUSH_TARGET_DURING:.0f} msg/s",
                b["push_rate_during"] >= backlog.PUSH_TARGET_DURING),
            Row(name, f"pushes per second after ({queue['after_s']:.0f} s, users gone)",
                f"{b['push_rate_after']:.1f} msg/s", f"≥ {backlog.PUSH_TARGET_AFTER:.0f} msg/s",
                b["push_rate_after"] >= backlog.PUSH_TARGET_AFTER),
            Row(name, "429s / steps unanswered",
                f"{b['all_429s']} / {b['steps_unanswered']}", "0 / 0",
                b["all_429s"] == 0 and b["steps_unanswered"] == 0),
        ]  # fmt: skip
    poll = results.get("poll")
    if poll:
        name = f"2 poll cycle, {poll['orders']:,} open / {poll['keys']} keys"
        expected = poll["expected_requests"]
        out += [
            Row(name, "panel requests", f"{poll['first_cycle_requests']:.0f}",
                f"= {expected}", poll["first_cycle_requests"] == expected),
            Row(name, "cycle wall time (first sight of every order)",
                f"{poll['first_cycle_s']:.2f} s", "< 5 s", poll["first_cycle_s"] < 5),
            Row(name, "cycle wall time (all complete, notifications queued)",
                f"{poll['completion_cycle_s']:.2f} s", "< 5 s", poll["completion_cycle_s"] < 5),
            _engines_row(name, "first sight", poll, "first_cycle_s"),
            _engines_row(name, "all complete", poll, "completion_cycle_s"),
        ]  # fmt: skip
    notify = results.get("notify")
    if notify:
        name = f"3 notifications, {notify['count']:,} completions"
        out += [
            Row(name, "delivery rate", f"{notify['rate_per_s']:.1f} msg/s", "≥ 25 msg/s",
                notify["rate_per_s"] >= 25),
            Row(name, "429s received", f"{notify['telegram_429s']}", "—", None),
            Row(name, "lost / doubled", f"{notify['lost']} / {notify['doubled']}", "0 / 0",
                notify["lost"] == 0 and notify["doubled"] == 0),
        ]  # fmt: skip
    cat = results.get("catalog")
    if cat:
        fetch, render = cat["fetch"], cat["render"]
        name = f"4 catalog, {fetch['services']:,} services"
        page = max(render["category_page_first"][0], render["service_page"][0])
        search = max(render["search"][0], render["search_page"][0])
        out += [
            Row(name, "fetch + parse (median)", f"{fetch['fetch_parse_median_ms']:.0f} ms",
                "< 150 ms", fetch["fetch_parse_median_ms"] < 150),
            Row(name, "page render (slowest page kind, median)", f"{page:.2f} ms", "< 5 ms",
                page < 5),
            Row(name, "search incl. results page (median)", f"{search:.2f} ms", "< 20 ms",
                search < 20),
        ]  # fmt: skip
    foot = results.get("footprint")
    if foot:
        name = "5 footprint"
        out += [
            Row(name, "start-up to first getUpdates", _ms(foot["startup_s"]), "< 2 s",
                _below(foot["startup_s"], 2.0)),
            Row(name, "RSS idle", f"{foot['rss_idle_mib']:.1f} MiB", "< 80 MB",
                _below(foot["rss_idle_mib"] * 1.048576, 80)),
        ]  # fmt: skip
        chart = foot.get("chart")
        if chart:
            out += [
                Row(name, "/stats chart, first draw (import included)", _ms(chart["first_s"]),
                    "< 1 s", _below(chart["first_s"], 1.0)),
                Row(name, "/stats chart, warm draw", _ms(chart["warm_s"]), "< 1 s",
                    _below(chart["warm_s"], 1.0)),
            ]  # fmt: skip
    several = results.get("panels")
    if several:
        poll_p, cmp_p = several["poll"], several["compare"]
        name = (
            f"6 several panels, {poll_p['panels']} × {poll_p['keys_per_panel']} keys × "
            f"{poll_p['open_per_key']} open"
        )
        out += [
            Row(name, "poll cycle: panel requests", f"{poll_p['requests']}",
                f"= {poll_p['expected_requests']}",
                poll_p["requests"] == poll_p["expected_requests"]),
            Row(name, "poll cycle: wall time", f"{poll_p['cycle_s']:.2f} s", "< 5 s",
                poll_p["cycle_s"] < 5),
        ]  # fmt: skip
        name = f"6 compare, {cmp_p['catalogs']} × {cmp_p['services']:,} services"
        out += [
            Row(name, "per card (median / p95)",
                f"{cmp_p['card_median_ms']:.2f} / {cmp_p['card_p95_ms']:.2f} ms", "< 50 ms",
                cmp_p["card_p95_ms"] < 50),
            Row(name, "similarity index, built once per catalog version",
                f"{cmp_p['index_build_ms']:.0f} ms", "—", None),
        ]  # fmt: skip
    if lat:
        after = lat["summary"]["rss_after_mib"]
        out.append(Row("5 footprint", "RSS after benchmark 1", f"{after:.1f} MiB", "—", None))
    return out


def markdown(table: list[Row]) -> str:
    lines = ["| Benchmark | Figure | Result | Target | Met |", "|---|---|---|---|---|"]
    lines += [
        f"| {r.benchmark} | {r.figure} | {r.value} | {r.target} | {r.verdict} |" for r in table
    ]
    return "\n".join(lines)


def plain(table: list[Row]) -> str:
    widths = [
        max(len(getattr(r, f)) for r in table) for f in ("benchmark", "figure", "value", "target")
    ]
    out = []
    for r in table:
        cells = (r.benchmark, r.figure, r.value, r.target)
        line = "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
        out.append(f"{line}  {r.verdict.strip('*')}")
    return "\n".join(out)


def run_suite(
    sections: tuple[str, ...] = SECTIONS,
    *,
    quick: bool = False,
    full: bool = False,
    sizes: Sizes | None = None,
    results_path: Path | None = RESULTS,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    chosen = sizes or sizes_for(quick=quick, full=full)
    results: dict[str, Any] = {
        "mode": "quick" if quick else "full" if full else "default",
        "sizes": _as_dict(chosen),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }
    started = time.monotonic()
    for section in sections:
        log(f"… {section}")
        t0 = time.monotonic()
        results[section] = RUNNERS[section](chosen)
        results.setdefault("seconds", {})[section] = time.monotonic() - t0
    results["total_seconds"] = time.monotonic() - started
    table = rows(results)
    results["table_markdown"] = markdown(table)
    if results_path is not None:
        results_path.write_text(json.dumps(jsonable(results), indent=2) + "\n", encoding="utf-8")
    return results
