"""The ordering dialog's questions, quick answers, preview and result
(bot/handlers/new_order.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.callbacks import new_order as cb
from bot.callbacks.catalog import CategoriesPage
from bot.callbacks.menu import Menu
from bot.callbacks.notifications import OpenCard
from bot.callbacks.order_edit import EditAnswer, LastLink, QuestionBack, QuickQuantity
from bot.callbacks.schedules import ScheduleLater
from bot.i18n import Translator
from bot.keyboards.dialog import dialog_cancel_button
from bot.keyboards.layout import above, button, markup
from bot.keyboards.menu import back_to_menu
from bot.keyboards.resolutions import settle_unknown_rows


def order_pick_service(t: Translator, instance: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [button(t._("🛍 Browse services"), CategoriesPage(0))],
            [dialog_cancel_button(t, instance)],
        ]
    )


def order_dripfeed(t: Translator, instance: str, question: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("Yes, drip-feed"), cb.DripfeedChoice(instance, question, yes=True)),
                button(t._("No, all at once"), cb.DripfeedChoice(instance, question, yes=False)),
            ],
            [question_back(t, instance, question), dialog_cancel_button(t, instance)],
        ]
    )


def question_back(t: Translator, instance: str, question: str) -> InlineKeyboardButton:
    """« Back at an order question (of run `instance`): to the previous one."""
    return button(t._("« Back"), QuestionBack(instance, question))


# A link button shows this many characters at most (phones show about 30).
LINK_LABEL_CHARS = 28


def link_label(link: str) -> str:
    """A used link as a short button label: no scheme, no "www.", cut with "…"."""
    short = link.split("://", 1)[-1].removeprefix("www.")
    if len(short) > LINK_LABEL_CHARS:
        short = short[: LINK_LABEL_CHARS - 1] + "…"
    return "🔗 " + short


@dataclass(frozen=True, slots=True)
class QuestionOffers:
    """What a question of the order dialog offers besides « Back and ✖️ Cancel: Skip, the
    drip-feed switch (None: none; ✅ when on), quick quantities (or intervals), used links
    ((order id, link)), the list buttons once `collected` lines are in, fixed values."""

    optional: bool = False
    dripfeed: bool | None = None
    quantities: Sequence[int] = ()
    links: Sequence[tuple[int, str]] = ()
    collected: int = 0
    choices: Sequence[int] = ()


def quick_answer_rows(
    t: Translator, instance: str, question: str, offers: QuestionOffers
) -> list[list[InlineKeyboardButton]]:
    """Quick answers: quantities (three a row, as the locale writes them; an interval's are
    minutes: "30 min") or used links (the button carries the order id only, the link may not
    fit in 64 bytes)."""

    def label(q: int) -> str:
        return t._("{n} min", n=t.number(q)) if question == "interval" else t.number(q)

    amounts = [button(label(q), QuickQuantity(instance, question, q)) for q in offers.quantities]
    rows = [amounts[i : i + 3] for i in range(0, len(amounts), 3)]
    rows += [
        [button(link_label(link), LastLink(instance, question, oid))] for oid, link in offers.links
    ]
    return rows


def order_question(
    t: Translator, instance: str, question: str, offers: QuestionOffers
) -> InlineKeyboardMarkup:
    """A question's own buttons under its quick answers: the drip-feed switch, Skip, « Back
    and ✖️ Cancel."""
    skip = [button(t._("Skip"), cb.SkipQuestion(instance, question))] if offers.optional else []
    switch = []
    dripfeed = offers.dripfeed
    if dripfeed is not None:
        label = t._("✅ ⏱ Drip-feed") if dripfeed else t._("⏱ Add drip-feed")
        switch = [button(label, cb.DripfeedChoice(instance, question, yes=not dripfeed))]
    last = [question_back(t, instance, question), dialog_cancel_button(t, instance)]
    return markup([*quick_answer_rows(t, instance, question, offers), switch, skip, last])


# A compact grid of fixed values (22 delays: 6 rows), each label short enough for a phone.
CHOICES_PER_ROW = 4


def answer_rows(
    t: Translator, instance: str, question: str, offers: QuestionOffers
) -> list[list[InlineKeyboardButton]]:
    """Rows above a question's own buttons: ✅ Done (N) once a list has lines, fixed values (a
    delay's are minutes: "30 min")."""
    rows: list[list[InlineKeyboardButton]] = []
    collected, minutes = offers.collected, question == "delay"
    if collected:
        done = t._("✅ Done ({n})", n=t.number(collected))
        rows.append([button(done, cb.FinishList(instance, question))])
        # One long button a row: they are long in Turkish.
        undo = cb.ListEdit(instance, question, cb.ListChange.UNDO)
        rows.append([button(t._("↩️ Remove the last message"), undo)])
        rows.append(
            [
                button(t._("🗑 Start over"), cb.ListEdit(instance, question, cb.ListChange.RESTART)),
                button(t._("📄 Show all"), cb.ListEdit(instance, question, cb.ListChange.SHOW)),
            ]
        )
    values = [
        button(
            t._("{n} min", n=t.number(v)) if minutes else t.number(v),
            cb.ChooseValue(instance, question, v),
        )
        for v in offers.choices
    ]
    rows += [values[i : i + CHOICES_PER_ROW] for i in range(0, len(values), CHOICES_PER_ROW)]
    return rows


