"""A base for objects that own a connection: `async with` closes them on the way out.

Neutral ground (no Telegram, no SQL, no HTTP) so that storage and the panel client can share it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self


class AsyncClosing:
    """`async with` for an object with an async `close()`: closed on the way out."""

    __slots__ = ()

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
