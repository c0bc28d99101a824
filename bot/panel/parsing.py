"""Pure parsers: panel response (bytes or decoded JSON) → models.

Every function here raises only `PanelError` subclasses, whatever the input: real panels send
numbers as strings, extra fields, HTML error pages and half-broken JSON, and a hostile or buggy
panel must not be able to crash the bot with a `KeyError` or a 4000-digit integer.

Conventions:
- a body `{"error": msg}` raises the classified `PanelRejected` (see `classify_error`);
- anything that is not the expected shape raises `PanelUnavailable` with a short message that
  names the problem but never echoes the body;
- per-item problems inside multi answers become per-item values, not exceptions.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from bot.panel.durations import parse_average_time
from bot.panel.errors import (
    InsufficientBalance,
    InvalidApiKey,
    PanelRejected,
    PanelUnavailable,
    UnreadableBalance,
)
from bot.panel.models import (
    Balance,
    CancelResult,
    OrderStatus,
    RefillResult,
    RefillState,
    RefillStatus,
    Service,
    Status,
)

_Value = TypeVar("_Value")
logger = logging.getLogger(__name__)

# Panel texts end up in user-facing messages and logs; keep them bounded.
MAX_MESSAGE_LEN = 300
# Ids are database keys; anything past 64-bit is garbage, and bounding the digit count keeps
# `int()`/`Decimal()` cheap on hostile input.
_MAX_ID = 2**63 - 1
_INT_RE = re.compile(r"[+-]?\d{1,19}")
_DECIMAL_RE = re.compile(r"[+-]?(?:\d{1,20}(?:\.\d{0,20})?|\.\d{1,20})")
_COMMA_DECIMAL_RE = re.compile(r"[+-]?\d{1,20},\d{1,20}")
_MAX_MONEY = Decimal(10) ** 18
# How much of a value we cannot read is quoted back to the user.
_SHOWN_CHARS = 40

_TRUE_WORDS = frozenset({"1", "true", "yes", "y", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "n", "off", ""})

_STATUS_WORDS: dict[str, Status] = {
    "pending": Status.PENDING,
    "inprogress": Status.IN_PROGRESS,
    "processing": Status.PROCESSING,
    "completed": Status.COMPLETED,
    "complete": Status.COMPLETED,
    "partial": Status.PARTIAL,
    "canceled": Status.CANCELED,
    "cancelled": Status.CANCELED,
    "refunded": Status.REFUNDED,
    "error": Status.ERROR,
    "fail": Status.ERROR,
    "failed": Status.ERROR,
}

_REFILL_WORDS: dict[str, RefillState] = {
    "completed": RefillState.COMPLETED,
    "complete": RefillState.COMPLETED,
    # The spec's multi-refill example spells a created refill "success".
    "success": RefillState.COMPLETED,
    "pending": RefillState.PENDING,
    "inprogress": RefillState.PENDING,
    "processing": RefillState.PENDING,
    "rejected": RefillState.REJECTED,
    "reject": RefillState.REJECTED,
    "error": RefillState.REJECTED,
    "fail": RefillState.REJECTED,
    "failed": RefillState.REJECTED,
    "canceled": RefillState.REJECTED,
    "cancelled": RefillState.REJECTED,
}

_INVALID_KEY_RE = re.compile(
    r"unauthori[sz]ed"
    r"|\b(?:invalid|incorrect|wrong|bad|unknown)\s+(?:api[\s_-]*)?key\b"
    r"|\b(?:api[\s_-]*)?key\s+(?:is\s+)?(?:invalid|incorrect|wrong|not\s+valid|not\s+found)"
    r"|api\s*anahtar\w*\s+(?:geçersiz|hatalı)",
    re.IGNORECASE,
)
_FUNDS_RE = re.compile(
    r"insufficient\s+(?:balance|funds)|not\s+enough\s+(?:funds|balance|money)"
    r"|low\s+balance|yetersiz\s+bakiye|bakiye(?:niz)?\s+yetersiz",
    re.IGNORECASE,
)
_REQUIRED_RE = re.compile(r"required\s*:?\s*\$?\s*([0-9]{1,20}(?:[.,][0-9]{1,20})?)", re.I)
_AVAILABLE_RE = re.compile(r"available\s*:?\s*\$?\s*(-?[0-9]{1,20}(?:[.,][0-9]{1,20})?)", re.I)
_UNKNOWN_ACTION_RE = re.compile(
    r"incorrect\s+request|invalid\s+action|unknown\s+action|incorrect\s+action"
    r"|action\s+(?:is\s+)?(?:not\s+(?:found|supported|allowed)|invalid)|unsupported\s+action",
    re.IGNORECASE,
)


class Malformed(PanelUnavailable):
    """A value inside an answer does not have the expected shape (kept internal-ish)."""


# --------------------------------------------------------------------------- primitives


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


def decode_json(body: bytes | bytearray | str) -> Any:
    """Decode a response body; non-JSON (HTML pages, truncated JSON) → `PanelUnavailable`.

    Floats decode as `Decimal` so money never passes through binary floating point.
    """
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError, TypeError):
        raise PanelUnavailable(f"panel answered with non-JSON ({body_hint(body)})") from None


def body_hint(body: bytes | bytearray | str) -> str:
    """A short description of a body that is safe to log: kind and size, never the content."""
    raw = body.encode("utf-8", "replace") if isinstance(body, str) else bytes(body)
    head = raw[:64].lstrip().lower()
    if not raw.strip():
        kind = "empty body"
    elif head.startswith((b"<!doctype", b"<html", b"<")):
        kind = "HTML/XML"
    elif head.startswith((b"{", b"[")):
        kind = "broken JSON"
    else:
        kind = "text"
    return f"{kind}, {len(raw)} bytes"


def clean_message(value: Any) -> str:
    """Turn a panel's error value into a bounded, printable one-line message."""
    # Iterative: a hostile `{"error": {"error": …}}` nesting must not hit the recursion limit.
    while isinstance(value, Mapping) and "error" in value:
        value = value["error"]
    if isinstance(value, str):
        text = value
    elif value is None:
        text = "unspecified error"
    else:
        try:
            text = json.dumps(value, default=str)
        except (ValueError, TypeError, RecursionError):
            text = "unreadable error"
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if len(text) > MAX_MESSAGE_LEN:
        text = text[: MAX_MESSAGE_LEN - 1] + "…"
    return text or "unspecified error"


