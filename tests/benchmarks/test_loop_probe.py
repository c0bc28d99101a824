"""benchmarks/loop_probe.py's step timing (LOOP_PROBE_STEPS_MS): each long callback of the loop is
written with where its task stopped, so a stall can be taken apart into the steps that made it."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from benchmarks.loop_probe import _Probe, _time_steps


def test_each_step_is_written_with_the_awaits_of_its_task(monkeypatch: pytest.MonkeyPatch) -> None:
    # Put back by the monkeypatch when the test ends, whatever `_time_steps` replaced it with.
    monkeypatch.setattr(asyncio.events.Handle, "_run", asyncio.events.Handle._run)
    out = io.StringIO()
    _time_steps(_Probe(out), 0.0)  # a zero threshold: every callback

    async def waits_for_a_turn() -> None:
        await asyncio.sleep(0)

    async def searching() -> None:
        for _ in range(3):
            await waits_for_a_turn()

    asyncio.run(searching())
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert events and all({"at", "step", "wall", "where"} <= set(e) for e in events)
    wheres = {e["where"] for e in events}
    assert any(w.startswith(f"{searching.__qualname__} > ") for w in wheres), wheres
