from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.catalog_index import CatalogIndex
from bot.services.validation import (
    InputError,
    ServiceGone,
    check_dripfeed_total,
    normalize_link,
    parse_delay,
    parse_expiry,
    parse_hashtag,
    parse_hashtags,
    parse_interval,
    parse_lines,
    parse_positive_int,
    parse_quantity,
    parse_runs,
    parse_username,
    parse_usernames,
    require,
    service_available,
)

from ._data import svc


def assert_translatable(err: InputError) -> None:
    """The Telegram layer does `_(msgid, **params)`: every placeholder must be filled."""
    assert err.msgid
    assert err.msgid.format(**err.params)
    assert str(err) == err.english


# --- InputError --------------------------------------------------------------------------


def test_input_error_carries_msgid_and_params() -> None:
    err = InputError("Between {min} and {max}.", min=1, max=5)
    assert isinstance(err, ValueError)
    assert err.msgid == "Between {min} and {max}."
    assert err.params == {"min": 1, "max": 5}
    assert str(err) == "Between 1 and 5."
    assert err == InputError("Between {min} and {max}.", min=1, max=5)
    assert err != InputError("Between {min} and {max}.", min=1, max=6)
    assert "params=" in repr(err)


def test_input_error_with_missing_params_still_prints() -> None:
    assert str(InputError("Needs {x}")) == "Needs {x}"


# --- links -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://instagram.com/x", "https://instagram.com/x"),
        ("  https://instagram.com/x \n", "https://instagram.com/x"),
        ("instagram.com/x", "https://instagram.com/x"),
        ("www.instagram.com/x", "https://www.instagram.com/x"),
        ("http://instagram.com/x", "http://instagram.com/x"),
        (
            "HTTPS://WWW.Instagram.COM/P/AbC?igsh=1,2;3",
            "https://www.instagram.com/P/AbC?igsh=1,2;3",
        ),
        ("//t.me/channel", "https://t.me/channel"),
        ("instagram.com:8443/x", "https://instagram.com:8443/x"),
        ("\u200bhttps://youtu.be/abc\ufeff", "https://youtu.be/abc"),
        ("https://vm.tiktok.com/ZMabc/", "https://vm.tiktok.com/ZMabc/"),
        ("https://xn--tatl-0ra.com.tr/a", "https://xn--tatl-0ra.com.tr/a"),
        ("https://şirket.com.tr/a", "https://şirket.com.tr/a"),
        ("https://instagram.com", "https://instagram.com"),
    ],
)
def test_normalize_link_accepts(text: str, expected: str) -> None:
    assert normalize_link(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "mailto:a@b.com",
        "tg://resolve?domain=x",
        "data:text/html,hi",
        "https://instagram.com/a b",
        "instagram.com/x instagram.com/y",
        "https://instagram.com/a\x00b",
        "http://localhost/x",
        "https://localhost:8080",
        "https://127.0.0.1/x",
        "https://user:pw@instagram.com/x",
        "https://instagram.com@evil.com/x",
        "https://-bad-.com/",
        "https://a..com/",
        "https://instagram.c/",
        "https:/instagram.com",
        "https://instagram.com:99999/",
        "@username",
        "just text",
        "https://" + "a" * 2000 + ".com",
        "instagram.com/" + "x" * 1990,
    ],
)
def test_normalize_link_rejects(text: str) -> None:
    with pytest.raises(InputError) as info:
        normalize_link(text)
    assert_translatable(info.value)


def test_link_too_long_message_names_the_limit() -> None:
    with pytest.raises(InputError) as info:
        normalize_link("https://instagram.com/" + "x" * 2000)
    assert info.value.params == {"max": 2000}


@settings(deadline=None)
@given(st.text(max_size=300))
def test_normalize_link_fuzz_only_input_error(text: str) -> None:
    try:
        link = normalize_link(text)
    except InputError as err:
        assert_translatable(err)
    else:
        assert link.startswith(("https://", "http://"))
        assert not any(ch.isspace() for ch in link)
        assert len(link) <= 2000
        assert normalize_link(link) == link


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_host = st.builds(
    lambda name, sub, tld: f"{name}{sub}.{tld}",
    st.text(_LOWER, min_size=1, max_size=10),
    st.sampled_from(["", ".m", ".co", ".x1"]),
    st.sampled_from(["com", "net", "tr", "me"]),
)
_path = st.lists(
    st.text(_LOWER + "ABC0123456789_.~%,;=?&-", max_size=20).map(lambda seg: "/" + seg),
    max_size=3,
).map("".join)


