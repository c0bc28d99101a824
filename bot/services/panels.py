"""Builds a panel client for one user's key over the bot's single shared HTTP client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.panel import PanelClient
from bot.panel.client import DEFAULT_MAX_CATALOG_BYTES
from bot.panel.observer import CallObserver


@dataclass(frozen=True, slots=True)
class PanelFactory:
    api_url: str
    http: httpx.AsyncClient
    # Wall-clock budget of one call, retries included (PANEL_TIMEOUT_SECONDS).
    timeout: float
    max_catalog_bytes: int = DEFAULT_MAX_CATALOG_BYTES
    # Told when a call starts and ends (the update processor: "typing…", abandoning reads).
    observer: CallObserver | None = None
    # Raises when this process may no longer call panels (bot/leadership.py's fence).
    gate: Callable[[], None] | None = None

    def client(self, api_key: str) -> PanelClient:
        return PanelClient(
            self.api_url,
            api_key,
            http=self.http,
            timeout=self.timeout,
            max_catalog_bytes=self.max_catalog_bytes,
            observer=self.observer,
            gate=self.gate,
        )
