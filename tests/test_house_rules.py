"""The house rules the suite enforces (issue 22): layer contracts and short functions.

Tests rather than separate CI steps, like tests/test_typing.py: CI runs exactly the README's
test command, so breaking a rule fails the build where the break was made.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# "Every function at most 60 lines" (the house rules): decorators and docstring included.
MAX_FUNCTION_LINES = 60
LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(no_cache=True, no_logo=True))"
)


@pytest.mark.skipif(
    importlib.util.find_spec("importlinter") is None,
    reason="import-linter is not installed (it comes with the [test] extra)",
)
def test_layer_contracts_hold() -> None:
    """The contracts in pyproject.toml's [tool.importlinter]: panel < storage < services < views
    < handlers, no Telegram below views, handlers reach storage through services, no circles.

    In a child process: import-linter's CLI reconfigures logging (dictConfig), which would
    silence every logger of this test process for the tests after it.
    """
    done = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def long_functions(root: Path, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """`path:line name (N lines)` of every function or method under `root` longer than `limit`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > limit:
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_in_bot_is_over_60_lines() -> None:
    too_long = long_functions(REPO / "bot")
    assert not too_long, "split these (at most 60 lines each):\n" + "\n".join(too_long)


def test_the_length_check_sees_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "m.py").write_text(f"@decorator\ndef f():\n{body}\n\ndef g():\n    pass\n")
    found = long_functions(tmp_path)
    assert len(found) == 1 and " f (" in found[0]