@settings(deadline=None)
@given(_host, _path, st.sampled_from(["", "https://", "http://", "HTTPS://", "www."]))
def test_normalize_link_generated_valid_links(host: str, path: str, prefix: str) -> None:
    link = normalize_link(prefix + host + path)
    assert link.endswith(host + path)
    assert link.startswith("http")


# --- numbers -----------------------------------------------------------------------------


SERVICE = svc(min=100, max=1_000_000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000", 1000),
        (" 1000 ", 1000),
        ("1 000", 1000),
        ("1\u00a0000", 1000),
        ("1,000", 1000),
        ("1.000", 1000),
        ("1'000", 1000),
        ("100", 100),
        ("0100", 100),
        ("1.000.000", 1_000_000),
        ("1,000,000", 1_000_000),
    ],
)
def test_parse_quantity_accepts(text: str, expected: int) -> None:
    assert parse_quantity(text, SERVICE) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "99",
        "0",
        "-500",
        "+500",
        "1.5",
        "1000.5",
        "1,5",
        "1,00",
        "10,0000",
        "1,000.000",
        "1.000,000",
        "1 000,000",
        "1e3",
        "1k",
        "１０００",
        "٣٠٠",
        "1000001",
        "9" * 40,
    ],
)
def test_parse_quantity_rejects_with_range(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_quantity(text, SERVICE)
    assert info.value.msgid == "Quantity must be a whole number between {min} and {max}."
    assert info.value.params["min"] == 100 and info.value.params["max"] == 1_000_000
    assert_translatable(info.value)


@settings(deadline=None)
@given(st.text(max_size=30))
def test_parse_quantity_fuzz(text: str) -> None:
    try:
        value = parse_quantity(text, SERVICE)
    except InputError as err:
        assert_translatable(err)
    else:
        assert 100 <= value <= 1_000_000


@settings(deadline=None)
@given(st.integers(100, 1_000_000))
def test_parse_quantity_round_trip(value: int) -> None:
    assert parse_quantity(str(value), SERVICE) == value
    assert parse_quantity(f"{value:,}", SERVICE) == value
    assert parse_quantity(f"{value:,}".replace(",", "."), SERVICE) == value


def test_parse_positive_int_bounds_and_field() -> None:
    assert parse_positive_int("5", field="x", min=5, max=5) == 5
    with pytest.raises(InputError) as info:
        parse_positive_int("6", field="answer", min=1, max=5)
    assert info.value.params == {"field": "answer", "min": 1, "max": 5}
    assert_translatable(info.value)


def test_runs_and_interval_bounds() -> None:
    assert parse_runs("2") == 2 and parse_runs("1000") == 1000
    assert parse_interval("1") == 1 and parse_interval("10080") == 10080
    for bad in ("1", "1001", "0", "x"):
        with pytest.raises(InputError):
            parse_runs(bad)
    for bad in ("0", "10081", "1.5"):
        with pytest.raises(InputError):
            parse_interval(bad)


def test_dripfeed_total_checked_against_max() -> None:
    service = svc(min=100, max=1000)
    assert check_dripfeed_total(100, 10, service) == 1000
    with pytest.raises(InputError) as info:
        check_dripfeed_total(101, 10, service)
    assert info.value.params == {"total": 1010, "min": 100, "max": 1000}
    assert_translatable(info.value)


@settings(deadline=None)
@given(st.integers(1, 10**6), st.integers(2, 1000))
def test_dripfeed_total_fuzz(quantity: int, runs: int) -> None:
    service = svc(min=50, max=200_000)
    try:
        total = check_dripfeed_total(quantity, runs, service)
    except InputError:
        assert not 50 <= quantity * runs <= 200_000
    else:
        assert total == quantity * runs


# --- usernames, lists --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("@john_doe", "john_doe"), (" jane.doe ", "jane.doe"), ("a-b", "a-b"), ("X1", "X1")],
)
def test_parse_username_accepts(text: str, expected: str) -> None:
    assert parse_username(text) == expected


@pytest.mark.parametrize(
    "text", ["", "@", "two words", "@@x", "ümit", "a/b", "https://x.com", "...", "x" * 65]
)
def test_parse_username_rejects(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_username(text)
    assert_translatable(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.instagram.com/john_doe/?igsh=MWx0bXo", "john_doe"),
        ("instagram.com/jane.doe", "jane.doe"),
        ("@https://instagram.com/jane.doe/", "jane.doe"),
        ("https://m.instagram.com/@jane.doe#top", "jane.doe"),
        ("t.me/durov", "durov"),
        ("https://telegram.me/durov/", "durov"),
        ("https://www.tiktok.com/@khaby.lame?lang=tr", "khaby.lame"),
        ("HTTPS://X.COM/Jack_1/", "Jack_1"),
        ("https://mobile.twitter.com/jack?s=20", "jack"),
        ("\u200bhttps://instagram.com/zw\u200b", "zw"),
    ],
)
def test_parse_username_reads_profile_links(text: str, expected: str) -> None:
    assert parse_username(text) == expected
    assert parse_usernames(f"@a\n{text}") == ["a", expected]


