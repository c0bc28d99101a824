"""Panel text is a type (issue 19 item 6): a message's placeholders for panel text take only
escaped `Html`, so mypy strict rejects a view that hands them a panel's raw string.

A view is type-checked here as the project's mypy run checks bot/views: one that passes a
service's name, a balance's currency, an order's raw status and a panel error's text raw, and
the same view passing them through `esc`/`escaped`.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from string import Template

import pytest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 180

_VIEW = """
from bot.i18n import Translator
from bot.panel import Balance, OrderStatus, PanelRejected, Service
from bot.panel.text import escaped
from bot.views.text import esc


def $card(t: Translator, s: Service, b: Balance, st: OrderStatus, e: PanelRejected) -> str:
    return "\\n".join([
        t._("Ordering {name}", name=$name),
        t._("Category: {category}", category=$category),
        t._("In {currency}:", currency=$currency),
        t._("Status: {status}", status=$status),
        t._("The panel said: {error}", error=$error),
        t.ngettext("{n} service in {category}", "{n} services in {category}", 2,
                   category=$category),
    ])
"""
RAW = {
    "name": "s.name",
    "category": "s.category",
    "currency": "b.currency",
    "status": "st.raw_status",
    "error": "e.message",
}
ESCAPED = {
    "name": "esc(s.name)",
    "category": "esc(s.category)",
    "currency": "escaped(b.currency)",
    "status": "esc(st.raw_status)",
    "error": "escaped(e.message)",
}


def _mypy(tmp_path: Path) -> str:
    """mypy's verdict on a module with the view twice: `raw_card` then `escaped_card`."""
    view = tmp_path / "view.py"
    raw = Template(_VIEW).substitute(RAW, card="raw_card")
    escaped = Template(_VIEW).substitute(ESCAPED, card="escaped_card").split("\n\n\n", 1)[1]
    view.write_text(raw + "\n\n" + escaped)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), str(view)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return done.stdout + done.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (it comes with the [test] extra)",
)
def test_mypy_rejects_raw_panel_text_and_takes_it_escaped(tmp_path: Path) -> None:
    verdict = _mypy(tmp_path)
    source = (tmp_path / "view.py").read_text().splitlines()
    escaped_from = next(n for n, line in enumerate(source, 1) if "def escaped_card" in line)
    errors = [line for line in verdict.splitlines() if ": error:" in line]
    # Each raw value, on each of its lines (category twice), is an error naming Html...
    assert len(errors) == 6, verdict
    assert all('expected "Html | _Unset"' in line for line in errors), verdict
    # ...all of them in the raw view: the escaped one is clean.
    assert all(int(line.split(":")[1]) < escaped_from for line in errors), verdict
