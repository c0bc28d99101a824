"""How the panel client tells its caller that a request is in flight, without knowing who asks.

The bot's update processor implements `CallObserver`: while a read is in flight for a user it
may show "typing…" and may abandon the read for a newer command; a write is never abandoned.
The panel layer only reports; it knows nothing of Telegram.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol


class CallObserver(Protocol):
    def panel_call(self, action: str, *, idempotent: bool) -> AbstractContextManager[None]:
        """Entered before the first byte of a call is sent, left when its last retry is over.

        `idempotent` is True for reads (services, status, refill_status, balance): repeating
        or abandoning them changes nothing on the panel.
        """
        ...
