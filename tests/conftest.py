from __future__ import annotations

import contextlib
import errno
import gc
import importlib
import importlib.util
import os
import py_compile
import shutil
import site
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.memory import freeze_startup_heap
from bot.storage.db import ENGINES
from tests.e2e.steps import BETA_FIRST_ORDER, beta_services
from tests.fakes.panel import FakePanel
from tests.harness import Harness, running_bot
from tests.pg import PgCluster

# Tests of minutes on a loaded machine, started first, one worker each: found late in the
# collection order (mypy over the whole tree sits at nine tenths of it), one would run alone at
# the end while the other workers stood idle. Not the tests that start bot processes: four of
# them at once on two cores missed their time limits (11 of 30 in a trial), scattered they pass;
# but the failover test (six of them, one after another, and their takeovers: the longest after
# mypy) beside mypy only, on another worker.
HEAVY = ("tests/test_typing.py::", "tests/leadership/test_failover.py::")


def pytest_configure(config: pytest.Config) -> None:
    """Under PYTHONDONTWRITEBYTECODE (as in CI here), let the processes the suite starts (the
    workers, each `python -m bot`, mypy) share compiled modules in a directory of this run:
    every bot process otherwise compiles the bot's modules again (0.3 s of CPU each). The
    checkout stays free of `__pycache__`, which is what that setting asks for."""
    if "workerinput" in config.__dict__ or not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return
    if os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    folder = tempfile.mkdtemp(prefix="smm-bot-pycache-")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    _seed_compiled_modules(Path(folder), Path(config.rootpath))
    config.add_cleanup(_restore_environment(["PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"]))
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = folder


def _seed_compiled_modules(prefix: Path, checkout: Path) -> None:
    """Put in `prefix`, where Python looks for compiled modules once PYTHONPYCACHEPREFIX is set,
    those of every module this process imported (pytest, the bot and its libraries: what every
    worker imports first): without them the workers, all starting at once, and the first bot
    processes compiled the same ~1,300 modules again each, some 3 s of CPU apiece. Installed
    ones are hard-linked from their own `__pycache__`, the bot's compiled here once (the
    checkout keeps no `__pycache__`). What cannot be put there is compiled where it is used."""
    for module in list(sys.modules.values()):
        source = getattr(module, "__file__", None)
        if not isinstance(source, str) or not source.endswith(".py"):
            continue
        path = Path(source)
        target = prefix / path.parent.relative_to(path.anchor) / f"{path.stem}{_PYC_TAG}"
        with contextlib.suppress(OSError, ValueError):
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.is_relative_to(checkout / "bot"):
                py_compile.compile(source, cfile=str(target), doraise=True)
            else:
                _link_or_copy(Path(importlib.util.cache_from_source(source)), target)
    for packages in site.getsitepackages():
        _link_installed_packages(Path(packages), prefix)


def _link_installed_packages(packages: Path, prefix: Path) -> None:
    """Every installed package's compiled modules too, tests aside: the test modules import
    more (hypothesis, matplotlib, playwright: ~430 modules, 1.4 s of CPU to compile) on
    several workers at once. Linking all of them costs ~0.2 s. Links only: where the folder
    is on another filesystem, copying ~9,600 files would cost more than it saves, so the
    rest is compiled where it is used, as before."""
    for folder, subfolders, files in os.walk(packages):
        subfolders[:] = [name for name in subfolders if name not in ("test", "tests")]
        if Path(folder).name != "__pycache__":
            continue
        target = prefix / Path(folder).parent.relative_to(packages.anchor)
        for name in files:
            if not name.endswith(_PYC_TAG) or (target / name).exists():
                continue  # linked (or compiled) already for what the main process imported
            try:
                target.mkdir(parents=True, exist_ok=True)
                os.link(Path(folder, name), target / name)
            except OSError as exc:
                if exc.errno in (errno.EXDEV, errno.EPERM):
                    return


