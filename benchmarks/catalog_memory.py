"""Memory and event-loop latency of a search over several panels with large catalogs (issue 19).

    python -m benchmarks catalog_memory [--panels 5] [--mb 19] [--cache-mb 64] [--steps-ms 0]

Each fake panel serves a catalog of about `mb` MB of JSON (the benchmark catalog, every service
with a 600-800 character Turkish description). One user has linked every panel (rows written
through the bot's repositories before start-up). The real `python -m bot` process then gets
`/services takip` (a search of every panel) while another user sends /help every 50 ms. Reported:
the bot's RSS before and after the search, the search's wall time, and the slowest /help
answer during it, and from inside the bot (benchmarks/loop_probe.py) the longest its event loop
was held and its garbage collections. On a shared machine a stall also counts the time the
process waited for a core (the load average is printed with the figures), so the loop thread's CPU
is given too. `--steps-ms n` also times each callback the loop runs and names the longest ones of
n ms of CPU or more (what the stalls were made of; it costs two clock readings a callback).
LOOP_PROBE_DUMP=1 prints every stall, collection and long step of the window.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from benchmarks._common import BotProcess, run_main
from bot.storage import AccessState, KeyCipher, Storage
from tests.fakes.panel import FakePanel
from tests.fakes.panel_catalog import make_services
from tests.fakes.telegram import FakeTelegram

USER = 4242
BYSTANDER = 4343
# Issue 19 item 5: no slice may hold the event loop over 50 ms.
STALL_TARGET = 0.05
_DESCRIPTION = "Başlangıç 0-1 saat, hız günlük 10K, garanti 30 gün, düşüş yok. " * 14


def big_catalog(mb: float) -> list[dict[str, Any]]:
    """About `mb` MB of JSON as the fake panel sends it (non-ASCII escaped)."""
    sample = _described(make_services(200))
    per_service = len(json.dumps(sample)) / len(sample)
    return _described(make_services(int(mb * 1024 * 1024 / per_service)))


def _described(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for i, service in enumerate(services):
        service["description"] = _DESCRIPTION[: 600 + i % 200]
    return services


async def _seed(db: Path, encryption_key: str, panels: list[FakePanel]) -> None:
    storage = await Storage.open(db, KeyCipher([encryption_key.encode()]))
    try:
        for user_id in (USER, BYSTANDER):
            await storage.users.touch(user_id, username=None, first_name="Bench")
            await storage.users.set_access(user_id, AccessState.ALLOWED)
        for n, panel in enumerate(panels):
            key = f"bench-catalog-{n}-0123456789abcdef"
            panel.add_key(key, balance="1000")
            await storage.accounts.add(USER, key, label=f"P{n}", url=panel.url)
    finally:
        await storage.close()


async def _bystander(telegram: FakeTelegram, stop: asyncio.Event) -> list[float]:
    """/help every 50 ms; how long each answer took."""
    user = telegram.user(BYSTANDER)
    waits: list[float] = []
    while not stop.is_set():
        started = time.monotonic()
        await user.send("/help")
        await user.reply(timeout=120)
        waits.append(time.monotonic() - started)
        await asyncio.sleep(0.05)
    return waits


async def _run(n_panels: int, mb: float, cache_mb: float, steps_ms: float) -> dict[str, Any]:
    catalog = big_catalog(mb)
    panels = [FakePanel(catalog) for _ in range(n_panels)]
    # Encoded once, here: a fake encoding 19 MB per request would hold this process's event
    # loop, which also runs the fake Telegram, and the bystander's waits would be its own.
    encoded = json.dumps(catalog)
    for panel in panels:
        panel.raw_answers["services"] = encoded
    with tempfile.TemporaryDirectory(prefix="smm-bench-") as tmp:
        key = Fernet.generate_key().decode()
        settings = {
            "PANEL_MAX_CATALOG_MB": str(mb * 1.2),
            "CATALOG_CACHE_MB": str(cache_mb),
            "MAX_PANELS_PER_USER": str(n_panels),
            "PANEL_TIMEOUT_SECONDS": "120",
            # The fake panels live on 127.0.0.1: without this the address guard refuses every
            # panel but the configured one, and the search reads one catalog, not `n_panels`.
            "ALLOW_PRIVATE_PANELS": "true",
        }
        if steps_ms > 0:
            settings["LOOP_PROBE_STEPS_MS"] = str(steps_ms)
        async with FakeTelegram() as telegram:
            for panel in panels:
                await panel.start()
            try:
                await _seed(Path(tmp) / "bot.sqlite3", key, panels)
                probe = Path(tmp) / "probe.jsonl"
                bot = BotProcess(
                    telegram,
                    panels[0],
                    Path(tmp),
                    encryption_key=key,
                    settings={**settings, "LOOP_PROBE_FILE": str(probe)},
                    module="benchmarks.loop_probe",
                )
                async with bot:
                    await asyncio.sleep(1.0)
                    before = bot.rss_mib()
                    stop = asyncio.Event()
                    waiting = asyncio.create_task(_bystander(telegram, stop))
                    started = time.monotonic()
                    user = telegram.user(USER)
                    await user.send("/services takip")
                    answer = await user.reply(timeout=300)
                    finished = time.monotonic()
                    seconds = finished - started
                    stop.set()
                    waits = await waiting
                    await asyncio.sleep(1.0)
                    after = bot.rss_mib()
                events = _probe_events(probe, started, finished)  # after the bot stopped
            finally:
                for panel in panels:
                    await panel.stop()
    return {
        "panels": n_panels,
        "catalog_mb": mb,
        "services_per_catalog": len(catalog),
        "cache_mb": cache_mb,
        "rss_before_mib": before,
        "rss_after_mib": after,
        "search_s": seconds,
        "help_answers": len(waits),
        "help_worst_s": max(waits) if waits else float("nan"),
        "answer": (answer.text or "")[:300],
        "panels_answered": _panels_answered(answer.text or "", n_panels),
        "load_average": os.getloadavg()[0],
        **events,
    }


def _panels_answered(text: str, n_panels: int) -> int:
    """How many panels' sections of the search answer list services (not an error line)."""
    return sum(1 for n in range(n_panels) if f"<b>P{n}</b>\n#" in text)