def parse_amount(text: str) -> Decimal | None:
    """Decimal from a number found in a panel message ("15.500000" or Turkish "15,5")."""
    try:
        return to_decimal(text)
    except Malformed:
        return None


def classify_error(value: Any) -> PanelRejected:
    """Map a panel error text to the most specific `PanelRejected` subclass."""
    message = clean_message(value)
    if _INVALID_KEY_RE.search(message):
        return InvalidApiKey(message)
    if _FUNDS_RE.search(message):
        required = available = None
        if m := _REQUIRED_RE.search(message):
            required = parse_amount(m.group(1))
        if m := _AVAILABLE_RE.search(message):
            available = parse_amount(m.group(1))
        return InsufficientBalance(message, required=required, available=available)
    return PanelRejected(message)


def is_unknown_action(exc: PanelRejected) -> bool:
    """True when the panel's whole answer says it does not know the action (e.g. add_bulk)."""
    return not isinstance(exc, InvalidApiKey | InsufficientBalance) and bool(
        _UNKNOWN_ACTION_RE.search(exc.message_text)
    )


def error_of(data: Any) -> PanelRejected | None:
    """The classified error when `data` is an error object (`{"error": ...}`), else None; the
    code beside it (`"status": "104"` or `104`, as the classic panel script sends) is kept."""
    if isinstance(data, Mapping) and "error" in data and data["error"] not in (None, "", False):
        error = classify_error(data["error"])
        error.code = _error_code(data.get("status"))
        return error
    return None