@pytest.mark.parametrize(
    "text",
    [
        "https://instagram.com/p/Cx1/",  # a post, not a profile
        "https://instagram.com/explore",
        "https://www.tiktok.com/khaby.lame",  # TikTok profiles carry the @
        "https://www.tiktok.com/@khaby.lame/video/72",
        "https://t.me/+AbCdEf",  # an invite link
        "https://t.me/joinchat/AbCdEf",
        "t.me/abc",  # too short for a Telegram username
        "https://x.com/home",
        "https://x.com/sixteen_chars_xx",  # X names end at 15
        "https://facebook.com/zuck",  # a site whose links the bot does not read
        "https://instagram.com/",
        "ftp://instagram.com/jane",
    ],
)
def test_parse_username_refuses_other_links(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_username(text)
    assert "not a profile link" in info.value.english
    assert_translatable(info.value)


def test_parse_lines_strips_and_drops_blanks() -> None:
    assert parse_lines("  nice \n\n\r\n  great pic\n:)", field="comments") == [
        "nice",
        "great pic",
        ":)",
    ]


def test_parse_lines_limits() -> None:
    with pytest.raises(InputError) as empty:
        parse_lines(" \n \n", field="comments")
    assert empty.value.params["field"] == "comments"
    with pytest.raises(InputError) as many:
        parse_lines("a\nb\nc", field="groups", max_lines=2)
    assert many.value.params == {"field": "groups", "count": 3, "max": 2}
    with pytest.raises(InputError) as long:
        parse_lines("ok\n" + "x" * 501, field="comments")
    assert long.value.params["line"] == 2
    for err in (empty.value, many.value, long.value):
        assert_translatable(err)


def test_parse_usernames_names_the_bad_line() -> None:
    assert parse_usernames("@a\n b \n\nc") == ["a", "b", "c"]
    with pytest.raises(InputError) as info:
        parse_usernames("@a\nbad name\nc")
    assert info.value.params["line"] == 2 and info.value.params["value"] == "bad name"
    assert_translatable(info.value)


def test_hashtags() -> None:
    assert parse_hashtag("#travel") == "travel"
    assert parse_hashtag("gezi_2024") == "gezi_2024"
    assert parse_hashtag("#güzel") == "güzel"
    assert parse_hashtags("travel\n#food") == ["#travel", "#food"]
    for bad in ("", "#", "two words", "#a#b"):
        with pytest.raises(InputError):
            parse_hashtag(bad)
    with pytest.raises(InputError) as info:
        parse_hashtags("ok\nnot ok")
    assert info.value.params["line"] == 2


# --- subscriptions -----------------------------------------------------------------------


def test_delay_allowed_values() -> None:
    assert parse_delay("0") == 0
    assert parse_delay("90") == 90
    with pytest.raises(InputError) as info:
        parse_delay("7")
    # Every value is a button of the question: the error names the range, not all 22 again.
    assert (info.value.params["min"], info.value.params["max"]) == (0, 600)
    assert_translatable(info.value)


def test_expiry_formats_and_future() -> None:
    today = date(2030, 1, 1)
    assert parse_expiry("5/2/2030", today=today) == "05/02/2030"
    assert parse_expiry("05.02.2030", today=today) == "05/02/2030"
    assert parse_expiry("2030-02-05", today=today) == "05/02/2030"
    with pytest.raises(InputError):
        parse_expiry("01/01/2030", today=today)
    with pytest.raises(InputError):
        parse_expiry("31/02/2030", today=today)
    with pytest.raises(InputError):
        parse_expiry("tomorrow", today=today)


# --- catalog drift -----------------------------------------------------------------------


def test_service_available() -> None:
    index = CatalogIndex([svc(5, rate="1.00", name="Renamed is fine")])
    assert service_available(index, 5).name_text == "Renamed is fine"
    assert service_available(index, 5).id == 5

    with pytest.raises(ServiceGone) as gone:
        service_available(index, 6)
    assert gone.value.params == {"id": 6}
    assert_translatable(gone.value)


def test_require() -> None:
    assert require({"a": 1}, "a") == 1
    with pytest.raises(InputError) as info:
        require({"a": None}, "a")
    assert info.value.params == {"field": "a"}
