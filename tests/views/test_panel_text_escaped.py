"""Every string from a panel (or a user) is escaped wherever it goes into a message (issue 19
item 6), checked over the source rather than trusted to review.

The type does most of it: the translator's placeholders for panel text take only `Html`
(bot/panel/text.py), and what views read of a panel's words, from the panel or stored and read
back (bot/storage/models.py), is a `PanelText`: mypy rejects either raw in HTML
(tests/views/test_panel_text_type.py).
What mypy cannot see is text put together by hand, with f-strings, `+` and `join`, or passed
to a placeholder the type does not name; this check covers those.

Messages are Telegram HTML built by the views (and a few handlers) with `t._(…, name=…)`,
f-strings, `+` and `join`. A value read from a panel-text field (a service's name, category,
type or description, a currency, a status, an error, a panel's or order's stored name…) may
enter one only through `esc()` or a formatter that escapes (`t.money`, `panel_error_text`…).
Button labels are plain text, not HTML, and are exempt: escaping them would show `&lt;`.
The end-to-end proof that nothing leaks today is tests/e2e/test_panel_text.py; this test keeps
a new screen from adding a leak tomorrow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import bot

ROOT = Path(bot.__file__).parent
SOURCES = [
    *sorted((ROOT / "views").glob("*.py")),
    *sorted((ROOT / "handlers").glob("*.py")),
    *sorted(ROOT.glob("keyboards*.py")),
    *sorted((ROOT / "keyboards").glob("*.py")),
]
# Fields that hold text a panel (or a user) wrote.
PANEL_TEXT_FIELDS = frozenset(
    {
        "name",
        "category",
        "description",
        "type",
        "currency",
        "raw_status",
        "status",
        "message",
        "error",
        "average_text",
        "service_name",
        "service_type",
        "label",
        "panel",
        "link",
    }
)
# Calls whose result is safe in HTML: they escape, or make text of their own from the value.
ESCAPING_CALLS = frozenset(
    {
        "esc",
        "escaped",
        "money",
        "balance",
        "number",
        "decimal",
        "len",
        "status_label",
        "refill_state_label",
        "panel_error_text",
        "input_error_text",
        "reason_text",
        "get",  # a lookup keyed by the value (STATUS_ICONS.get(status, "❔")) shows no text of it
    }
)
# Reads of those fields that are not panel text, each with why.
KNOWN_SAFE = {
    ("bot/views/start.py", "cmd.name"): "the bot's own command names",
    ("bot/views/sharing.py", "order.service_name.plain"): "an inline result's title is plain text",
    # Telegram's error text in a failed send's reason (logged, kept in the outbox row; never sent).
    ("bot/handlers/notifications.py", "exc.message"): "the outbox's record of a failed send",
}
# Calls that make button labels (plain text), and functions that return one.
LABEL_CALLS = frozenset({"button", "InlineKeyboardButton", "fit_label"})


def _name_of(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _reads_panel_text(expr: ast.expr) -> bool:
    return any(
        isinstance(node, ast.Attribute) and node.attr in PANEL_TEXT_FIELDS
        for node in ast.walk(expr)
    )


def _escaped(expr: ast.expr) -> bool:
    if isinstance(expr, ast.IfExp):  # `t.money(x, c) if x is not None else "?"`
        return all(
            _escaped(side) or isinstance(side, ast.Constant) for side in (expr.body, expr.orelse)
        )
    return isinstance(expr, ast.Call) and _name_of(expr) in ESCAPING_CALLS


def _interpolated(node: ast.AST) -> Iterator[ast.expr]:
    """The values `node` puts into a text: template arguments, f-string parts, `+` operands."""
    # `plain` is for text that is not HTML: anywhere but in a label, it is a message like `_`.
    if isinstance(node, ast.Call) and _name_of(node) in {"_", "gettext", "ngettext", "plain"}:
        yield from (keyword.value for keyword in node.keywords)
    elif isinstance(node, ast.JoinedStr):
        yield from (part.value for part in node.values if isinstance(part, ast.FormattedValue))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        sides = (node.left, node.right)
        if any(isinstance(side, ast.JoinedStr | ast.Constant) for side in sides):
            yield from (side for side in sides if isinstance(side, ast.Attribute))


def _label_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside a button label: under a label-making call or a `*label*` def."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        labels = (isinstance(node, ast.Call) and _name_of(node) in LABEL_CALLS) or (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "label" in node.name
        )
        if labels:
            inside.update(id(child) for child in ast.walk(node))
    return inside


def unescaped_panel_text(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    labels = _label_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in labels:
            continue
        for expr in _interpolated(node):
            if _reads_panel_text(expr) and not _escaped(expr):
                found.append((expr.lineno, ast.unparse(expr)))
    return found


def test_panel_text_enters_messages_only_escaped() -> None:
    leaks = [
        f"{path.relative_to(ROOT.parent)}:{line}: {text}"
        for path in SOURCES
        for line, text in unescaped_panel_text(path.read_text(encoding="utf-8"))
        if (str(path.relative_to(ROOT.parent)), text) not in KNOWN_SAFE
    ]
    assert leaks == [], "escape these with esc():\n" + "\n".join(leaks)


def test_the_check_sees_each_way_text_is_built() -> None:
    source = (
        "def card(t, s):\n"
        "    a = t._('{n}', n=s.name)\n"
        "    b = f'<b>{s.category}</b>'\n"
        "    c = '<i>' + s.description\n"
        "    d = t._('{n}', n=esc(s.name)) + f'{esc(s.type)}' + t.money(1, s.currency)\n"
        "def service_label(s):\n"
        "    return f'{s.name} #{s.id}'\n"
    )
    assert [line for line, _ in unescaped_panel_text(source)] == [2, 3, 4]