def _error_code(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        return value.strip()
    return None


def raise_for_error(data: Any) -> None:
    if (err := error_of(data)) is not None:
        raise err


def _load(data: Any) -> Any:
    """Accept raw bytes or already-decoded JSON, and raise a top-level `{"error": ...}`."""
    if isinstance(data, bytes | bytearray):
        data = decode_json(data)
    raise_for_error(data)
    return data


def to_int(value: Any, what: str = "number") -> int:
    """Integer from an int, an integral Decimal/float, or a numeric string ("3572", "100.0")."""
    if isinstance(value, bool):
        raise Malformed(f"{what}: boolean where a number was expected")
    if isinstance(value, int):
        result = value
    elif isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        result = int(value.strip())
    elif isinstance(value, str | float | Decimal):
        dec = to_decimal(value, what)
        if dec != dec.to_integral_value():
            raise Malformed(f"{what}: not a whole number")
        result = int(dec)
    else:
        raise Malformed(f"{what}: expected a number, got {type(value).__name__}")
    if abs(result) > _MAX_ID:
        raise Malformed(f"{what}: out of range")
    return result


def to_decimal(value: Any, what: str = "amount") -> Decimal:
    """Exact Decimal from a number or numeric string; never via binary float text for strings."""
    if isinstance(value, bool):
        raise Malformed(f"{what}: boolean where an amount was expected")
    try:
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, int):
            if abs(value) > _MAX_MONEY:
                raise Malformed(f"{what}: out of range")
            result = Decimal(value)
        elif isinstance(value, float):
            # repr() gives the shortest text that round-trips, i.e. what the panel wrote.
            result = Decimal(repr(value))
        elif isinstance(value, str):
            text = value.strip()
            if _COMMA_DECIMAL_RE.fullmatch(text):
                text = text.replace(",", ".")
            if not _DECIMAL_RE.fullmatch(text):
                raise Malformed(f"{what}: not a number")
            result = Decimal(text)
        else:
            raise Malformed(f"{what}: expected an amount, got {type(value).__name__}")
        if not result.is_finite() or abs(result) > _MAX_MONEY:
            raise Malformed(f"{what}: out of range")
        # JSON "1e2" decodes as Decimal("1E+2"); show it as plain digits like the panel meant.
        # (Strings never carry an exponent: the regex above refuses them.)
        if not isinstance(value, str):
            exponent = result.as_tuple().exponent
            if isinstance(exponent, int) and exponent > 0:
                result = result.quantize(Decimal(1))
        return result
    except (InvalidOperation, ValueError, OverflowError):
        raise Malformed(f"{what}: not a number") from None