_PYC_TAG = f".{sys.implementation.cache_tag}.pyc"


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link (free), or a copy where the two are on different filesystems."""
    try:
        os.link(source, target)
    except OSError:
        if not source.is_file():
            raise
        shutil.copyfile(source, target)


def _test_files(config: pytest.Config) -> list[str]:
    """The test modules this run collects (its arguments, or testpaths), as paths."""
    found: set[Path] = set()
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0])
        if path.is_dir():
            found.update(path.rglob("test_*.py"))
        elif path.is_file():
            found.add(path)
    return sorted(str(p) for p in found)


def _restore_environment(names: list[str]) -> Callable[[], None]:
    """A function putting the variables `names` back as they are now."""
    saved = {name: os.environ.get(name) for name in names}

    def restore() -> None:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    return restore


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session: pytest.Session) -> Generator[None, None, None]:
    """No garbage collection while the test modules are imported and their asserts rewritten,
    then what collection built is left out of later collections.

    Rewriting builds millions of short-lived syntax nodes, acyclic, freed by reference counting
    as soon as a module is compiled; but their numbers trigger a full collection again and again,
    each looking at the whole heap: ~3 s of CPU per worker. The modules, fixtures and test items
    live until the run ends, so later collections would look at them in vain (bot.memory).
    """
    gc.disable()
    try:
        _import_test_modules_in_turn(session.config)
        yield
    finally:
        gc.enable()
        freeze_startup_heap()


def _import_test_modules_in_turn(config: pytest.Config) -> None:
    """Each worker imports the test modules starting at its own share of them, wrapping round.

    Importing a test module has pytest rewrite its asserts and compile it (~8 s of CPU for all
    from a fresh clone), and writes the result to PYTHONPYCACHEPREFIX (pytest_configure). In the
    same order, every worker would rewrite every module side by side; started apart, each
    rewrites about its own share and finds the rest written by the others. Collection, which
    follows, finds the modules imported: the items and their order do not change. Only the
    default import mode's module names ("tests.e2e.test_x") are known here; a module that
    fails to import is left to collection, which reports it.
    """
    worker = getattr(config, "workerinput", None)
    if worker is None or config.getoption("importmode") != "prepend":
        return
    files = _test_files(config)
    start = len(files) * int(worker["workerid"].removeprefix("gw")) // int(worker["workercount"])
    root = Path(config.rootpath)
    for file in files[start:] + files[:start]:
        try:
            importlib.import_module(".".join(Path(file).relative_to(root).with_suffix("").parts))
        except (Exception, pytest.skip.Exception):
            continue


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the HEAVY tests at the start of each worker's first share of the collection.

    pytest-xdist's worksteal hands each of the n workers one contiguous share at the start
    (the k-th: what is left divided by n - k) and later steals from the shares' ends, so the
    first tests of a share run first on that worker. Every worker collects, and reorders the
    same way; without workers nothing moves.
    """
    workers = int(getattr(config, "workerinput", {}).get("workercount", 0))
    if workers < 2:
        return

    def rank(item: pytest.Item) -> int:
        """The place in HEAVY; len(HEAVY) for any other test."""
        return next((i for i, p in enumerate(HEAVY) if item.nodeid.startswith(p)), len(HEAVY))

    heavy = sorted((i for i in items if rank(i) < len(HEAVY)), key=rank)
    rest = [i for i in items if rank(i) == len(HEAVY)]
    shares: list[list[pytest.Item]] = [heavy[w::workers] for w in range(workers)]
    left = len(items)
    for w, share in enumerate(shares):
        size = left // (workers - w)
        left -= size
        take = max(0, size - len(share))
        share.extend(rest[:take])
        del rest[:take]
    items[:] = [item for share in shares for item in share] + rest


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL server per worker process (pytest-xdist runs several: the servers share
    nothing, and talk over a Unix socket in their own directory, so no port is raced for),
    started on the worker's first PostgreSQL test only.

    Its data directory is not under pytest's basetemp: a concurrent pytest run (as the same
    user) prunes older basetemp directories, and would delete a running server's files.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    cluster = PgCluster(Path(tempfile.mkdtemp(prefix=f"smm-bot-pg-{worker}-")))
    try:
        yield cluster
    finally:
        cluster.stop()


# Both by default (the README's command); `TEST_ENGINES=sqlite` for a quicker local run.
TEST_ENGINES = [e for e in os.environ.get("TEST_ENGINES", ",".join(ENGINES)).split(",") if e]


@pytest.fixture(params=TEST_ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each test that uses it runs once per storage engine."""
    return str(request.param)


@pytest.fixture
async def database(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Path | str]:
    """What `Storage.open` takes: a fresh SQLite file path, or a fresh PostgreSQL database URL
    (already migrated; without any table for a test marked `tests.pg.EMPTY_DATABASE`)."""
    if engine == "sqlite":
        yield tmp_path / "data" / "bot.sqlite3"
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    empty = request.node.get_closest_marker("empty_database") is not None  # tests.pg
    async with cluster.database(empty=empty) as url:
        yield url


def database_settings(database: Path | str) -> dict[str, Any]:
    """`running_bot` overrides that put the bot on `database` (SQLite: the harness's file)."""
    return {} if isinstance(database, Path) else {"database_url": database}


@pytest.fixture
async def bot(
    tmp_path: Path, database: Path | str, request: pytest.FixtureRequest
) -> AsyncIterator[Harness]:
    """The bot running against fresh fakes, allowlist mode, one admin (tests.harness.ADMIN_ID),
    once per storage engine (`@SQLITE_ONLY` from tests.pg for a test about the SQLite file);
    its menus and descriptions published for a test marked `tests.harness.PUBLISH_PROFILE`."""
    publish = request.node.get_closest_marker("publish_profile") is not None
    async with running_bot(
        tmp_path, publish_profile=publish, **database_settings(database)
    ) as harness:
        yield harness


@pytest.fixture
async def beta() -> AsyncIterator[FakePanel]:
    async with FakePanel(
        beta_services(), currency="EUR", first_order_id=BETA_FIRST_ORDER, first_refill_id=700
    ) as fake:
        yield fake


@pytest.fixture
async def two(tmp_path: Path, beta: FakePanel, database: Path | str) -> AsyncIterator[Harness]:
    """The bot with PANEL_API_URL's panel (the harness's fake) and a preset "Beta", once per
    storage engine (tests.e2e.steps: KEY_A, KEY_B, link_beta…)."""
    async with running_bot(
        tmp_path,
        panels=f"Beta={beta.url}",
        allow_custom_panels=True,
        allow_private_panels=True,
        **database_settings(database),
    ) as harness:
        yield harness
