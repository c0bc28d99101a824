"""Who is asking: Telegram's Mini App `initData`, validated as Telegram documents it.

Telegram hands the page a query string (`query_id=…&user={…}&auth_date=…&hash=…`) signed with a
key derived from the bot token:

* secret = HMAC-SHA256(key=b"WebAppData", msg=bot token);
* the data-check string is every field but `hash`, as `key=value` lines sorted by key, joined
  by "\\n";
* `hash` must equal HMAC-SHA256(key=secret, msg=data-check string), in hex, compared in
  constant time.

Data older than WEBAPP_AUTH_MAX_AGE_SECONDS is refused: a leaked initData (a screenshot, a log
of someone else's proxy) stops working. The user is the one in the signed data, never a
parameter of the request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel, ConfigDict, ValidationError

# Telegram signs when the Mini App opens; a clock a little ahead of ours is not a forgery.
FUTURE_SKEW_SECONDS = 60.0
# initData is a few hundred bytes; anything far larger is not Telegram's.
MAX_INIT_DATA_CHARS = 8192
_HASH_HEX_CHARS = 64


class AuthError(Exception):
    """initData is missing, malformed, forged, for another bot or too old; the message says
    which, for the log only (the client gets a bare 401)."""


class WebAppUser(BaseModel):
    """The `user` field of initData (Telegram's WebAppUser); unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool | None = None


@dataclass(frozen=True, slots=True)
class InitData:
    user: WebAppUser
    auth_date: int
    query_id: str | None
    # Every signed field as received (for handlers that need one more, e.g. start_param).
    fields: Mapping[str, str]


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: Mapping[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def signature_of(fields: Mapping[str, str], bot_token: str) -> str:
    check = data_check_string(fields).encode()
    return hmac.new(secret_key(bot_token), check, hashlib.sha256).hexdigest()


def sign_init_data(fields: Mapping[str, str], bot_token: str) -> str:
    """initData as Telegram would build it for `fields` (tests, benchmarks, the fake client)."""
    signed = {key: value for key, value in fields.items() if key != "hash"}
    signed["hash"] = signature_of(signed, bot_token)
    return urlencode(signed)


def _fields(raw: str) -> dict[str, str]:
    if not raw or len(raw) > MAX_INIT_DATA_CHARS:
        raise AuthError("initData is missing or too long")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise AuthError("initData is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        # A repeated key: which of the two was signed is ambiguous.
        raise AuthError("initData repeats a field")
    return fields


def _checked_hash(fields: Mapping[str, str], bot_token: str) -> None:
    sent = fields.get("hash", "")
    if len(sent) != _HASH_HEX_CHARS:
        raise AuthError("initData has no valid hash")
    expected = signature_of(fields, bot_token)
    # compare_digest: the answer time must not tell a forger how much of the hash matched.
    if not hmac.compare_digest(sent.lower().encode(), expected.encode()):
        raise AuthError("initData's hash does not match (forged, or for another bot)")


def _auth_date(fields: Mapping[str, str], now: float, max_age: float) -> int:
    try:
        auth_date = int(fields.get("auth_date", ""))
    except ValueError:
        raise AuthError("initData has no auth_date") from None
    age = now - auth_date
    if age > max_age:
        raise AuthError(f"initData is {age:.0f} s old (limit {max_age:.0f} s)")
    if age < -FUTURE_SKEW_SECONDS:
        raise AuthError("initData is dated in the future")
    return auth_date


def _user(fields: Mapping[str, str]) -> WebAppUser:
    text = fields.get("user")
    if not text:
        raise AuthError("initData names no user")
    try:
        user = WebAppUser.model_validate(json.loads(text))
    except (ValueError, ValidationError):
        raise AuthError("initData's user is malformed") from None
    if user.is_bot:
        raise AuthError("initData's user is a bot")
    return user


def validate_init_data(raw: str, bot_token: str, *, now: float, max_age: float) -> InitData:
    """The signed data in `raw`, or AuthError; `now` is the wall clock (Unix seconds)."""
    fields = _fields(raw)
    # The hash first: nothing of unsigned data is looked at, not even its date.
    _checked_hash(fields, bot_token)
    auth_date = _auth_date(fields, now, max_age)
    return InitData(_user(fields), auth_date, fields.get("query_id"), fields)


def init_data_of(header: str | None) -> str:
    """The initData of an `Authorization: tma <initData>` header; AuthError without one."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "tma" or not value.strip():
        raise AuthError("no 'Authorization: tma <initData>' header")
    return value.strip()