def question_keyboard(
    t: Translator, instance: str, question: str, offers: QuestionOffers
) -> InlineKeyboardMarkup:
    """The keyboard of question `question` of dialog run `instance`."""
    return above(
        answer_rows(t, instance, question, offers), order_question(t, instance, question, offers)
    )


def order_preview(
    t: Translator,
    batch: str,
    edits: Sequence[tuple[str, str]] = (),
    app_url: str = "",
    *,
    anyway: bool = False,
) -> InlineKeyboardMarkup:
    """Confirm / Cancel, 🕒 Later, then one ✏️ button per answer: (field name, label), two a
    row; with the Mini App (`app_url`, WEBAPP_URL), one that opens this very preview there.

    `anyway`: the preview warned of an open order on the same link; its Confirm places
    nothing, the ⚠️ Order anyway row under it does."""
    pens = [button(t._("✏️ {field}", field=label), EditAnswer(batch, name)) for name, label in edits]
    extra = [[button(t._("⚠️ Order anyway"), cb.OrderAnyway(batch))]] if anyway else []
    rows = [
        [
            button(t._("✅ Confirm"), cb.ConfirmOrder(batch)),
            button(t._("✖️ Cancel"), cb.DiscardOrder(batch)),
        ],
        *extra,
        # Place it at a chosen time instead (bot/handlers/schedules.py); not one that warned of
        # an open order on the same link: that takes ⚠️ Order anyway, now, with the warning read.
        *([] if anyway else [[button(t._("🕒 Later"), ScheduleLater(batch))]]),
        *[pens[i : i + 2] for i in range(0, len(pens), 2)],
    ]
    if app_url:
        # The same draft: whichever Confirm comes first places it, the other is told so.
        url = app_url + ("&" if "?" in app_url else "?") + "batch=" + batch
        opener = InlineKeyboardButton(t._("📱 Open in the app"), web_app=WebAppInfo(url))
        rows.append([opener])
    return markup(rows)


def preview_again(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    """Under a preview that can no longer be confirmed: the same order, priced again."""
    return markup([[button(t._("🔄 Make a new preview"), cb.Reorder(order_id))], back_to_menu(t)])


def order_result(
    t: Translator, order_id: int | None, unknown_order: int | None = None
) -> InlineKeyboardMarkup:
    """Under "✅ Order placed": 📊 Status opens the order's card (`order_id`: the local order,
    so the card is that panel's order even where another panel has the same id). Under an
    unknown outcome, `unknown_order` (local id): the buttons that say what the panel shows."""
    status = [button(t._("📊 Status"), OpenCard(order_id))] if order_id is not None else []
    settle = [] if unknown_order is None else settle_unknown_rows(t, unknown_order)
    return markup([*settle, [*status, button(t._("➕ New order"), Menu("order"))], back_to_menu(t)])


def order_refused_dripfeed(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    """Under a result whose drip-feed the panel refused: a new preview of it without drip-feed."""
    return markup(
        [
            [button(t._("🛒 Order without drip-feed"), cb.OrderWithoutDripfeed(order_id))],
            [button(t._("➕ New order"), Menu("order"))],
            back_to_menu(t),
        ]
    )
