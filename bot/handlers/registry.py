"""Central handler registration: the order here is the order PTB tries handlers in."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.callbacks.gate import RequestAccess
from bot.callbacks.start import SetLanguage, ToggleNotifications
from bot.handlers import (
    admin,
    bulk,
    catalog,
    favourites,
    keys,
    new_order,
    notifications,
    order_edit,
    order_history,
    panels,
    prices,
    resolutions,
    schedules,
    sharing,
    start,
    stats,
    zones,
)
from bot.handlers import status as order_status
from bot.handlers.dialog import DialogPart, build_dialog, closed_buttons
from bot.handlers.errors import on_error
from bot.handlers.gate import gate, request_access
from bot.handlers.menu import command_and_button, menu_pattern
from bot.handlers.routing import on_press

GATE_GROUP = -1
MAIN_GROUP = 0


def register(
    app: Application[Any, Any, Any, Any, Any, Any], *, admin_ids: Collection[int]
) -> set[str]:
    """Add every handler; returns the command names answered (for /help and set_my_commands).

    `admin_ids` are the only users the admin commands and buttons answer.
    """
    app.add_handler(TypeHandler(object, gate), group=GATE_GROUP)

    parts: list[DialogPart] = [keys.dialog_part(), bulk.dialog_part()]
    parts.append(new_order.dialog_part())
    parts.append(order_edit.dialog_part())
    parts.append(zones.dialog_part())
    parts.append(panels.dialog_part())
    parts += [resolutions.dialog_part(), schedules.dialog_part()]
    main: list[BaseHandler[Any, Any, Any]] = [build_dialog(parts, cancel=start.cancel_dialog)]
    main += [
        CommandHandler("start", start.start),
        CallbackQueryHandler(start.start, pattern=menu_pattern("home")),
        CommandHandler("help", start.help_command),
        CommandHandler("cancel", start.cancel_idle),
        # A question button no open dialog took belongs to a run that is over.
        closed_buttons(),
        *command_and_button("language", start.language_menu),
        on_press(start.set_language, SetLanguage),
        *command_and_button("settings", start.settings_menu),
        on_press(start.toggle_notifications, ToggleNotifications),
        on_press(request_access, RequestAccess),
    ]
    main += admin.handlers(admin_ids)
    main += keys.handlers()
    main += panels.handlers()
    main += catalog.handlers()
    main += favourites.handlers()
    main += new_order.handlers()
    main += order_history.handlers()
    main += resolutions.handlers() + schedules.handlers()
    main += notifications.handlers()
    main += zones.handlers()
    main += order_status.handlers()
    main += bulk.handlers()
    main += stats.handlers() + sharing.handlers() + prices.handlers()
    # Last: whatever nothing above took.
    main += [
        CallbackQueryHandler(start.unknown_callback),
        MessageHandler(filters.ALL, start.unknown_text),
    ]
    app.add_handlers(main, group=MAIN_GROUP)
    app.add_error_handler(on_error)

    commands: set[str] = set()
    for handler in main:
        commands |= _command_names(handler)
    for part in parts:
        # A dialog's own commands (/done) are answered too, within it.
        for handler in [*part.entry_points, *(h for hs in part.states.values() for h in hs)]:
            commands |= _command_names(handler)
    return commands


def _command_names(handler: BaseHandler[Any, Any, Any]) -> set[str]:
    return set(handler.commands) if isinstance(handler, CommandHandler) else set()
