"""Builds a panel client for one user's key over the bot's single shared HTTP client."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bot.panel import PanelClient


@dataclass(frozen=True, slots=True)
class PanelFactory:
    api_url: str
    http: httpx.AsyncClient
    timeout: float

    def client(self, api_key: str) -> PanelClient:
        return PanelClient(self.api_url, api_key, http=self.http, timeout=self.timeout)