def _probe_events(path: Path, start: float, end: float) -> dict[str, Any]:
    """The bot's longest loop stall and garbage collections between `start` and `end`
    (benchmarks/loop_probe.py writes them)."""
    events = [json.loads(line) for line in path.read_text().splitlines()]
    inside = [e for e in events if start <= e["at"] <= end]
    if os.environ.get("LOOP_PROBE_DUMP"):
        for e in inside:
            print(f"{e['at'] - start:7.3f}", {k: v for k, v in e.items() if k != "at"})
    stalls = [e for e in inside if "stall" in e]
    collections = [e for e in inside if "gc" in e]
    heap = [e for e in events if "tracked" in e]
    steps = sorted((e for e in inside if "step" in e), key=lambda e: -e["step"])
    return {
        "loop_worst_s": max((e["stall"] for e in stalls), default=0.0),
        "loop_worst_cpu_s": max((e["cpu"] for e in stalls), default=0.0),
        "loop_stalls_over_target": sum(1 for e in stalls if e["stall"] > STALL_TARGET),
        "gc_worst_s": max((e["gc"] for e in collections), default=0.0),
        "gc_worst_cpu_s": max((e["cpu"] for e in collections), default=0.0),
        "gc_full": sum(1 for e in collections if e["generation"] == 2),
        "tracked_objects": heap[0]["tracked"] if heap else -1,
        "frozen_objects": heap[0]["frozen"] if heap else -1,
        "longest_steps": [(e["step"], e["where"]) for e in steps[:3]],
    }


def _verdict(seconds: float) -> str:
    return "met" if seconds <= STALL_TARGET else "NOT met"


def format_table(r: dict[str, Any]) -> str:
    target = STALL_TARGET * 1000
    short = "" if r["panels_answered"] == r["panels"] else " (NOT all: figures for fewer catalogs)"
    return (
        f"{r['panels']} panels × {r['catalog_mb']:.0f} MB catalogs "
        f"({r['services_per_catalog']:,} services each), CATALOG_CACHE_MB={r['cache_mb']:.0f}; "
        f"load average {r['load_average']:.1f} on {os.cpu_count()} cores\n"
        f"panels whose catalog was searched: {r['panels_answered']} of {r['panels']}{short}\n"
        f"RSS {r['rss_before_mib']:.0f} → {r['rss_after_mib']:.0f} MiB after /services takip "
        f"({r['search_s']:.1f} s)\n"
        f"a bystander's /help during it: {r['help_answers']} answers, "
        f"worst {r['help_worst_s'] * 1000:.0f} ms\n"
        f"the bot's event loop during it (benchmarks/loop_probe.py), target: held at most "
        f"{target:.0f} ms at a time:\n"
        f"  longest stall {r['loop_worst_s'] * 1000:.0f} ms of wall time "
        f"({_verdict(r['loop_worst_s'])}; {r['loop_stalls_over_target']} stalls over "
        f"{target:.0f} ms; a busy machine not running the process counts here)\n"
        f"  most CPU the loop's thread spent in one stall {r['loop_worst_cpu_s'] * 1000:.0f} ms "
        f"(the bot's own code: {_verdict(r['loop_worst_cpu_s'])})\n"
        f"  garbage collections: {r['gc_full']} full, the longest {r['gc_worst_s'] * 1000:.0f} ms"
        f" ({r['gc_worst_cpu_s'] * 1000:.0f} ms CPU); at the end {r['tracked_objects']:,} "
        f"objects in the collections' generations, {r['frozen_objects']:,} frozen\n"
        f"{_steps_lines(r['longest_steps'])}"
        f"the answer began: {r['answer'][:120]!r}"
    )


def _steps_lines(steps: list[tuple[float, str]]) -> str:
    """The longest callbacks of the loop (with --steps-ms), one line each."""
    lines = [f"  a step of {cpu * 1000:.1f} ms of CPU: {where[:150]}\n" for cpu, where in steps]
    return "".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    def run(a: Any) -> Coroutine[Any, Any, dict[str, Any]]:
        return _run(a.panels, a.mb, a.cache_mb, a.steps_ms)

    return run_main(
        argv,
        "catalog_memory",
        __doc__,
        run,
        format_table,
        panels=5,
        mb=19.0,
        cache_mb=64.0,
        steps_ms=0.0,
    )


if __name__ == "__main__":
    raise SystemExit(main())
