"""A fake of the widely copied classic PHP panel script (issue 20), on top of `FakePanel`.

Same orders, keys, faults and request log as `FakePanel`; only the API differs, as the classic
script's does:
- `status` knows only `order=`; a list in `orders=` answers
  `{"error": "Order not found.", "status": "104"}`;
- `add_bulk`, `refill`, `refill_status`, `cancel` and unknown actions answer HTTP 200 `null`;
- numbers are JSON numbers (`"rate": 1.25`, `"min": 100`, `"balance": 100.84`, `"charge": 0.25`);
- `add` answers `{"status": 100, "order": "1"}`;
- statuses are stored words such as `Inprogress`;
- errors carry a `status` code, a string for some (`"102"`) and a number for others;
- `services` has no `refill`, `cancel` or `dripfeed` fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tests.fakes.panel import FakeOrder, FakePanel, _Rejected, money

__all__ = ["CLASSIC_FIRST_ORDER", "ClassicPanel"]

CLASSIC_FIRST_ORDER = 1
ORDER_NOT_FOUND = {"error": "Order not found.", "status": "104"}
# Flags the classic script's `services` never sends.
_UNSTATED_FLAGS = frozenset({"refill", "cancel", "dripfeed"})
# The script stores statuses as words without spaces.
_STORED_WORDS = {"In progress": "Inprogress"}
# A Decimal travels as this marker string until `encode` writes it as a bare JSON number.
_NUMBER_MARK = "\x00number:"
_MARKED = re.compile(r'"\\u0000number:(-?[0-9.]+)"')


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _NUMBER_MARK + format(value, "f")
    if isinstance(value, Mapping):
        return {k: _marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v) for v in value]
    return value


class ClassicPanel(FakePanel):
    """See the module docstring; order ids start at 1 as on a fresh install of the script."""

    def __init__(self, services: list[dict[str, Any]] | None = None, **kw: Any) -> None:
        kw.setdefault("first_order_id", CLASSIC_FIRST_ORDER)
        super().__init__(services, **kw)

    def encode(self, payload: Any) -> str:
        return _MARKED.sub(r"\1", json.dumps(_marked(payload)))

    def dispatch(self, params: Mapping[str, Any]) -> Any:
        key = params.get("key")
        if key is None or str(key) not in self._accounts:
            return {"error": "Invalid API key", "status": "101"}
        handlers = {
            "services": self._act_services,
            "add": self._act_add,
            "status": self._act_status,
            "balance": self._act_balance,
        }
        handler = handlers.get(str(params.get("action")))
        # add_bulk, refill, refill_status, cancel and anything else: the script's `null`.
        return None if handler is None else handler(str(key), params)

    def _act_services(self, key: str, params: Mapping[str, Any]) -> Any:
        out: list[dict[str, Any]] = []
        for raw in self._services_raw:
            service = {k: v for k, v in raw.items() if k not in _UNSTATED_FLAGS}
            service["rate"] = Decimal(str(raw["rate"]))
            out.append(service)
        return out

    def _act_balance(self, key: str, params: Mapping[str, Any]) -> Any:
        account = self._accounts[key]
        return {"status": 100, "balance": account.balance, "currency": account.currency}

    def _act_add(self, key: str, params: Mapping[str, Any]) -> Any:
        try:
            draft = self._validate(params)
        except _Rejected as exc:
            return {"error": str(exc), "status": "102"}
        if draft.charge > self._accounts[key].balance:
            # A number this time: the script is not consistent about it.
            return {"error": "Not enough funds on balance", "status": 103}
        return {"status": 100, "order": str(self._place(key, draft))}

    def _status_of(self, order: FakeOrder) -> dict[str, Any]:
        return {
            "charge": Decimal(money(order.charge, 2)),
            "start_count": order.start_count,
            "status": _STORED_WORDS.get(order.status, order.status),
            "remains": order.remains,
            "currency": self._accounts[order.key].currency,
        }

    def _act_status(self, key: str, params: Mapping[str, Any]) -> Any:
        # The script reads `order` only: a list in `orders` leaves it looking for no order.
        order = self._own_order(key, str(params.get("order", "")))
        return self._status_of(order) if order is not None else dict(ORDER_NOT_FOUND)
