"""Hostile input with hypothesis: only documented errors come out, invariants always hold.

Panel response parsing is fuzzed in tests/panel/test_parsing.py
(test_arbitrary_json_values_raise_only_panel_errors, test_arbitrary_bytes_raise_only_panel_errors);
it is not repeated here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.callbacks.base import MAX_BYTES, SCHEMA, Callback, decode, encode, every_action, pattern
from bot.callbacks.new_order import ConfirmOrder
from bot.config import Settings, SettingsError, load_settings
from bot.panel.models import Service
from bot.services.bulk_lines import parse_bulk
from bot.services.catalog_index import CatalogIndex
from bot.services.validation import (
    InputError,
    check_dripfeed_total,
    normalize_link,
    parse_interval,
    parse_quantity,
    parse_runs,
)

FUZZ = settings(max_examples=200, deadline=None)
FEW = settings(max_examples=60, deadline=None)


def _svc(id: int, type: str = "Default", rate: str = "12.50", mn: int = 100, mx: int = 10_000,
         dripfeed: bool | None = None) -> Service:  # fmt: skip
    return Service(id=id, name_text=f"S{id}", type=type, category_text="C", rate=Decimal(rate),
                   min=mn, max=mx, dripfeed=dripfeed)  # fmt: skip


CATALOG = CatalogIndex(
    [
        _svc(1),
        _svc(2, rate="0.80", mn=10, mx=5000, dripfeed=True),
        _svc(3, type="Package", rate="5", mn=1, mx=1),
        _svc(4, type="Custom Comments", mn=1, mx=100),
        _svc(5, rate="0.001", mn=1, mx=10**9),
    ]
)

# Pieces that exercise the parser's separators, comments, headers, numbers and links.
_PIECES = st.one_of(
    st.sampled_from(
        [
            "1",
            "2",
            "3",
            "4",
            "5",
            "99",
            "-1",
            "0",
            "1e3",
            "1,000",
            "1.000",
            "10 000",
            "١٢",
            "https://instagram.com/a",
            "instagram.com/b",
            "http://x",
            "ftp://a.b/c",
            "//t.me/c",
            "javascript:alert(1)",
            "https://a.b/" + "x" * 2100,
            "service",
            "link",
            "quantity",
            "#",
            "//",
            "\ufeff",
            '"',
            "'",
            "\u200b",
            "\x00",
            "\ud800",
            "🙂",
        ]
    ),
    st.text(max_size=12),
)
_SEPS = st.sampled_from(["|", ";", ",", "\t", " ", " | ", ",,", "||", ""])


@st.composite
def bulk_text(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        pieces = draw(st.lists(_PIECES, max_size=5))
        sep = draw(_SEPS)
        lines.append(sep.join(pieces))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x0b"]))
    return newline.join(lines)


def _check_preview(text: str) -> None:
    preview = parse_bulk(text, CATALOG)
    if preview.too_many:
        assert preview.lines == []
        return
    assert len(preview.lines) == len(preview.valid) + len(preview.errors)
    numbers = [line.line_no for line in preview.lines]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert all(1 <= n <= max(1, len(text.splitlines())) for n in numbers)
    for line in preview.errors:
        assert isinstance(line.error, InputError)
        line.error.english  # noqa: B018 - formatting the message must not raise either
    for line in preview.valid:
        assert line.service is not None and line.link is not None and line.quantity is not None
        assert line.service.type == "Default"
        assert line.service.min <= line.quantity <= line.service.max
        assert line.cost == line.service.cost(line.quantity)
        assert line.link.startswith(("https://", "http://"))
    assert preview.total_cost == sum((x.cost or Decimal(0) for x in preview.valid), Decimal(0))


@FUZZ
@given(bulk_text())
def test_bulk_parser_never_raises_and_keeps_its_invariants(text: str) -> None:
    _check_preview(text)


@FEW
@given(st.text(max_size=2000))
def test_bulk_parser_on_arbitrary_text(text: str) -> None:
    _check_preview(text)


@FEW
@given(st.integers(0, 30), st.integers(1, 5))
def test_bulk_line_limit(extra: int, limit: int) -> None:
    text = "\n".join("1 | https://instagram.com/a | 100" for _ in range(limit + extra))
    preview = parse_bulk(text, CATALOG, max_lines=limit)
    assert preview.too_many is (extra > 0)


@FUZZ
@given(st.one_of(st.text(max_size=300), st.from_regex(r"(https?://)?[a-z0-9.-]{1,30}(/\S*)?")))
def test_normalize_link_only_input_errors_and_is_idempotent(text: str) -> None:
    try:
        link = normalize_link(text)
    except InputError as exc:
        assert exc.english
        return
    assert link.startswith(("https://", "http://"))
    assert not any(ch.isspace() for ch in link)
    assert len(link) <= 2000
    assert normalize_link(link) == link


_NUMBERISH = st.one_of(
    st.text(max_size=25),
    st.integers(-(10**15), 10**15).map(str),
    st.integers(0, 10**12).map(lambda n: f"{n:,}"),
    st.integers(0, 10**12).map(lambda n: f"{n:,}".replace(",", ".")),
    st.from_regex(r"\s*[0-9.,' \u00a0]{1,20}\s*", fullmatch=True),
)


@FUZZ
@given(_NUMBERISH, st.sampled_from(list(CATALOG.services)))
def test_quantity_is_in_range_or_input_error(text: str, service: Service) -> None:
    try:
        quantity = parse_quantity(text, service)
    except InputError as exc:
        assert exc.params["field"] == "quantity"
        assert exc.english
        return
    assert max(service.min, 1) <= quantity <= service.max


@FUZZ
@given(_NUMBERISH, _NUMBERISH)
def test_runs_and_interval_are_in_range_or_input_error(runs_text: str, every: str) -> None:
    for parse, low, high in ((parse_runs, 2, 1000), (parse_interval, 1, 10_080)):
        for text in (runs_text, every):
            try:
                value = parse(text)
            except InputError as exc:
                assert exc.english
                continue
            assert low <= value <= high


@FUZZ
@given(st.integers(1, 10**6), st.integers(2, 1000), st.sampled_from(list(CATALOG.services)))
def test_dripfeed_total_is_checked_exactly(quantity: int, runs: int, service: Service) -> None:
    try:
        total = check_dripfeed_total(quantity, runs, service)
    except InputError as exc:
        assert not service.min <= quantity * runs <= service.max
        assert exc.params["total"] == quantity * runs
        return
    assert total == quantity * runs and service.min <= total <= service.max


# --- callback data ----------------------------------------------------------------------------

_SEGMENT = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.text(max_size=10),
    st.sampled_from(["", "-", "+1", "01", "1_000", "٣", "¹", " 1", "1 "]),
)
_ACTION_HEADS = st.one_of(st.sampled_from(every_action()), st.text(max_size=3))


@st.composite
def callback_like(draw: st.DrawFn) -> str:
    head = draw(_ACTION_HEADS)
    args = draw(st.lists(_SEGMENT, max_size=4))
    return ":".join([head, *args])


@FUZZ
@given(st.one_of(callback_like(), st.text(max_size=80), st.binary(max_size=80), st.none(),
                 st.integers(), st.lists(st.text(max_size=3), max_size=3)))  # fmt: skip
def test_decode_returns_callback_or_none(data: Any) -> None:
    decoded = decode(data)
    accepts = pattern(*every_action())(data)
    assert accepts is (decoded is not None)
    if decoded is None:
        return
    assert isinstance(decoded, Callback)
    assert isinstance(data, str) and len(data.encode()) <= MAX_BYTES
    kinds = SCHEMA[decoded.action]
    assert len(decoded.args) == len(kinds)
    for value, kind in zip(decoded.args, kinds, strict=True):
        assert isinstance(value, kind) and not isinstance(value, bool)
        if kind is int:
            assert isinstance(value, int) and abs(value) < 10**19
    # Whatever was accepted survives a round trip to the same meaning.
    assert decode(encode(decoded.action, *decoded.args)) == decoded


def test_decode_of_lone_surrogates_is_none() -> None:
    # A JSON update may carry "\ud800"; decode must say "expired", not crash the handler.
    assert decode("ok:\ud800") is None
    assert decode("\udcff") is None
    assert pattern(ConfirmOrder.action)("ok:\ud800") is False


_TOKEN_TEXT = st.text(st.characters(codec="utf-8", exclude_characters=":"), min_size=1, max_size=12)


@st.composite
def encodable(draw: st.DrawFn) -> tuple[str, tuple[int | str, ...]]:
    action = draw(st.sampled_from(every_action()))
    args: list[int | str] = []
    for kind in SCHEMA[action]:
        if kind is int:
            args.append(draw(st.integers(-(10**12), 10**12)))
        else:
            args.append(draw(_TOKEN_TEXT))
    return action, tuple(args)


@FUZZ
@given(encodable())
def test_encode_decode_round_trip(item: tuple[str, tuple[int | str, ...]]) -> None:
    action, args = item
    try:
        data = encode(action, *args)
    except ValueError:
        # Only the documented refusal: too long for Telegram.
        text = ":".join([action, *map(str, args)])
        assert len(text.encode()) > MAX_BYTES
        return
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == Callback(action, args)


# --- settings ---------------------------------------------------------------------------------

_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
_TOKENS = st.builds(
    lambda n, s: f"{n}:{s}",
    st.integers(1, 10**10),
    st.text(_SECRET_ALPHABET, min_size=20, max_size=40),
)
_GARBAGE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "0", "-1", "nan", "inf", "1e999", "true", "None", "[]", "{}",
                     "1,2;3", "abc,1", "DEBUG", "tr", "xx", "open", "allowlist", "http://x",
                     "ftp://x", "65536", "0.0001", "\x00", "ş"]),
)  # fmt: skip
_FIELDS = [
    "panel_api_url",
    "database_path",
    "telegram_base_url",
    "telegram_base_file_url",
    "admin_ids",
    "access_mode",
    "status_poll_seconds",
    "services_cache_seconds",
    "price_check_seconds",
    "default_language",
    "log_level",
    "panel_timeout_seconds",
    "webhook_url",
    "webhook_secret",
    "webhook_listen",
    "webhook_port",
    "max_concurrent_updates",
]


@st.composite
def settings_input(draw: st.DrawFn) -> tuple[dict[str, Any], str, str]:
    token = draw(_TOKENS)
    key = Fernet.generate_key().decode()
    values: dict[str, Any] = {}
    choice = draw(st.sampled_from(["token", "blank", "none", "in-field"]))
    if choice == "token":
        values["bot_token"] = token
    elif choice == "blank":
        values["bot_token"] = draw(st.sampled_from(["", "  ", "\t"]))
    elif choice == "in-field":
        values["bot_token"] = token
        # The secret pasted into the wrong setting must not be echoed back either.
        values[draw(st.sampled_from(_FIELDS))] = token
    enc = draw(st.sampled_from(["valid", "valid-pair", "broken", "none"]))
    if enc == "valid":
        values["encryption_key"] = key
    elif enc == "valid-pair":
        values["encryption_key"] = f"{key}, {Fernet.generate_key().decode()}"
    elif enc == "broken":
        values["encryption_key"] = key[:-3] + draw(st.text(_SECRET_ALPHABET, min_size=1,
                                                             max_size=5))  # fmt: skip
    for name in draw(st.lists(st.sampled_from(_FIELDS), max_size=5, unique=True)):
        values.setdefault(name, draw(_GARBAGE))
    return values, token, key


@FUZZ
@given(settings_input())
def test_settings_are_valid_or_a_settings_error_without_secrets(
    item: tuple[dict[str, Any], str, str],
) -> None:
    values, token, key = item
    try:
        result = load_settings(_env_file=None, **values)
    except SettingsError as exc:
        message = str(exc)
        assert message
        assert token not in message
        assert key not in message
        assert key[:-3] not in message
        assert exc.__cause__ is None and exc.__suppress_context__
        return
    assert isinstance(result, Settings)
    pasted_elsewhere = any(v == token for k, v in values.items() if k != "bot_token")
    # A token pasted into a plain setting is that setting's value now; only the secret
    # fields must stay masked.
    assert pasted_elsewhere or token not in repr(result)
    assert key not in repr(result)
    assert result.bot_token.get_secret_value().strip()


@FEW
@given(settings_input())
def test_settings_from_the_environment(item: tuple[dict[str, Any], str, str]) -> None:
    values, token, key = item
    with pytest.MonkeyPatch.context() as mp:
        for name in [*_FIELDS, "bot_token", "encryption_key"]:
            mp.delenv(name.upper(), raising=False)
        for name, value in values.items():
            if "\x00" in str(value):  # the OS cannot carry it
                continue
            mp.setenv(name.upper(), str(value))
        try:
            load_settings(_env_file=None)
        except SettingsError as exc:
            assert token not in str(exc) and key not in str(exc)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=40))
def test_database_path_accepts_any_name(name: str) -> None:
    token = "12345:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    try:
        result = load_settings(_env_file=None, bot_token=token, database_path=name)
    except SettingsError as exc:
        assert token not in str(exc)
        return
    assert isinstance(result.database_path, Path)
