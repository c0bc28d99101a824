from __future__ import annotations

import codecs
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.bulk_lines import BulkPreview, decode_upload, parse_bulk
from bot.services.catalog_index import CatalogIndex
from bot.services.validation import InputError

from ._data import svc

CATALOG = CatalogIndex(
    [
        svc(1, rate="12.50", min=100, max=10_000),
        svc(2, rate="0.80", min=10, max=5000, dripfeed=True),
        svc(3, type="Package", rate="5"),
        svc(4, type="Custom Comments", min=1),
        svc(5, type="Weird Type"),
    ]
)


def only(preview: BulkPreview) -> None:
    assert not preview.too_many
    assert len(preview.lines) == len(preview.valid) + len(preview.errors)


def test_pipe_lines_and_total() -> None:
    preview = parse_bulk("1 | https://instagram.com/a | 1000\n2|instagram.com/b|500\n", CATALOG)
    only(preview)
    assert [(x.line_no, x.link, x.quantity, x.cost) for x in preview.valid] == [
        (1, "https://instagram.com/a", 1000, Decimal("12.5")),
        (2, "https://instagram.com/b", 500, Decimal("0.4")),
    ]
    assert preview.errors == []
    assert preview.total_cost == Decimal("12.9")
    assert [(x.service.id if x.service else None, x.link, x.quantity) for x in preview.valid] == [
        (1, "https://instagram.com/a", 1000),
        (2, "https://instagram.com/b", 500),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "1 | https://x.com/p?a=1,2;b=3 | 100",
        "1;https://x.com/p?a=1,2;b=3;100",
        "1,https://x.com/p?a=1,2;b=3,100",
        "1\thttps://x.com/p?a=1,2;b=3\t100",
        "1   https://x.com/p?a=1,2;b=3   100",
        '"1","https://x.com/p?a=1,2;b=3","100"',
        '1;"https://x.com/p?a=1,2;b=3";100',
        "  1 ,  https://x.com/p?a=1,2;b=3 ,  100  ",
    ],
)
def test_separators_keep_commas_and_semicolons_in_links(line: str) -> None:
    preview = parse_bulk(line, CATALOG)
    assert [(x.service and x.service.id, x.link, x.quantity) for x in preview.valid] == [
        (1, "https://x.com/p?a=1,2;b=3", 100)
    ], preview.errors


def test_trailing_comma_of_link_kept_only_with_pipe() -> None:
    assert parse_bulk("1 | x.com/a, | 100", CATALOG).valid[0].link == "https://x.com/a,"
    assert parse_bulk("1, x.com/a,, 100", CATALOG).valid[0].link == "https://x.com/a"


def test_pipe_or_tab_allow_grouped_quantities() -> None:
    preview = parse_bulk("1 | x.com/a | 1 000\n1\tx.com/b\t1,000\n1|x.com/c|1.000", CATALOG)
    assert [x.quantity for x in preview.valid] == [1000, 1000, 1000]


def test_blank_comment_and_header_lines_are_ignored() -> None:
    text = (
        "\ufeffservice,link,quantity\n"
        "\n"
        "# my orders\n"
        "// more comments\n"
        "   \n"
        "1,https://x.com/a,100\r\n"
    )
    preview = parse_bulk(text, CATALOG)
    assert [x.line_no for x in preview.lines] == [6]
    assert len(preview.valid) == 1


def test_turkish_header_is_ignored_but_only_as_first_line() -> None:
    preview = parse_bulk("Servis;Link;Miktar\n1;x.com/a;100\nservis;link;miktar", CATALOG)
    assert [x.line_no for x in preview.lines] == [2, 3]
    assert len(preview.errors) == 1


def test_per_line_errors() -> None:
    text = "\n".join(
        [
            "1 | https://x.com/a | 1000",  # 1 ok
            "abc | https://x.com/a | 1000",  # 2 bad id
            "99 | https://x.com/a | 1000",  # 3 not in catalog
            "3 | https://x.com/a | 1",  # 4 package
            "4 | https://x.com/a | 10",  # 5 custom comments
            "5 | https://x.com/a | 10",  # 6 unknown type
            "1 | ftp://x.com/a | 1000",  # 7 bad link
            "1 | https://x.com/a | 5",  # 8 below min
            "1 | https://x.com/a | 1.5",  # 9 decimal
            "1 https://x.com/a",  # 10 missing part
            "just garbage",  # 11
            "1 | | 100",  # 12 empty link
        ]
    )
    preview = parse_bulk(text, CATALOG)
    only(preview)
    assert [x.line_no for x in preview.valid] == [1]
    errors = {x.line_no: x.error for x in preview.errors}
    assert sorted(errors) == list(range(2, 13))
    for err in errors.values():
        assert isinstance(err, InputError)
        assert err.msgid.format(**err.params)
    assert errors[2] is not None and errors[2].params["value"] == "abc"
    assert errors[3] is not None and errors[3].params["id"] == 99
    for n in (4, 5):
        assert "link + quantity" in str(errors[n])
    # A type the bot cannot order at all says so, rather than "more than link + quantity".
    assert str(errors[6]) == "Service 5 has the type “Weird Type”, which I cannot order."
    assert "https://" in str(errors[7])
    assert errors[8] is not None and errors[8].params == {
        "field": "quantity",
        "min": 100,
        "max": 10_000,
    }
    assert preview.total_cost == Decimal("12.5")
    # An error line still names the service when it was found, for a clearer preview.
    bad_link = next(x for x in preview.errors if x.line_no == 7)
    assert bad_link.service is not None and bad_link.service.id == 1
    assert bad_link.cost is None and bad_link.quantity is None


