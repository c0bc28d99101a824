"""Quick answers offered as buttons at the order dialog's questions. No Telegram in here.

The quantity question offers the service's minimum, 1,000, 5,000, 10,000 and its maximum:
only the ones its own validator takes, so a button never offers what a typed answer would
be refused for (the range, and any step rule the validator checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.panel.models import Service
from bot.services.order_types import FieldSpec
from bot.services.validation import InputError

ROUND_QUANTITIES = (1_000, 5_000, 10_000)
# Quick answers for the drip-feed interval, in minutes (the chat's buttons and the Mini App's).
QUICK_INTERVALS = (15, 30, 60, 120)


def quick_quantities(spec: FieldSpec, service: Service, values: Mapping[str, Any]) -> list[int]:
    """min, 1K, 5K, 10K, max: those `spec` accepts for `service`, ascending, each once."""
    found: list[int] = []
    for amount in sorted({service.min, *ROUND_QUANTITIES, service.max}):
        try:
            taken = spec.parse(str(amount), service, dict(values))
        except InputError:
            continue
        if taken == amount:
            found.append(amount)
    return found
