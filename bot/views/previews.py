"""What a closed preview says, for single and bulk orders alike (a preview is a promise)."""

from __future__ import annotations

from bot.i18n import Translator


def closed_text(t: Translator, *, expired: bool) -> str:
    """Confirm on a preview that expired, or was priced with a key that changed since."""
    if expired:
        return t._("⌛ This preview has expired; nothing was ordered.")
    return t._("Your API key changed after this preview; nothing was ordered.")


def replaced_text(t: Translator) -> str:
    """An alert: a newer preview closed this one (the open-preview cap)."""
    return t._("This preview was replaced by a newer one; nothing was ordered.")


def cancelled_text(t: Translator, n: int) -> str:
    """/cancel closed `n` open previews."""
    return t.ngettext(
        "Preview cancelled, nothing was ordered.",
        "{n} previews cancelled, nothing was ordered.",
        n,
    )
