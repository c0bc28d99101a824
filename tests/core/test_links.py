"""`bot.links.link_key`: which spellings of a link name the same page (issue 24 item 3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.links import link_key
from bot.services.validation import normalize_link

SAME_PAGE = [
    # scheme, `www.`, host case, trailing slash
    (
        "https://instagram.com/p/Ab1",
        [
            "http://instagram.com/p/Ab1",
            "instagram.com/p/Ab1",
            "https://www.instagram.com/p/Ab1/",
            "HTTPS://WWW.Instagram.COM/p/Ab1//",
            "https://instagram.com:443/p/Ab1",
            "http://instagram.com:80/p/Ab1",
            "https://instagram.com/p/Ab1#comments",
            " \u200bhttps://instagram.com/p/Ab1\u200b ",
        ],
    ),
    # tracking parameters of share buttons and ads
    (
        "https://instagram.com/p/Ab1",
        [
            "https://instagram.com/p/Ab1/?utm_source=ig_web_copy_link",
            "https://instagram.com/p/Ab1?igshid=MzRlODBiNWFlZA==",
            "https://instagram.com/p/Ab1?igsh=abc&UTM_MEDIUM=x&fbclid=IwAR0",
            "https://instagram.com/p/Ab1?utm_content=a&utm_term=b&gclid=1&si=2",
        ],
    ),
    ("https://youtu.be/dQw4w9WgXcQ", ["https://youtu.be/dQw4w9WgXcQ?si=Xy12_ab"]),
    (
        "https://tiktok.com/@shop/video/7301",
        ["https://www.tiktok.com/@shop/video/7301?_r=1&_t=8hQ&is_from_webapp=1"],
    ),
    # the pages' own parameters are kept, in any order
    (
        "https://youtube.com/watch?v=abc&list=PL1",
        [
            "https://www.youtube.com/watch?list=PL1&v=abc",
            "https://youtube.com/watch?v=abc&feature=share&list=PL1",
        ],
    ),
]

OTHER_PAGE = [
    ("https://instagram.com/p/Ab1", "https://instagram.com/p/ab1"),  # ids are case-sensitive
    ("https://instagram.com/p/Ab1", "https://instagram.com/p/Ab2"),
    ("https://instagram.com/p/Ab1", "https://instagram.com/p/Ab1?img_index=2"),
    ("https://youtube.com/watch?v=abc", "https://youtube.com/watch?v=abd"),
    ("https://instagram.com/p/Ab1", "https://m.instagram.com/p/Ab1"),  # only `www.` goes
    ("https://t.me/x", "https://t.me:8443/x"),
    ("https://t.me/x", "https://telegram.me/x"),
]


@pytest.mark.parametrize(("base", "spellings"), SAME_PAGE)
def test_spellings_of_one_page_have_one_key(base: str, spellings: list[str]) -> None:
    for spelling in spellings:
        assert link_key(spelling) == link_key(base), spelling


@pytest.mark.parametrize(("a", "b"), OTHER_PAGE)
def test_other_pages_have_other_keys(a: str, b: str) -> None:
    assert link_key(a) != link_key(b)


def test_the_key_reads_like_the_page() -> None:
    link = "https://www.Instagram.com/p/Ab1/?utm_source=ig&igshid=x"
    assert link_key(link) == "instagram.com/p/Ab1"
    assert link_key("https://youtube.com/watch?v=a&si=b") == "youtube.com/watch?v=a"


def test_the_same_key_before_and_after_the_bots_own_normalisation() -> None:
    for typed in ("instagram.com/p/Ab1/?utm_source=x", "WWW.INSTAGRAM.COM/p/Ab1"):
        assert link_key(normalize_link(typed)) == link_key(typed)


@given(st.text(max_size=300))
def test_any_text_has_a_key(text: str) -> None:
    key = link_key(text)
    assert isinstance(key, str)
    assert link_key(text) == key