def test_duplicates_are_warnings_pointing_at_first() -> None:
    text = (
        "1 | https://instagram.com/a | 100\n"
        "1 | instagram.com/a/ | 200\n"
        "2 | https://instagram.com/a | 100\n"
        "1 | http://www.instagram.com/a | 300\n"
        "1 | https://instagram.com/b | 100\n"
    )
    preview = parse_bulk(text, CATALOG)
    assert [(x.line_no, x.duplicate_of) for x in preview.valid] == [
        (1, None),
        (2, 1),
        (3, None),
        (4, 1),
        (5, None),
    ]
    assert preview.errors == []


def test_duplicate_of_an_invalid_line_is_not_flagged() -> None:
    preview = parse_bulk("1 | x.com/a | 1\n1 | x.com/a | 100", CATALOG)
    assert preview.valid[0].duplicate_of is None


def test_too_many_lines() -> None:
    ok = "\n".join(f"1 | x.com/{i} | 100" for i in range(5))
    assert len(parse_bulk(ok, CATALOG, max_lines=5).valid) == 5
    preview = parse_bulk(ok + "\n1 | x.com/z | 100", CATALOG, max_lines=5)
    assert preview.too_many
    assert preview.valid == [] and preview.lines == []
    assert preview.total_cost == 0
    # Comments and blank lines do not count.
    assert not parse_bulk("# c\n\n" + ok, CATALOG, max_lines=5).too_many


def test_empty_text() -> None:
    preview = parse_bulk("", CATALOG)
    assert preview.lines == [] and preview.total_cost == 0 and not preview.too_many


@settings(deadline=None)
@given(st.text(max_size=400))
def test_fuzz_never_raises_and_errors_are_input_errors(text: str) -> None:
    preview = parse_bulk(text, CATALOG, max_lines=50)
    if preview.too_many:
        return
    only(preview)
    for line in preview.errors:
        assert isinstance(line.error, InputError)
        assert line.error.msgid.format(**line.error.params)
    for line in preview.valid:
        assert line.service is not None and line.link is not None and line.quantity
        assert line.cost == line.service.cost(line.quantity)
    assert preview.total_cost == sum((x.cost or 0 for x in preview.valid), Decimal(0))


@settings(deadline=None)
@given(
    st.sampled_from(["a|b", "x,y", "p;q", "plain"]),
    st.sampled_from(["\n\r\t |;,\"'#/", "0123456789 |", "abc.com/:12 ,"]).flatmap(
        lambda alphabet: st.text(alphabet=alphabet, max_size=80)
    ),
)
def test_fuzz_separator_heavy_text(prefix: str, body: str) -> None:
    preview = parse_bulk(prefix + body, CATALOG)
    only(preview)
    assert all(isinstance(x.error, InputError) for x in preview.errors)


# Ends in a letter, digit, "_", "=" or nothing: a trailing "," or ";" is a separator.
_link_path = st.one_of(
    st.just(""),
    st.builds(
        lambda body, end: f"/{body}{end}",
        st.text("abcXYZ019_.~%,;=?&-", max_size=25),
        st.sampled_from("aZ9_="),
    ),
)
_host = st.builds(
    lambda name, tld: f"{name}.{tld}",
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
    st.sampled_from(["com", "tr", "me"]),
)


@settings(deadline=None, max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1, 2]),
            _host,
            _link_path,
            st.integers(100, 5000),
            st.sampled_from([" | ", "|", ";", ",", "\t", "  ", " , "]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_round_trip_generated_valid_lines(
    rows: list[tuple[int, str, str, int, str]],
) -> None:
    text = "\n".join(
        f"{sid}{sep}https://{host}{path}{sep}{qty}" for sid, host, path, qty, sep in rows
    )
    preview = parse_bulk(text, CATALOG)
    assert preview.errors == []
    assert [(x.service and x.service.id, x.link, x.quantity) for x in preview.valid] == [
        (sid, f"https://{host}{path}", qty) for sid, host, path, qty, _ in rows
    ]


# --- decode_upload -----------------------------------------------------------------------


def test_decode_utf8_with_and_without_bom() -> None:
    text = "1;https://x.com/ş;100\n"
    assert decode_upload(text.encode()) == text
    assert decode_upload(codecs.BOM_UTF8 + text.encode()) == text


def test_decode_cp1254_turkish_excel() -> None:
    text = "Servis;Bağlantı;Miktar\n1;https://x.com/İğş;100"
    assert decode_upload(text.encode("cp1254")) == text


def test_decode_utf16_with_bom() -> None:
    text = "1\thttps://x.com/a\t100\r\n"
    assert decode_upload(text.encode("utf-16")) == text


def test_decode_latin1_fallback_never_fails_for_text() -> None:
    data = b"1;https://x.com/\x81\x8d;100"  # bytes cp1254 leaves undefined
    assert decode_upload(data) == data.decode("latin-1")


def test_decode_rejects_large_and_binary() -> None:
    with pytest.raises(InputError) as big:
        decode_upload(b"a" * (1024 * 1024 + 1))
    assert big.value.params == {"size": 1024, "max": 1024}
    assert decode_upload(b"a" * (1024 * 1024)) == "a" * (1024 * 1024)
    with pytest.raises(InputError):
        decode_upload(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError):
        decode_upload(codecs.BOM_UTF16_LE + b"\x00\xd8")  # lone surrogate


def test_upload_then_parse() -> None:
    data = "service,link,quantity\r\n1,https://x.com/a,100\r\n".encode("utf-8-sig")
    preview = parse_bulk(decode_upload(data), CATALOG)
    assert len(preview.valid) == 1 and preview.valid[0].line_no == 2
