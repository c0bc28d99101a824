"""/panels: the linked panels, adding one (preset or URL, then the key), rename, default,
remove. The key is deleted from the chat at once, checked with `balance`, stored encrypted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import MessageHandler, filters

from bot.callbacks.base import callback_of
from bot.callbacks.panels import (
    BrowseMakeDefault,
    PanelAdd,
    PanelAddPreset,
    PanelAddUrl,
    PanelAlert,
    PanelBrowse,
    PanelButton,
    PanelCardOf,
    PanelCompare,
    PanelKeepName,
    PanelMakeDefault,
    PanelNewKey,
    PanelOrderService,
    PanelRemove,
    PanelRemoveYes,
    PanelRename,
    PanelServiceCard,
    PanelsList,
)
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler, DialogPart, PanelDialog, begin, end, open_run, save
from bot.handlers.keys import delete_key_message, key_text
from bot.handlers.menu import command_and_button
from bot.handlers.previews import close_after_key_change
from bot.handlers.routing import on_press
from bot.i18n import Translator
from bot.keyboards import dialog as dialog_keyboards
from bot.keyboards import layout
from bot.keyboards import menu as menu_keyboards
from bot.keyboards import panels as panels_keyboards
from bot.panel.address_guard import AddressRefused
from bot.panel.errors import InvalidApiKey, PanelError
from bot.services.accounts import NoKey
from bot.services.panels import (
    BadPanelName,
    PanelLimitReached,
    PanelLine,
    PanelLinkedAlready,
    PanelsService,
    search_panels,
    totals,
)
from bot.storage.models import LabelTaken, OrderFilter, PanelAccount
from bot.views import compare as compare_views
from bot.views import panels as views
from bot.views.errors import button_expired, panel_error_text
from bot.views.keys import not_a_key, not_text

WAIT_URL = "panel.url"
WAIT_PANEL_API_KEY = "panel.key"
WAIT_NAME = "panel.name"
WAIT_ALERT = "panel.alert"


def _service(context: BotContext) -> PanelsService:
    return context.deps.panels


def _cancel(context: BotContext, run: PanelDialog) -> InlineKeyboardMarkup:
    return dialog_keyboards.cancel_dialog(context.t, run.id)


async def show_panels(update: Update, context: BotContext) -> None:
    """/panels and its buttons: every linked panel with its balance, ★ on the default."""
    await ui.answer(update)
    lines = await _service(context).overview(context.user.id)
    t = context.t
    await ui.show(
        update,
        views.panels_text(t, lines, totals(lines)),
        panels_keyboards.panels_list(t, [line.account for line in lines]),
    )


async def _line(context: BotContext, slot: int) -> PanelLine | None:
    account = await context.deps.accounts.account(context.user.id, slot)
    if account is None:
        return None
    try:
        return PanelLine(account, await context.deps.accounts.balance(context.user.id, slot))
    except PanelError as exc:
        return PanelLine(account, None, exc)


async def show_card(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, PanelCardOf)
    await ui.answer(update)
    await _render_card(update, context, pressed.slot if pressed is not None else None)


async def _render_card(
    update: Update, context: BotContext, slot: int | None, note: str | None = None
) -> None:
    """Panel account `slot`'s card in place of the pressed message; `note` above it."""
    t = context.t
    line = await _line(context, slot) if slot is not None else None
    if line is None:
        await ui.show(update, views.panel_gone(t), panels_keyboards.only_back(t))
        return
    orders = await context.deps.storage.orders.count_for_user(
        context.user.id, filter=OrderFilter.ALL, panel_slot=line.account.slot
    )
    caps = await context.deps.panels.capabilities(context.user.id, line.account.slot)
    text = views.panel_card(t, line, orders=orders, capabilities=caps)
    await ui.show(
        update, f"{note}\n\n{text}" if note else text, panels_keyboards.panel_card(t, line.account)
    )


