"""Helpers the storage tests share with tests elsewhere (issue 22: never from a test module)."""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path


def migrations_before_panels(folder: Path) -> Path:
    """A folder with the migrations the bot had before several panels (0001-0005)."""
    folder.mkdir()
    with as_file(files("bot.storage").joinpath("migrations")) as packaged:
        for path in sorted(Path(packaged).glob("*.sql")):
            if int(path.name[:4]) < 6:
                shutil.copy(path, folder)
    return folder
