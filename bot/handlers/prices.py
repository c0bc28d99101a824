"""The price watch (issue 24 part 1): /prices, Settings' 📈 Price alerts, 🔕 on a card.

The watch itself runs as a job (bot/jobs.py) and pushes through the outbox.
"""

from __future__ import annotations

from decimal import Decimal

from telegram import Update
from telegram.ext import CommandHandler

from bot.callbacks.base import callback_of
from bot.callbacks.prices import MutePrices, PriceAlertsMenu, PriceCard, SetPriceThreshold
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.catalog import browse, load_index, pressed_account, show_card
from bot.handlers.dialog import AnyHandler
from bot.handlers.routing import on_press
from bot.handlers.start import render_settings
from bot.keyboards.prices import threshold_menu
from bot.services.pricewatch import THRESHOLDS
from bot.storage.models import PanelAccount
from bot.views.catalog import service_gone
from bot.views.errors import button_expired
from bot.views.prices import muted_note, prices_text, threshold_set, threshold_text


async def prices_command(update: Update, context: BotContext) -> None:
    """/prices: the changes of the last 7 days on every panel, newest first."""
    user_id = context.user.id
    changes = await context.deps.prices.recent_changes(user_id)
    accounts = await context.deps.accounts.accounts(user_id, removed=True)
    # With one panel its name says nothing: the lines go without it.
    names = {a.slot: a.label for a in accounts} if len(accounts) > 1 else {}
    await ui.send(update, prices_text(context.t, changes, names))


async def alerts_menu(update: Update, context: BotContext) -> None:
    current = await context.deps.prices.threshold(context.user.id)
    await ui.answer(update)
    t = context.t
    await ui.show(update, threshold_text(t, current), threshold_menu(t, THRESHOLDS, current))


async def set_threshold(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, SetPriceThreshold)
    percent = Decimal(pressed.percent) if pressed is not None else None
    if percent is None or not await context.deps.prices.set_threshold(context.user.id, percent):
        await ui.answer(update, button_expired(context.t))
        return
    await ui.answer(update)
    await render_settings(update, context, threshold_set(context.t, percent))


async def toggle_mute(update: Update, context: BotContext) -> None:
    """🔕 / 🔔 on a card: that service's price alerts on that panel; the card is shown again."""
    named = await pressed_account(update, context, MutePrices)
    if named is None:
        return
    pressed, account = named
    prices = context.deps.prices
    await prices.mute(context.user.id, account.slot, pressed.service_id, pressed.mute)
    await ui.answer(update, muted_note(context.t, muted=pressed.mute))
    await _card(update, context, account, pressed.service_id, (pressed.category, pressed.page))


async def open_card(update: Update, context: BotContext) -> None:
    """A "#101" button under a digest: the card as a new message on that panel."""
    named = await pressed_account(update, context, PriceCard)
    if named is None:
        return
    pressed, account = named
    await ui.answer(update)
    await _card(update, context, account, pressed.service_id, (-1, 0), new=True)


async def _card(
    update: Update,
    context: BotContext,
    account: PanelAccount,
    service_id: int,
    place: tuple[int, int],
    *,
    new: bool = False,
) -> None:
    """Service `service_id`'s card on `account`'s panel (which /services now shows)."""
    index = await load_index(update, context, slot=account.slot)
    if index is None:
        return  # load_index has told the user why
    found = index.get(service_id)
    if found is None:
        await ui.answer(update, service_gone(context.t))
        return
    browse(context, None if account.is_default else account.slot)
    await show_card(update, context, index, found, place[0], place[1], new=new)


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("prices", prices_command),
        on_press(alerts_menu, PriceAlertsMenu),
        on_press(set_threshold, SetPriceThreshold),
        on_press(toggle_mute, MutePrices),
        on_press(open_card, PriceCard),
    ]