def refusal(t: Translator, exc: PanelLimitReached | PanelLinkedAlready) -> str:
    """The one line saying why no panel can be added (MAX_PANELS_PER_USER, or linked)."""
    if isinstance(exc, PanelLimitReached):
        return views.panel_limit_reached(t, exc.limit)
    return views.panel_linked_already(t)


async def _refused_room(update: Update, context: BotContext, url: str | None = None) -> bool:
    """True after telling the user why they cannot add a panel (`url`: a preset) now."""
    try:
        await _service(context).check_room(context.user.id, url)
    except (PanelLimitReached, PanelLinkedAlready) as exc:
        await ui.show(update, refusal(context.t, exc), panels_keyboards.only_back(context.t))
        return True
    return False


async def pick_panel(update: Update, context: BotContext) -> None:
    """➕ Add a panel: the operator's panels not linked yet, and "Other URL" when allowed."""
    await ui.answer(update)
    t = context.t
    service = _service(context)
    if await _refused_room(update, context):
        return
    left = service.unused_presets(await context.deps.accounts.accounts(context.user.id))
    text = views.pick_panel_text(t, any_left=bool(left), custom=service.allow_custom)
    await ui.show(
        update,
        text,
        panels_keyboards.pick_panel(t, [(i, p.name) for i, p in left], custom=service.allow_custom),
    )


async def ask_preset_key(update: Update, context: BotContext) -> str | int:
    await ui.answer(update)
    pressed = callback_of(update, PanelAddPreset)
    preset = _service(context).preset(pressed.index) if pressed is not None else None
    if preset is None:
        await ui.show(update, views.panel_gone(context.t))
        return end(context)
    if await _refused_room(update, context, preset.url):
        return end(context)
    run = begin(context, PanelDialog)
    run.step, run.preset = "key", pressed.index if pressed is not None else None
    save(context, run)
    await ui.show(update, views.panel_key_question(context.t, preset.name), _cancel(context, run))
    return WAIT_PANEL_API_KEY


async def ask_url(update: Update, context: BotContext) -> str | int:
    await ui.answer(update)
    if not _service(context).allow_custom:
        await ui.show(update, views.panel_gone(context.t))
        return end(context)
    if await _refused_room(update, context):
        return end(context)
    run = begin(context, PanelDialog)
    run.step = "url"
    save(context, run)
    question = views.url_question(context.t, allow_private=_service(context).allow_private)
    await ui.show(update, question, _cancel(context, run))
    return WAIT_URL


async def receive_url(update: Update, context: BotContext) -> str | int:
    run = open_run(context, PanelDialog)
    message = update.effective_message
    if run is None or message is None:
        return end(context)
    t = context.t
    service = _service(context)
    try:
        url = service.check_url((message.text or "").strip())
    except AddressRefused as exc:
        notice = views.url_refused(t, str(exc))
        question = views.url_question(t, notice, allow_private=service.allow_private)
        await ui.send(update, question, _cancel(context, run))
        return WAIT_URL
    run.step, run.url = "key", url
    save(context, run)
    await ui.send(update, views.panel_key_question(t, url), _cancel(context, run))
    return WAIT_PANEL_API_KEY