def to_bool(value: Any) -> bool | None:
    """true/1/"1"/"true"/"yes" → True; false/0/"0"/"no"/"" → False; anything else → None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0 if value in (0, 1) else None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def _text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    raise Malformed(f"{what}: expected text, got {type(value).__name__}")


def _optional(
    mapping: Mapping[str, Any], key: str, convert: Callable[[Any, str], _Value]
) -> _Value | None:
    """The value under `key`, converted; None when it is absent, empty or unreadable."""
    value = mapping.get(key)
    if value is None or value == "":
        return None
    try:
        return convert(value, key)
    except Malformed:
        return None


def _optional_int(mapping: Mapping[str, Any], key: str) -> int | None:
    return _optional(mapping, key, to_int)


def _optional_decimal(mapping: Mapping[str, Any], key: str) -> Decimal | None:
    return _optional(mapping, key, to_decimal)


def _status_word(raw: str) -> str:
    return re.sub(r"[\s_\-]+", "", raw.strip().lower())


def map_status(raw: Any) -> Status:
    """Case-insensitive, spacing-insensitive: "In progress", "inprogress", "in_progress" …"""
    if not isinstance(raw, str):
        return Status.UNKNOWN
    return _STATUS_WORDS.get(_status_word(raw), Status.UNKNOWN)


def map_refill_state(raw: Any) -> RefillState:
    if not isinstance(raw, str):
        return RefillState.UNKNOWN
    return _REFILL_WORDS.get(_status_word(raw), RefillState.UNKNOWN)


def _raw_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else clean_message(value)


def _id_keyed(data: Mapping[Any, Any]) -> dict[int, Any] | None:
    """`{"12": …, "13": …}` → {12: …, 13: …}; None when some key is not an id."""
    out: dict[int, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str | int) or isinstance(key, bool):
            return None
        try:
            out[to_int(key, "id")] = value
        except Malformed:
            return None
    return out


def _entries(data: Any, count: int, ids: Sequence[int], what: str) -> list[Any]:
    """Answer entries aligned with `ids` for list or index/id-keyed answers; None = missing."""
    if isinstance(data, list):
        entries: list[Any] = list(data[:count])
        return entries + [None] * (count - len(entries))
    if isinstance(data, Mapping):
        keyed = _id_keyed(data)
        if keyed is not None:
            if keyed and set(keyed) <= set(ids):
                return [keyed.get(i) for i in ids]
            if keyed and set(keyed) <= set(range(count)):
                return [keyed.get(i) for i in range(count)]
    raise PanelUnavailable(f"{what}: unexpected answer shape")


# --------------------------------------------------------------------------- services


def parse_service(item: Any) -> Service:
    """One catalog entry; raises `Malformed` (a `PanelUnavailable`) when it is unusable."""
    if not isinstance(item, Mapping):
        raise Malformed("service entry is not an object")
    sid = item.get("service", item.get("id"))
    if sid is None:
        raise Malformed("service entry without id")
    service_id = to_int(sid, "service id")
    name = _text(item.get("name"), "service name")
    rate = to_decimal(item.get("rate"), "rate")
    low = to_int(item.get("min"), "min")
    high = to_int(item.get("max"), "max")
    if service_id <= 0 or not name or rate < 0 or low < 0 or high < low:
        raise Malformed("service entry has impossible values")
    stype = item.get("type")
    category = item.get("category")
    description = item.get("description", item.get("desc"))
    average_minutes, average_text = parse_average_time(item.get("average_time"))
    return Service(
        id=service_id,
        name_text=name,
        type=_text(stype, "type") if stype not in (None, "") else "Default",
        category_text=_text(category, "category") if category is not None else "",
        rate=rate,
        min=low,
        max=high,
        # A flag the panel does not send is "not stated" (None), which is not "no": the
        # classic panel script sends none, and its answer to the request then decides.
        refill=to_bool(item["refill"]) is True if "refill" in item else None,
        cancel=to_bool(item["cancel"]) is True if "cancel" in item else None,
        dripfeed=to_bool(item["dripfeed"]) if "dripfeed" in item else None,
        description_text=(description.strip() or None) if isinstance(description, str) else None,
        average_minutes=average_minutes,
        average_words=average_text,
    )


def parse_services(data: Any) -> list[Service]:
    """The catalog; malformed entries are skipped with a WARNING, a non-list is an error."""
    data = _load(data)
    if not isinstance(data, list):
        raise PanelUnavailable("services: expected a list of services")
    services: list[Service] = []
    seen: set[int] = set()
    skipped = 0
    for position, item in enumerate(data):
        try:
            service = parse_service(item)
        except PanelUnavailable as exc:
            skipped += 1
            if skipped <= 5:
                logger.warning("skipping catalog entry #%d: %s", position, exc)
            continue
        if service.id in seen:
            skipped += 1
            continue
        seen.add(service.id)
        services.append(service)
    if skipped > 5:
        logger.warning("skipped %d malformed catalog entries in total", skipped)
    return services


# --------------------------------------------------------------------------- orders


def parse_order_id(data: Any) -> int:
    """`{"order": 23501}` (add)."""
    data = _load(data)
    if not isinstance(data, Mapping) or "order" not in data:
        raise PanelUnavailable("add: answer has no order id")
    order_id = to_int(data["order"], "order id")
    if order_id <= 0:
        raise Malformed("add: order id out of range")
    return order_id


def parse_bulk_item(value: Any) -> tuple[int | None, str | None]:
    """One add_bulk entry → (order_id, None) or (None, error); Malformed when neither."""
    if isinstance(value, Mapping):
        if "order" in value and value["order"] is not None:
            order_id = to_int(value["order"], "order id")
            if order_id > 0:
                return order_id, None
        if (err := error_of(value)) is not None:
            return None, err.message_text
    raise Malformed("add_bulk: unreadable entry")


def parse_bulk(data: Any, count: int) -> list[tuple[int | None, str | None] | None]:
    """add_bulk answer for `count` items: per item (order_id, error), or None when the panel said
    nothing readable about that item (the caller must treat its outcome as unknown)."""
    data = _load(data)
    entries = _entries(data, count, list(range(count)), "add_bulk")
    out: list[tuple[int | None, str | None] | None] = []
    for entry in entries:
        try:
            out.append(parse_bulk_item(entry))
        except PanelUnavailable:
            out.append(None)
    return out


def _status_from(entry: Mapping[str, Any]) -> OrderStatus:
    raw = entry.get("status")
    if raw is None:
        raise Malformed("status: entry has no status")
    raw_text = _raw_text(raw)
    currency = entry.get("currency")
    return OrderStatus(
        status=map_status(raw),
        raw_status_text=raw_text,
        charge=_optional_decimal(entry, "charge"),
        start_count=_optional_int(entry, "start_count"),
        remains=_optional_int(entry, "remains"),
        currency_text=(currency.strip() or None) if isinstance(currency, str) else None,
    )


def parse_status(data: Any) -> OrderStatus:
    """Single `status` answer."""
    data = _load(data)
    if not isinstance(data, Mapping):
        raise PanelUnavailable("status: expected an object")
    return _status_from(data)


def parse_statuses(data: Any, order_ids: Sequence[int]) -> dict[int, OrderStatus | PanelRejected]:
    """Multi `status` answer keyed by order id; every requested id gets a value."""
    data = _load(data)
    if not isinstance(data, Mapping):
        # Malformed, not only unavailable: the client then asks `order=` (capabilities.py).
        raise Malformed("status: expected an object keyed by order id")
    if len(order_ids) == 1 and "status" in data:
        # Some panels answer a one-id multi query in the single-order shape.
        return {order_ids[0]: _status_from(data)}
    keyed = _id_keyed(data)
    if keyed is None:
        raise Malformed("status: answer keys are not order ids")
    out: dict[int, OrderStatus | PanelRejected] = {}
    for order_id in order_ids:
        entry = keyed.get(order_id)
        if entry is None:
            out[order_id] = PanelRejected("panel returned no status for this order")
        elif (err := error_of(entry)) is not None:
            out[order_id] = err
        elif isinstance(entry, Mapping):
            try:
                out[order_id] = _status_from(entry)
            except PanelUnavailable:
                out[order_id] = PanelRejected("unreadable status entry")
        else:
            out[order_id] = PanelRejected("unreadable status entry")
    return out


# --------------------------------------------------------------------------- refills


def _refill_from(entry: Any, order_id: int) -> RefillResult:
    if entry is None:
        return RefillResult(
            order_id, None, RefillState.UNKNOWN, "", error="panel gave no answer for this order"
        )
    if not isinstance(entry, Mapping):
        return RefillResult(order_id, None, RefillState.UNKNOWN, "", error="unreadable answer")
    refill = entry.get("refill")
    # The spec's PHP sample reads `refill.error` for failed items.
    if (err := error_of(refill)) is not None or (err := error_of(entry)) is not None:
        return RefillResult(
            order_id,
            None,
            RefillState.REJECTED,
            _raw_text(entry.get("status")),
            error=err.message_text,
        )
    raw = _raw_text(entry.get("status"))
    refill_id: int | None = None
    if refill not in (None, "", 0, "0", False):
        try:
            refill_id = to_int(refill, "refill id")
        except Malformed:
            return RefillResult(order_id, None, RefillState.UNKNOWN, raw, error="unreadable answer")
    state = map_refill_state(raw) if raw else RefillState.UNKNOWN
    if refill_id is None:
        if state is RefillState.UNKNOWN and not raw:
            return RefillResult(order_id, None, state, raw, error="unreadable answer")
        # `{"refill": null, "status": "rejected"}` is how the spec says "not created".
        return RefillResult(order_id, None, RefillState.REJECTED, raw, error=raw or "rejected")
    error = f"refill {raw}" if state is RefillState.REJECTED else None
    return RefillResult(order_id, refill_id, state, raw, error=error)


def parse_refill(data: Any, order_id: int) -> RefillResult:
    """Single `refill` answer. A plain `{"error": …}` is returned as a rejected result; an
    invalid key still raises `InvalidApiKey` because it is not about this order."""
    if isinstance(data, bytes | bytearray):
        data = decode_json(data)
    err = error_of(data)
    if isinstance(err, InvalidApiKey):
        raise err
    if not isinstance(data, Mapping) or ("refill" not in data and err is None):
        raise PanelUnavailable("refill: unexpected answer shape")
    result = _refill_from(data, order_id)
    if result.state is RefillState.UNKNOWN and result.refill_id is None:
        raise PanelUnavailable("refill: unreadable answer")
    return result


def parse_refills(data: Any, order_ids: Sequence[int]) -> list[RefillResult]:
    """Multi `refill` answer: an array in input order (paired by position unless every entry
    names its order), one result per requested id."""
    data = _load(data)
    ids = list(order_ids)
    if isinstance(data, list) and len(data) == len(ids):
        named = [_optional_int(e, "order") if isinstance(e, Mapping) else None for e in data]
        # Position is the contract, but when every entry names a distinct requested order that
        # is stronger evidence (some panels drop or reorder entries).
        if set(named) == set(ids) and len(set(named)) == len(ids):
            by_order = dict(zip(named, data, strict=True))
            return [_refill_from(by_order.get(i), i) for i in ids]
    entries = _entries(data, len(ids), ids, "refill")
    return [_refill_from(entry, i) for entry, i in zip(entries, ids, strict=True)]


def _refill_status_from(entry: Mapping[str, Any], refill_id: int | None) -> RefillStatus:
    if "status" not in entry:
        raise Malformed("refill_status: entry has no status")
    raw = _raw_text(entry["status"])
    return RefillStatus(state=map_refill_state(raw), raw_status_text=raw, refill_id=refill_id)


def parse_refill_status(data: Any, refill_id: int | None = None) -> RefillStatus:
    """Single `refill_status` answer (`{"refill": "23", "status": "completed"}`)."""
    data = _load(data)
    if not isinstance(data, Mapping):
        raise PanelUnavailable("refill_status: expected an object")
    own = _optional_int(data, "refill")
    return _refill_status_from(data, own if own is not None else refill_id)


def parse_refill_statuses(
    data: Any, refill_ids: Sequence[int]
) -> dict[int, RefillStatus | PanelRejected]:
    """Multi `refill_status` answer; paired by the `refill` field when present, else position."""
    data = _load(data)
    ids = list(refill_ids)
    wanted = set(ids)
    out: dict[int, RefillStatus | PanelRejected] = {}
    if isinstance(data, list):
        for position, entry in enumerate(data):
            if not isinstance(entry, Mapping):
                continue
            own = _optional_int(entry, "refill")
            rid = own if own in wanted else (ids[position] if position < len(ids) else None)
            if rid is None or rid in out:
                continue
            out[rid] = _refill_status_value(entry, rid)
    elif isinstance(data, Mapping):
        if len(ids) == 1 and "status" in data:
            out[ids[0]] = _refill_status_value(data, ids[0])
        else:
            keyed = _id_keyed(data)
            if keyed is None or not set(keyed) <= wanted:
                raise PanelUnavailable("refill_status: unexpected answer shape")
            for rid, entry in keyed.items():
                out[rid] = (
                    _refill_status_value(entry, rid)
                    if isinstance(entry, Mapping)
                    else PanelRejected("unreadable refill status entry")
                )
    else:
        raise PanelUnavailable("refill_status: unexpected answer shape")
    return {
        rid: out.get(rid, PanelRejected("panel returned no status for this refill")) for rid in ids
    }


def _refill_status_value(entry: Mapping[str, Any], rid: int) -> RefillStatus | PanelRejected:
    if (err := error_of(entry)) is not None:
        return err
    try:
        return _refill_status_from(entry, rid)
    except PanelUnavailable:
        return PanelRejected("unreadable refill status entry")


# --------------------------------------------------------------------------- cancel, balance


def _cancel_from(entry: Any, order_id: int) -> CancelResult:
    if entry is None:
        return CancelResult(order_id, False, error="panel gave no answer for this order")
    if not isinstance(entry, Mapping):
        return CancelResult(order_id, False, error="unreadable answer")
    value = entry.get("cancel")
    if (err := error_of(value)) is not None or (err := error_of(entry)) is not None:
        return CancelResult(order_id, False, error=err.message_text)
    if to_bool(value) is True:
        return CancelResult(order_id, True)
    if to_bool(value) is False:
        return CancelResult(order_id, False, error="panel refused to cancel")
    return CancelResult(order_id, False, error="unreadable answer")


def parse_cancel(data: Any, order_ids: Sequence[int]) -> list[CancelResult]:
    """`cancel` answer: `[{"order": 9, "cancel": {"error": …}}, {"order": 2, "cancel": 1}]`,
    paired by the `order` field when present, else by position."""
    data = _load(data)
    ids = list(order_ids)
    if isinstance(data, list):
        by_order: dict[int, Any] = {}
        for entry in data:
            own = _optional_int(entry, "order") if isinstance(entry, Mapping) else None
            if own is not None and own in ids:
                by_order.setdefault(own, entry)
        if by_order:
            return [_cancel_from(by_order.get(i), i) for i in ids]
    entries = _entries(data, len(ids), ids, "cancel")
    return [_cancel_from(e, i) for e, i in zip(entries, ids, strict=True)]


def parse_balance(data: Any) -> Balance:
    """`{"balance": "100.84", "currency": "USD"}`; a missing currency becomes ""."""
    data = _load(data)
    if not isinstance(data, Mapping) or "balance" not in data:
        raise PanelUnavailable("balance: answer has no balance")
    raw = data["balance"]
    try:
        amount = to_decimal(raw, "balance")
    except Malformed:
        shown = raw if isinstance(raw, str) else str(raw)
        raise UnreadableBalance(shown[:_SHOWN_CHARS]) from None
    currency = data.get("currency")
    return Balance(
        amount=amount, currency_text=currency.strip() if isinstance(currency, str) else ""
    )
