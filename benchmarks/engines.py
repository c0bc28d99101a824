"""`python -m benchmarks engines [--quick] [--users N] [--runs N]`: 1a on SQLite and PostgreSQL.

Benchmark 1a's sustained load (the real `python -m bot` process, fake Telegram and panel), once
with SQLite and once with PostgreSQL (a local server from `pgserver`, the `test` extra, with
PostgreSQL's default durability), the runs alternating; prints both side by side.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from benchmarks.latency import format_engines, run_engines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks engines", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 users, 1 run per engine")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args(argv)
    users = args.users or (50 if args.quick else 200)
    runs = args.runs or (1 if args.quick else 3)
    print(format_engines(run_engines(users, runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
