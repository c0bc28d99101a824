"""Telegram's HTML parse_mode, strict enough to catch what the real server rejects.

The fake renders HTML the way Telegram does (plain text + entities with UTF-16 offsets) so that
"message is not modified" can be decided on rendered content, and so bad markup is answered with
the same "can't parse entities" 400 the real server sends.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["EntityParseError", "parse_html", "utf16_len"]

# Tag name -> entity type. Aliases map to the same type, as in Telegram.
_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}

_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTR_RE = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)
_ENTITY_RE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


class EntityParseError(ValueError):
    """Raised with Telegram's wording (without the "Bad Request: can't parse entities: " prefix)."""


def utf16_len(text: str) -> int:
    # Telegram measures entity offsets in UTF-16 code units, not code points.
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _attrs(raw: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for match in _ATTR_RE.finditer(raw):
        name, dq, sq, bare = match.groups()
        value = next((v for v in (dq, sq, bare) if v is not None), "")
        result[name.lower()] = _ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), value)
    return result


def _decode_entity(match: re.Match[str]) -> str | None:
    named, dec, hexa = match.groups()
    if named:
        return _NAMED[named]
    code = int(dec) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) or raise EntityParseError like Telegram would."""
    out: list[str] = []
    out_len = 0  # UTF-16 length of everything emitted so far
    # (tag name, entity type, start offset, extra entity fields)
    stack: list[tuple[str, str, int, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            match = _TAG_RE.match(text, i)
            if match is None:
                raise EntityParseError(
                    f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}'
                )
            closing, name, raw_attrs, _selfclose = match.groups()
            name = name.lower()
            if closing:
                if not stack:
                    raise EntityParseError(
                        f"Unexpected end tag at byte offset {_byte_offset(text, i)}"
                    )
                top_name, etype, start, fields = stack.pop()
                if top_name != name:
                    raise EntityParseError(
                        f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                        f'expected "</{top_name}>", found "</{name}>"'
                    )
                if out_len > start:
                    entities.append({"type": etype, "offset": start, "length": out_len - start})
                    entities[-1].update(fields)
            else:
                etype_or_none = _TAG_TYPES.get(name)
                if etype_or_none is None:
                    raise EntityParseError(
                        f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                    )
                etype = etype_or_none
                attrs = _attrs(raw_attrs)
                extra: dict[str, Any] = {}
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise EntityParseError('Tag "span" must have class "tg-spoiler"')
                if name == "a":
                    href = attrs.get("href", "")
                    if href.startswith("tg://user?id="):
                        etype = "text_mention"
                    if not href:
                        # Telegram drops an <a> without href to plain text; keep it simple.
                        etype = "plain"
                    extra["url"] = href
                if name == "blockquote" and "expandable" in attrs:
                    etype = "expandable_blockquote"
                if name == "code" and stack and stack[-1][0] == "pre":
                    language = attrs.get("class", "")
                    if language.startswith("language-"):
                        # Telegram folds <pre><code class="language-x"> into one pre entity.
                        stack[-1][3]["language"] = language.removeprefix("language-")
                    etype = "plain"
                stack.append((name, etype, out_len, extra))
            i = match.end()
            continue
        if ch == "&":
            match = _ENTITY_RE.match(text, i)
            decoded = _decode_entity(match) if match else None
            if match is None or decoded is None:
                raise EntityParseError(
                    f"Character entity expected at byte offset {_byte_offset(text, i)}"
                )
            out.append(decoded)
            out_len += utf16_len(decoded)
            i = match.end()
            continue
        out.append(ch)
        out_len += utf16_len(ch)
        i += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    kept = [e for e in entities if e["type"] != "plain"]
    # Outer entities first when they start at the same offset, as Telegram orders them.
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), kept
