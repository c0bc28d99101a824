"""The key under which two links point at the same page (the duplicate-link guard, issue 24).

Panels match links literally, so the link an order sends is never changed (see
`bot.services.validation.normalize_link`). Only for comparing two links is it reduced to a key:
the scheme goes (http and https name the same page), the host is lowercased without `www.` and
without a default port, trailing slashes and the `#fragment` go, and so do the tracking
parameters that share buttons add (`utm_*`, `fbclid`, `igshid`, `si`…); the other parameters
are kept, sorted, because they can name another page (`watch?v=…`). The path keeps its case:
a YouTube id or a shortened link is case-sensitive.

Imported by storage (the `orders.link_key` column) and services alike, so it sits under both and
imports nothing of the bot. Never raises: any text has a key.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Query parameters that say who shared a link or where it was clicked, never which page it is.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "igsh",
        "si",
        "mc_cid",
        "mc_eid",
        "_ga",
        "ref_src",
        "ref_url",
        "feature",
        # TikTok's share sheet
        "_r",
        "_t",
        "is_from_webapp",
        "sender_device",
        "share_app_id",
    }
)
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"", "80", "443"}
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"


def _tracking(name: str) -> bool:
    folded = name.lower()
    return folded in TRACKING_PARAMETERS or folded.startswith(TRACKING_PREFIXES)


def _host(netloc: str) -> str:
    """Lowercased host without user info, `www.` and a default port."""
    host = netloc.rsplit("@", 1)[-1].lower()
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit() and "]" not in port:
        host = name if port in _DEFAULT_PORTS else f"{name}:{port}"
    elif colon and not port:
        host = name
    return host.removeprefix("www.")


def link_key(link: str) -> str:
    """`https://www.Instagram.com/p/Ab1/?utm_source=ig&igshid=x` → `instagram.com/p/Ab1`."""
    text = link.strip().strip(_INVISIBLE).strip()
    scheme_end = text.find("://")
    if scheme_end < 0 or not text[:scheme_end].isalpha():
        text = "//" + text.removeprefix("//")
    else:
        text = text[scheme_end + 1 :]
    try:
        parts = urlsplit(text)
    except ValueError:
        return text.lower()
    path = parts.path.rstrip("/")
    # Compared as written (no decoding): a share button writes its parameters one way.
    kept = sorted(
        pair for pair in parts.query.split("&") if pair and not _tracking(pair.split("=", 1)[0])
    )
    query = "&".join(kept)
    return _host(parts.netloc) + path + (f"?{query}" if query else "")
