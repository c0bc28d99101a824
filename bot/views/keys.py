"""/setkey, /deletekey and /balance: the question, its answers and the balance."""

from __future__ import annotations

from bot.i18n import Translator
from bot.panel.models import Balance
from bot.views.errors import text_needed
from bot.views.text import esc


def key_question(t: Translator, notice: str | None = None, panel: str | None = None) -> str:
    """The /setkey question; `notice` (what was wrong with the last answer) above it; `panel`:
    with several panels, the default one, whose key this replaces."""
    text = t._(
        "Send me your panel API key (you find it on the panel's API page).\n"
        "I delete your message right away and store the key encrypted."
    )
    if panel is not None:
        text += "\n" + t._(
            "🔗 It replaces the key of <b>{panel}</b>, your default panel. "
            "/panels adds another panel instead.",
            panel=esc(panel),
        )
    return text if notice is None else notice + "\n\n" + text


def not_text(t: Translator) -> str:
    """A file, sticker or screenshot without a caption came instead of the key: it is gone."""
    return key_question(t, text_needed(t) + " " + t._("I deleted your message."))


def not_a_key(t: Translator) -> str:
    return t._("That does not look like an API key. Send the key only, or /cancel.")


def key_refused(t: Translator) -> str:
    return t._("The panel did not accept this key. Check it and send it again, or /cancel.")


def key_not_checked(t: Translator) -> str:
    return t._(
        "The panel is unreachable right now, so your key was not saved. Please try again later."
    )


def key_saved(t: Translator, balance: Balance, panel: str | None = None) -> str:
    amount = t.balance(balance.amount, balance.currency)
    if panel is not None:
        return t._(
            "✅ Key of <b>{panel}</b> saved. Its balance: {balance}",
            panel=esc(panel),
            balance=amount,
        )
    return t._("✅ Key saved. Your balance: {balance}", balance=amount)


def delete_key_question(t: Translator, panel: str | None = None) -> str:
    """`panel`: with several panels, the default one, whose key would go."""
    if panel is not None:
        return t._(
            "Delete the API key of <b>{panel}</b>, your default panel? Its open previews stop "
            "working; your other panels keep theirs.",
            panel=esc(panel),
        )
    return t._("Delete your API key? Your open previews stop working.")


def key_deleted(t: Translator, *, removed: bool) -> str:
    return t._("Your API key was deleted.") if removed else t._("There was no API key to delete.")


def balance_text(t: Translator, balance: Balance) -> str:
    return t._("💰 Balance: <b>{balance}</b>", balance=t.balance(balance.amount, balance.currency))
