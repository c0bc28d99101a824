"""Panel text is a type (issue 19 item 6): a message's placeholders for panel text take only
escaped `Html`, so mypy strict rejects a view that hands them a panel's raw string.

A view is type-checked here as the project's mypy run checks bot/views: one that passes a
service's name, a balance's currency, an order's raw status and a panel error's text raw, and
the same view passing them through `esc`/`escaped`.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path
from string import Template

import pytest

from bot.panel.models import Balance, OrderStatus, RefillResult, RefillStatus, Service
from bot.panel.text import PanelText, PanelWords, escaped
from bot.views.text import esc

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 180

_VIEW = """
from bot.i18n import Translator
from bot.panel.errors import PanelRejected
from bot.panel.models import Balance, OrderStatus, Service
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
    return _verdict(view)


def _verdict(view: Path) -> str:
    """What the project's mypy run says of the module `view`."""
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


# A panel's description, its words for the average time, a service's name and category reach
# views as `PanelText`, and so do a panel's refusal, a balance it sent that cannot be read, the
# reason a failure is given for (`reason_text`) and the panel's words stored and read back (an
# order's service name, currency, status and refusal, a refill's status, a price change's and a
# spend's service name). A `PanelText` is not a `str`: joined into HTML by hand (`+`, `join`, a
# `str` parameter, an Html placeholder), it is a type error; through `esc` it is text.
# Formatted (an f-string, a placeholder that takes any value), it shows escaped:
# test_panel_text_formatted_by_hand_….
_PANEL_TEXT_VIEW = """
from bot.i18n import Translator
from bot.panel.errors import PanelRejected, UnreadableBalance
from bot.panel.models import OrderStatus, RefillStatus, Service
from bot.services.stats import ServiceSpend
from bot.storage.models import Order, OrderDraft, Refill
from bot.storage.pricewatch import PriceChange
from bot.views.reasons import reason_text
from bot.views.text import esc


def shout(text: str) -> str:
    return text.upper()


def raw_card(t: Translator, s: Service) -> list[str]:
    assert s.description is not None and s.average_text is not None
    return [
        "<i>" + s.description + "</i>",  # RAW
        "\\n".join([s.average_text]),  # RAW
        shout(s.description),  # RAW
        "<b>" + s.name + "</b>",  # RAW
        shout(s.category),  # RAW
        " / ".join([s.name, s.category]),  # RAW
        "<i>" + reason_text(t, "Panel said <b>no</b>") + "</i>",  # RAW
    ]


def escaped_card(t: Translator, s: Service) -> list[str]:
    assert s.description is not None and s.average_text is not None
    return [
        "<i>" + esc(s.description) + "</i>",
        "\\n".join([esc(s.average_text)]),
        shout(esc(s.description)),
        t._("Average time (the panel's words): {text}", text=esc(s.average_text)),
        shout(s.description.plain),  # plain text, said so where it is read
        "<b>" + esc(s.name) + "</b>",
        shout(esc(s.category)),
        shout(s.name_text),  # the model's plain field, for data
        "<i>" + esc(reason_text(t, "Panel said <b>no</b>")) + "</i>",
        shout(reason_text(t, "x").plain),  # a CSV cell
    ]


def raw_refusal(
    e: PanelRejected, u: UnreadableBalance, st: OrderStatus, r: RefillStatus
) -> list[str]:
    return [
        "<i>" + e.message + "</i>",  # RAW
        shout(u.shown),  # RAW
        "<b>" + st.raw_status + "</b>",  # RAW
        shout(r.raw_status),  # RAW
    ]


def escaped_refusal(
    e: PanelRejected, u: UnreadableBalance, st: OrderStatus, r: RefillStatus
) -> list[str]:
    return [
        "<i>" + esc(e.message) + "</i>",
        shout(esc(u.shown)),
        shout(e.message_text),
        "<b>" + esc(st.raw_status) + "</b>",
        shout(r.raw_status_text),
    ]


def raw_stored(
    o: Order, d: OrderDraft, r: Refill, c: PriceChange, s: ServiceSpend
) -> list[str]:
    assert o.raw_status is not None and o.currency is not None and o.error is not None
    assert d.currency is not None and r.raw_status is not None
    return [
        "<b>" + o.service_name + "</b>",  # RAW
        shout(o.raw_status),  # RAW
        " ".join([o.currency, d.currency]),  # RAW
        "<i>" + o.error + "</i>",  # RAW
        shout(d.service_name),  # RAW
        "<b>" + r.raw_status + "</b>",  # RAW
        shout(c.name),  # RAW
        "<b>" + s.name + "</b>",  # RAW
    ]


def escaped_stored(
    o: Order, d: OrderDraft, r: Refill, c: PriceChange, s: ServiceSpend
) -> list[str]:
    return [
        "<b>" + esc(o.service_name) + "</b>",
        shout(esc(o.raw_status)),
        " ".join([esc(o.currency), esc(d.currency)]),
        "<i>" + esc(o.error) + "</i>",
        shout(d.service_name_text),  # the plain field, for data (SQL, JSON, a CSV cell)
        "<b>" + esc(r.raw_status) + "</b>",
        shout(c.name.plain),
        "<b>" + esc(s.name) + "</b>",
    ]
"""


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (it comes with the [test] extra)",
)
def test_mypy_rejects_a_panels_description_joined_into_html_by_hand(tmp_path: Path) -> None:
    view = tmp_path / "described.py"
    view.write_text(_PANEL_TEXT_VIEW)
    verdict = _verdict(view)
    source = view.read_text().splitlines()
    raw_lines = {n for n, line in enumerate(source, 1) if line.endswith("# RAW")}
    failed_lines = {int(line.split(":")[1]) for line in verdict.splitlines() if ": error:" in line}
    # Every hand-made use of the raw text is an error, and nothing else is.
    assert failed_lines == raw_lines, verdict
    assert "PanelText" in verdict, verdict


def test_panel_text_formatted_by_hand_is_still_text() -> None:
    hostile = PanelText('<a href="https://evil.example">5 & up</a>')
    # The uses mypy cannot see, an f-string or a placeholder that takes any value, show the
    # text as text.
    shown = '&lt;a href="https://evil.example"&gt;5 &amp; up&lt;/a&gt;'
    assert f"<i>{hostile}</i>" == f"<i>{shown}</i>"
    template = "Average time: {text}"  # as a translation is filled in
    assert template.format(text=hostile) == f"Average time: {shown}"
    assert esc(hostile) == escaped(hostile) == str(hostile)  # escaped once, never twice
    assert hostile.plain.startswith("<a href=")
    assert PanelText("x") == PanelText("x") and not PanelText("")


@pytest.mark.parametrize("model", [Service, OrderStatus, RefillStatus, RefillResult, Balance])
def test_every_panel_words_of_a_model_reads_one_of_its_fields(model: type) -> None:
    words = {name: value for name, value in vars(model).items() if isinstance(value, PanelWords)}
    assert words
    fields = {field.name for field in dataclasses.fields(model)}
    assert {value.field for value in words.values()} <= fields
