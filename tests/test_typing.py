"""mypy (strict, as configured in pyproject.toml) is clean on the bot, its tests and benchmarks.

A test rather than a separate CI step: CI runs exactly the README's test command, so this is
how a type error in tests/ or benchmarks/ fails the build.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Seconds: only a guard against a hang. A cold run takes about a minute of one core; at load 17
# it took over 180 s (a fresh-clone run failed on that, not on a type error).
TIMEOUT = 900


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (it comes with the [test] extra)",
)
def test_mypy_strict_is_clean_on_bot_tests_and_benchmarks() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "bot", "tests", "benchmarks"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