async def receive_key(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    run = open_run(context, PanelDialog)
    if message is None:
        return WAIT_PANEL_API_KEY
    # Delete first, whatever comes next: the key must not stay in the chat.
    await delete_key_message(message)
    if run is None:
        return end(context)
    t = context.t
    text = key_text(message)
    api_key = (text or "").strip()
    if text is None or not api_key or len(api_key) > 256 or any(c.isspace() for c in api_key):
        await ui.send(update, not_text(t) if text is None else not_a_key(t), _cancel(context, run))
        return WAIT_PANEL_API_KEY
    service = _service(context)
    try:
        if run.slot is not None:
            account, balance = await service.replace_key(context.user.id, run.slot, api_key)
        elif run.url is not None:
            account, balance = await service.add_custom(context.user.id, run.url, api_key)
        else:
            account, balance = await service.add_preset(context.user.id, run.preset or 0, api_key)
    except InvalidApiKey:
        await ui.send(update, views.panel_key_refused(t), _cancel(context, run))
        return WAIT_PANEL_API_KEY
    except AddressRefused as exc:
        await ui.send(update, views.url_refused(t, str(exc)))
        return end(context)
    except (PanelLimitReached, PanelLinkedAlready) as exc:
        await ui.send(
            update,
            refusal(t, exc),
            panels_keyboards.panels_list(t, await context.deps.accounts.accounts(context.user.id)),
        )
        return end(context)
    except (PanelError, LookupError) as exc:
        await ui.send(update, panel_error_text(t, exc))
        return end(context)
    # A new key moves the user's key version: previews priced before are closed.
    await close_after_key_change(context)
    added = views.panel_added(t, account, balance)
    if run.url is not None:
        # Added by URL: named after its host so far; the user names it (issue 21 item 5).
        run.step, run.url, run.slot = "name", None, account.slot
        save(context, run)
        keep = layout.button(t.plain("✅ {panel}", panel=account.label), PanelKeepName(run.slot))
        question = added + "\n\n" + views.name_question(t, account.label)
        await ui.send(
            update, question, layout.markup([[keep], *_cancel(context, run).inline_keyboard])
        )
        return WAIT_NAME
    accounts = await context.deps.accounts.accounts(context.user.id)
    await ui.send(update, added, panels_keyboards.panels_list(t, accounts))
    return end(context)


async def keep_name(update: Update, context: BotContext) -> int:
    """The suggested name kept for a panel just added by URL: the panels, as /panels."""
    run = open_run(context, PanelDialog)
    pressed = callback_of(update, PanelKeepName)
    if run is None or pressed is None or pressed.slot != run.slot:
        await ui.answer(update, button_expired(context.t))
        return end(context)
    end_state = end(context)
    await show_panels(update, context)
    return end_state


async def _pressed_account(
    update: Update, context: BotContext, kind: type[PanelButton]
) -> PanelAccount | None:
    """The user's own panel account a button names; None for an old, removed or forged one."""
    pressed = callback_of(update, kind)
    return await context.deps.accounts.account(context.user.id, pressed.slot) if pressed else None


@dataclass(frozen=True, slots=True)
class _Question:
    """One question a panel's card asks about that panel: the panel dialog's step, the state
    that waits for the answer, and the question's text."""

    step: str
    state: str
    text: Callable[[Translator, PanelAccount], str]


# By the card's button that asks it. A new key replaces the old once the panel accepts it.
_QUESTIONS: Mapping[type[PanelButton], _Question] = {
    PanelRename: _Question("name", WAIT_NAME, lambda t, a: views.rename_question(t, a.label)),
    PanelAlert: _Question("alert", WAIT_ALERT, views.alert_question),
    PanelNewKey: _Question(
        "key", WAIT_PANEL_API_KEY, lambda t, a: views.panel_key_question(t, a.label)
    ),
}


async def ask_about(update: Update, context: BotContext) -> str | int:
    """✏️ Rename, 🔔 Alert or 🔑 New key on a panel's card: its question about that panel."""
    await ui.answer(update)
    pressed = callback_of(update, PanelButton)
    question = None if pressed is None else _QUESTIONS.get(type(pressed))
    account = await _pressed_account(update, context, PanelButton)
    if question is None or account is None:
        await ui.show(update, views.panel_gone(context.t))
        return end(context)
    run = begin(context, PanelDialog)
    run.step, run.slot = question.step, account.slot
    save(context, run)
    await ui.show(update, question.text(context.t, account), _cancel(context, run))
    return question.state


@dataclass(frozen=True, slots=True)
class _Answer:
    """A message answering a question about a panel: the open dialog, its text, the panel."""

    run: PanelDialog
    text: str
    account: PanelAccount


async def _answer_about(update: Update, context: BotContext) -> _Answer | None:
    """The answer to the open question about a panel; None, the panel's loss told, when the
    dialog or the panel is gone: the dialog ends."""
    run = open_run(context, PanelDialog)
    message = update.effective_message
    if run is None or message is None or run.slot is None:
        return None
    account = await context.deps.accounts.account(context.user.id, run.slot)
    if account is None:
        await ui.send(update, views.panel_gone(context.t))
        return None
    return _Answer(run, message.text or "", account)


async def receive_name(update: Update, context: BotContext) -> str | int:
    answer = await _answer_about(update, context)
    if answer is None:
        return end(context)
    t, run, account = context.t, answer.run, answer.account
    try:
        name = await _service(context).rename(context.user.id, account.slot, answer.text)
    except BadPanelName:
        notice = views.bad_name(t)
    except LabelTaken:
        notice = views.name_taken(t)
    except LookupError:
        await ui.send(update, views.panel_gone(t))
        return end(context)
    else:
        accounts = await context.deps.accounts.accounts(context.user.id)
        await ui.send(update, views.renamed(t, name), panels_keyboards.panels_list(t, accounts))
        return end(context)
    await ui.send(update, views.rename_question(t, account.label, notice), _cancel(context, run))
    return WAIT_NAME


async def receive_alert(update: Update, context: BotContext) -> str | int:
    answer = await _answer_about(update, context)
    if answer is None:
        return end(context)
    t, run, account = context.t, answer.run, answer.account
    threshold = views.parse_threshold(t, answer.text)
    if threshold is False:
        text = views.alert_question(t, account, views.bad_threshold(t))
        await ui.send(update, text, _cancel(context, run))
        return WAIT_ALERT
    await context.deps.accounts.repo.set_low_balance(context.user.id, account.slot, threshold)
    accounts = await context.deps.accounts.accounts(context.user.id)
    await ui.send(
        update,
        views.alert_set(t, account.label, threshold),
        panels_keyboards.panels_list(t, accounts),
    )
    return end(context)


async def make_default(update: Update, context: BotContext) -> None:
    t = context.t
    account = await _pressed_account(update, context, PanelMakeDefault)
    if account is None or not await _service(context).make_default(context.user.id, account.slot):
        await ui.answer(update, views.panel_gone(t))
        return
    await ui.answer(update)
    # Back to the card the button was on (issue 21, low), which now shows the ★.
    await _render_card(update, context, account.slot, views.default_now(t, account.label))


async def ask_remove(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    t = context.t
    account = await _pressed_account(update, context, PanelRemove)
    if account is None:
        await ui.show(update, views.panel_gone(t), panels_keyboards.only_back(t))
        return
    open_orders = await context.deps.storage.orders.count_for_user(
        context.user.id, filter=OrderFilter.OPEN, panel_slot=account.slot
    )
    buttons = panels_keyboards.confirm_remove(t, account.slot)
    await ui.show(update, views.remove_question(t, account.label, open_orders), buttons)


async def remove(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    t = context.t
    account = await _pressed_account(update, context, PanelRemoveYes)
    if account is None or not await _service(context).remove(context.user.id, account.slot):
        await ui.show(update, views.panel_gone(t), panels_keyboards.only_back(t))
        return
    await close_after_key_change(context)
    accounts = await context.deps.accounts.accounts(context.user.id)
    await ui.show(
        update, views.removed(t, account.label), panels_keyboards.panels_list(t, accounts)
    )


def dialog_part() -> DialogPart:
    # Every message but a command: each question answers whatever is sent.
    text = ~filters.COMMAND
    return DialogPart(
        entry_points=[
            on_press(ask_preset_key, PanelAddPreset),
            on_press(ask_url, PanelAddUrl),
            on_press(ask_about, *_QUESTIONS),
        ],
        states={
            WAIT_URL: [MessageHandler(text, receive_url)],
            # A key may come as a caption or in a screenshot too: all are deleted.
            WAIT_PANEL_API_KEY: [MessageHandler(text, receive_key)],
            WAIT_NAME: [
                MessageHandler(text, receive_name),
                on_press(keep_name, PanelKeepName),
            ],
            WAIT_ALERT: [MessageHandler(text, receive_alert)],
        },
    )


def handlers() -> list[AnyHandler]:
    return [
        *command_and_button("panels", show_panels),
        on_press(show_panels, PanelsList),
        on_press(show_card, PanelCardOf),
        on_press(pick_panel, PanelAdd),
        on_press(make_default, PanelMakeDefault),
        on_press(ask_remove, PanelRemove),
        on_press(remove, PanelRemoveYes),
        on_press(compare, PanelCompare),
    ]


async def compare(update: Update, context: BotContext) -> None:
    """⚖️ Compare on a service card: similar services on the user's other panels."""
    t = context.t
    pressed = await ui.pressed_or_expired(update, t, PanelCompare)
    if pressed is None:
        return
    await ui.answer(update)
    try:
        comparison = await context.deps.compare.compare(
            context.user.id, pressed.slot, pressed.service_id
        )
    except LookupError:
        await ui.send(update, button_expired(t))
        return
    except (NoKey, PanelError) as exc:
        await ui.send(update, panel_error_text(t, exc))
        return
    offers = [comparison.base, *comparison.offers[: compare_views.MAX_OFFERS]]
    rows = [
        [
            layout.button(
                compare_views.order_here_label(t, offer),
                PanelOrderService(offer.slot, offer.service.id),
            )
        ]
        for offer in offers
    ]
    await ui.send(update, compare_views.compare_text(t, comparison), layout.markup(rows))


def with_panel_switch(
    t: Translator,
    text: str,
    markup: InlineKeyboardMarkup,
    accounts: list[PanelAccount],
    shown: int | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """/services with several panels: which one is shown (`shown`, a slot; None: the
    default), a 🔁 button for each other, and ★ Make default while looking at another one.
    Looking changes nothing: /order and /bulk keep the ★ default (issue 21 item 3)."""
    home = next(a for a in accounts if a.is_default)
    looked = next((a for a in accounts if a.slot == shown), home)
    switch = [
        layout.button(
            t.plain("🔁 {panel}", panel=("★ " if a.is_default else "") + a.label),
            PanelBrowse(a.slot),
        )
        for a in accounts
        if a.slot != looked.slot
    ]
    rows = [list(row) for row in markup.inline_keyboard]
    if looked is home:
        head = views.browsing(t, home.label)
        extra = []
    else:
        head = views.looking_at(t, looked.label, home.label)
        extra = [[layout.button(t._("★ Make default"), BrowseMakeDefault(looked.slot))]]
    # Three switch buttons a row: names are up to 24 characters.
    switch_rows = [switch[i : i + 3] for i in range(0, len(switch), 3)]
    return head + "\n" + text, layout.markup([*rows, *switch_rows, *extra])


async def search_every_panel(update: Update, context: BotContext, query: str) -> bool:
    """/services <words> with several panels: every panel searched, results grouped by panel,
    each with a button to its card there (read before ordering, issue 21 item 7). False
    (nothing done) with one panel."""
    if len(await context.deps.accounts.accounts(context.user.id)) < 2:
        return False
    t = context.t
    found = await search_panels(context.deps.accounts, context.deps.catalog, context.user.id, query)
    rows = [
        [
            layout.button(
                t.plain("🔎 {panel} #{id}", panel=group.account.label, id=service.id),
                PanelServiceCard(group.account.slot, service.id),
            )
        ]
        for group in found
        for service in group.services
    ]
    rows.append(menu_keyboards.back_to_menu(t))
    await ui.answer(update)
    await ui.show(update, views.search_results(t, query, found), layout.markup(rows))
    return True
