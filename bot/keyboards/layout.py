"""Layout helpers every keyboard shares: a button from typed callback data, rows fitted to a
phone's width, a pager."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks.base import CallbackData
from bot.i18n import Translator

# Telegram allows 100 buttons; phones show about 8 rows comfortably.
PAGE_SIZE = 8


# Telegram allows 100 buttons under one message.
MAX_BUTTONS = 100


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data.pack())


# Telegram's copy-text button copies at most this many characters.
COPY_TEXT_MAX = 256


def copy_button(text: str, value: str) -> InlineKeyboardButton | None:
    """A button that puts `value` on the user's clipboard; None when Telegram would refuse
    it (empty, or longer than it copies)."""
    if not 1 <= len(value) <= COPY_TEXT_MAX:
        return None
    return InlineKeyboardButton(text, copy_text=CopyTextButton(value))


def markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(fit_rows(rows))


# A phone shows about 32 characters across a row; the buttons of a row share that width.
ROW_MAX = 32


def label_width(label: str) -> int:
    """Characters as a phone draws them: an emoji or a wide character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)


def fit_rows(rows: Sequence[Sequence[InlineKeyboardButton]]) -> list[list[InlineKeyboardButton]]:
    """The rows, empty ones dropped, and a row too wide for a phone ("🔑 API anahtarını
    değiştir" beside "🗑 API anahtarını sil") split into one button a row, in every language."""
    fitted: list[list[InlineKeyboardButton]] = []
    for row in rows:
        if len(row) > 1 and sum(label_width(b.text) for b in row) > ROW_MAX:
            fitted += [[b] for b in row]
        elif row:
            fitted.append(list(row))
    return fitted


def pager(
    t: Translator, page: int, pages: int, page_data: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    """Prev / "page x/y" / Next; the middle button is inert (it re-renders the same page).

    `page_data(n)` is the data of the button showing page n (`UsersPage`, or a lambda).
    """
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button(t._("‹ Prev"), page_data(page - 1)))
    row.append(button(f"{page + 1}/{pages}", page_data(page)))
    if page < pages - 1:
        row.append(button(t._("Next ›"), page_data(page + 1)))
    return row


def above(
    rows: Sequence[Sequence[InlineKeyboardButton]], base: InlineKeyboardMarkup
) -> InlineKeyboardMarkup:
    """`base` with `rows` put first."""
    return markup([*rows, *base.inline_keyboard])


def prepend(
    markup: InlineKeyboardMarkup, rows: Sequence[Sequence[InlineKeyboardButton]]
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(fit_rows([*rows, *markup.inline_keyboard]))


def before_last(
    markup: InlineKeyboardMarkup, rows: Sequence[Sequence[InlineKeyboardButton]]
) -> InlineKeyboardMarkup:
    """`rows` just above the keyboard's last row (« Back)."""
    keyboard = list(markup.inline_keyboard)
    cut = max(0, len(keyboard) - 1)
    return InlineKeyboardMarkup(fit_rows([*keyboard[:cut], *rows, *keyboard[cut:]]))


Rows = list[list[InlineKeyboardButton]]
