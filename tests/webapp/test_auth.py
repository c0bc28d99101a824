"""initData validation (bot/webapp/auth.py) against Telegram's documented algorithm."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.webapp.auth import AuthError, init_data_of, sign_init_data, validate_init_data

TOKEN = "1234567:AAE-this-bot"
OTHER = "7654321:AAE-another-bot"
NOW = 1_800_000_000.0


def fields(user_id: int = 42, auth_date: float = NOW - 10) -> dict[str, str]:
    return {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": "Ayşe", "language_code": "tr"}),
        "auth_date": str(int(auth_date)),
    }


def check(raw: str, *, token: str = TOKEN, max_age: float = 3600) -> int:
    return validate_init_data(raw, token, now=NOW, max_age=max_age).user.id


def test_telegrams_algorithm_written_out() -> None:
    """The hash as Telegram's documentation computes it, independently of the module."""
    data = fields()
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    check_string = "\n".join(f"{k}={data[k]}" for k in sorted(data))
    digest = hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()
    raw = urlencode({**data, "hash": digest})
    assert raw == sign_init_data(data, TOKEN)
    assert check(raw) == 42


def test_forged_user_is_refused() -> None:
    raw = sign_init_data(fields(42), TOKEN)
    forged = dict(parse_qsl(raw))
    forged["user"] = json.dumps({"id": 1000, "first_name": "Admin"})
    with pytest.raises(AuthError, match="hash"):
        check(urlencode(forged))


def test_another_bots_data_is_refused() -> None:
    with pytest.raises(AuthError, match="hash"):
        check(sign_init_data(fields(), OTHER))


@pytest.mark.parametrize(("age", "ok"), [(3599, True), (3600, True), (3601, False)])
def test_data_older_than_the_limit_is_refused(age: int, ok: bool) -> None:
    raw = sign_init_data(fields(auth_date=NOW - age), TOKEN)
    if ok:
        assert check(raw) == 42
    else:
        with pytest.raises(AuthError, match="old"):
            check(raw)


def test_data_from_the_future_beyond_clock_skew_is_refused() -> None:
    assert check(sign_init_data(fields(auth_date=NOW + 30), TOKEN)) == 42
    with pytest.raises(AuthError, match="future"):
        check(sign_init_data(fields(auth_date=NOW + 600), TOKEN))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "hash=abc",
        "user=%7B%7D&auth_date=1&hash=" + "0" * 64,
        "a=1&a=2&hash=" + "0" * 64,
        "not a query string",
        "x" * 9000,
    ],
)
def test_malformed_data_is_refused(raw: str) -> None:
    with pytest.raises(AuthError):
        check(raw)


def test_a_signed_field_tampered_or_added_breaks_the_hash() -> None:
    raw = sign_init_data(fields(), TOKEN)
    with pytest.raises(AuthError):
        check(raw + "&start_param=admin")
    with pytest.raises(AuthError):
        check(raw.replace("auth_date=", "auth_date=1"))


def test_unsigned_data_without_user_or_date_is_refused_even_when_signed() -> None:
    no_user = {k: v for k, v in fields().items() if k != "user"}
    with pytest.raises(AuthError, match="user"):
        check(sign_init_data(no_user, TOKEN))
    no_date = {k: v for k, v in fields().items() if k != "auth_date"}
    with pytest.raises(AuthError, match="auth_date"):
        check(sign_init_data(no_date, TOKEN))


def test_header_scheme() -> None:
    assert init_data_of("tma a=1") == "a=1"
    assert init_data_of("TMA  a=1 ") == "a=1"
    for bad in (None, "", "Bearer a=1", "tma ", "tma"):
        with pytest.raises(AuthError):
            init_data_of(bad)
