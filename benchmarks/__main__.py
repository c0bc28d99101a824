"""`python -m benchmarks [all|latency|burst|poll|notify|catalog|footprint|soak|<module>] [--quick]`

`all` (the default) runs the suite in benchmarks/suite.py: prints one table and writes
benchmarks/results.json. A single section name runs only that part of the suite (same table and
results file). Any other name is looked up as the module `benchmarks.<name>` and its
`main(argv)` is called with the remaining arguments, e.g. `python -m benchmarks soak --minutes 10`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from benchmarks import suite

# Sections of the suite; "burst" is measured together with the sustained load (same processes).
_SECTIONS = {name: (name,) for name in suite.SECTIONS} | {"burst": ("latency",)}


def _run_suite(sections: tuple[str, ...], argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=suite.__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, < 3 minutes")
    parser.add_argument("--full", action="store_true", help="10,000 notifications (~6 min more)")
    args = parser.parse_args(argv)
    results = suite.run_suite(sections, quick=args.quick, full=args.full)
    print()
    print(suite.plain(suite.rows(results)))
    print(f"\n{results['total_seconds']:.0f} s; results in {suite.RESULTS}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = "all"
    if args and not args[0].startswith("-"):
        command = args.pop(0)
    if command == "all":
        return _run_suite(suite.SECTIONS, args)
    if command in _SECTIONS:
        return _run_suite(_SECTIONS[command], args)
    # Extension point: `benchmarks/<command>.py` with `main(argv) -> int` (e.g. soak).
    if not command.isidentifier():
        print(f"unknown benchmark {command!r}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(f"benchmarks.{command}")
    except ModuleNotFoundError as exc:
        if exc.name != f"benchmarks.{command}":
            raise
        known = ", ".join(["all", *_SECTIONS])
        print(
            f"unknown benchmark {command!r}; known: {known}, or a benchmarks module",
            file=sys.stderr,
        )
        return 2
    entry = getattr(module, "main", None)
    if entry is None:
        print(f"benchmarks.{command} has no main(argv)", file=sys.stderr)
        return 2
    return int(entry(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
