"""Sharing an order's card in another chat (bot/handlers/sharing.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, SwitchInlineQueryChosenChat

from bot.i18n import Translator


def share_button(t: Translator, panel_order_id: int) -> InlineKeyboardButton:
    """Opens a chat picker with `@bot <id>` typed in: the user's inline query for the card."""
    return InlineKeyboardButton(
        t._("📤 Share"),
        switch_inline_query_chosen_chat=SwitchInlineQueryChosenChat(
            query=str(panel_order_id),
            allow_user_chats=True,
            allow_group_chats=True,
            allow_channel_chats=True,
        ),
    )
