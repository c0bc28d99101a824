"""Ways a real panel misbehaves, for `FakePanel.inject`.

A fault with `after=True` lets the action happen first and only then breaks the answer: that is
how an order gets placed while the client sees a failure ("outcome unknown"). `trickle` and
`oversized` always perform the action: only the way its answer travels is broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal[
    "latency",
    "timeout",
    "http_500",
    "html_200",
    "malformed_json",
    "drop_connection",
    "null_200",
    "numbers_not_strings",
    "unknown_fields",
    "hang",
    "trickle",
    "oversized",
]

# Long enough to outlast any sane client timeout; stop() wakes it early.
TIMEOUT_SECONDS = 60.0
# "Forever" for a test: a hung panel is only ever released by stop() or the client leaving.
HANG_SECONDS = 3600.0
# Oversized answers are written in pieces of this size, so the fake never holds them whole.
OVERSIZED_CHUNK = 64 * 1024

# Verbatim from the spec's "partial success" refill example, which is not valid JSON.
MALFORMED_BODY = (
    '[\n{ "refill"1", "status": "success" },\n{ "refill": null, "status": "rejected" }\n]'
)

HTML_ERROR_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
    "<body><h1>Bir hata oluştu</h1><p>Sunucu şu anda yoğun, lütfen daha sonra tekrar deneyin."
    "</p><hr><address>nginx</address></body></html>\n"
)


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    seconds: float = 0.0
    after: bool = False
    size: int = 0
    declare_length: bool = False

    @classmethod
    def latency(cls, seconds: float, *, after: bool = False) -> Fault:
        """Answer normally but `seconds` late (after=True: the action is done before the wait)."""
        return cls("latency", seconds, after)

    @classmethod
    def timeout(cls, *, after: bool = False) -> Fault:
        """Never answer in practice (60 s); stop() then drops the connection."""
        return cls("timeout", TIMEOUT_SECONDS, after)

    @classmethod
    def hang(cls, *, after: bool = False) -> Fault:
        """Accept the request and send nothing, until stop() (then the connection drops)."""
        return cls("hang", HANG_SECONDS, after)

    @classmethod
    def trickle(cls, every: float) -> Fault:
        """Perform the action, then send its answer one byte every `every` seconds (status and
        headers, with Content-Length, at once). Each byte resets a per-read timeout."""
        if every <= 0:
            raise ValueError("every must be positive")
        return cls("trickle", every)

    @classmethod
    def oversized(cls, size: int, *, declare_length: bool = False) -> Fault:
        """Perform the action, then answer 200 with its JSON padded by whitespace to `size`
        bytes (still valid JSON), streamed in pieces; chunked unless `declare_length`."""
        if size <= 0:
            raise ValueError("size must be positive")
        return cls("oversized", size=size, declare_length=declare_length)

    @classmethod
    def http_500(cls, *, after: bool = False) -> Fault:
        return cls("http_500", after=after)

    @classmethod
    def html_200(cls, *, after: bool = False) -> Fault:
        """Status 200 with an HTML error page (text/html), as panels behind a proxy do."""
        return cls("html_200", after=after)

    @classmethod
    def malformed_json(cls, *, after: bool = False) -> Fault:
        """Status 200, application/json, body that does not parse."""
        return cls("malformed_json", after=after)

    @classmethod
    def drop_connection(cls, *, after: bool = False) -> Fault:
        """Close the socket without any response bytes."""
        return cls("drop_connection", after=after)

    @classmethod
    def null_200(cls, *, after: bool = False) -> Fault:
        """Status 200 with a bare `null`, as classic panel scripts answer what they cannot do
        (and, with after=True, an action they did do)."""
        return cls("null_200", after=after)

    @classmethod
    def numbers_not_strings(cls) -> Fault:
        """Valid answer with JSON types swapped: money as floats, counts as ints, ids as strings."""
        return cls("numbers_not_strings")

    @classmethod
    def unknown_fields(cls) -> Fault:
        """Valid answer with extra, unexpected fields in every object."""
        return cls("unknown_fields")

    @property
    def breaks_response(self) -> bool:
        return self.kind in {
            "http_500",
            "html_200",
            "malformed_json",
            "drop_connection",
            "null_200",
        }

    @property
    def delays(self) -> bool:
        return self.kind in {"latency", "timeout", "hang"}

    @property
    def streams_answer(self) -> bool:
        """The action happens; its answer is sent by `FakePanel._stream_answer`."""
        return self.kind in {"trickle", "oversized"}

    @property
    def rewrites_payload(self) -> bool:
        return self.kind in {"numbers_not_strings", "unknown_fields"}


_MONEY_FIELDS = frozenset({"rate", "charge", "balance"})
_COUNT_FIELDS = frozenset({"start_count", "remains", "refill"})
_ID_FIELDS = frozenset({"service", "order", "min", "max", "cancel"})


def swap_types(value: Any, key: str | None = None) -> Any:
    """Swap JSON types the way sloppy panels do, keeping every value readable."""
    if isinstance(value, dict):
        return {k: swap_types(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [swap_types(v, key) for v in value]
    if isinstance(value, bool):
        # Both spellings occur in the wild; `refill` as int, the rest as strings.
        if key == "refill":
            return int(value)
        return "1" if value else "0"
    if isinstance(value, str):
        if key in _MONEY_FIELDS:
            try:
                return float(value)
            except ValueError:
                return value
        if key in _COUNT_FIELDS and value.lstrip("-").isdigit():
            return int(value)
        return value
    if isinstance(value, int) and key in _ID_FIELDS:
        return str(value)
    return value


_EXTRA_FIELDS: dict[str, Any] = {
    "x_panel_version": "v2.7.1",
    "notice": "Yeni servisler eklendi!",
    "meta": {"cached": False, "ts": 1717171717, "tags": ["a", "b"]},
    "avg_time": None,
}


def add_unknown_fields(value: Any) -> Any:
    """Add extra fields to each object, leaving id-keyed maps (multi status, add_bulk) intact."""
    if isinstance(value, list):
        return [add_unknown_fields(v) for v in value]
    if isinstance(value, dict):
        if value and all(isinstance(v, dict) for v in value.values()):
            return {k: add_unknown_fields(v) for k, v in value.items()}
        return {**value, **_EXTRA_FIELDS}
    return value


def rewrite(fault: Fault, payload: Any) -> Any:
    if fault.kind == "numbers_not_strings":
        return swap_types(payload)
    if fault.kind == "unknown_fields":
        return add_unknown_fields(payload)
    return payload
