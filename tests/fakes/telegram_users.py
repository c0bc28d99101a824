"""Test-side actors of the fake Telegram: a private-chat user and a group.

Each actor keeps one cursor into its chat's output stream (new bot messages and edits, in order).
Every user action (send, send_document, press) moves the cursor to "now", so
`await user.send("/start"); await user.reply()` returns the first bot message created after the
send even if it arrived before reply() was awaited. reply() skips edits; update() returns either.
"""

# The spec'd public API takes `timeout=` arguments; callers rely on that shape.
# ruff: noqa: ASYNC109

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.fakes import WAIT_SECONDS
from tests.fakes.telegram_models import ApiCall, BotMessage

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeTelegram, _Chat

__all__ = ["FakeGroup", "FakeUser"]

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def command_entities(text: str) -> list[dict[str, Any]]:
    """A leading /command gets a bot_command entity, as Telegram's clients produce."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": match.end()}]


class _ChatActor:
    """Cursor-based view of one chat's bot output."""

    def __init__(self, fake: FakeTelegram, chat_id: int) -> None:
        self._fake = fake
        self.chat_id = chat_id
        self._cursor = 0

    @property
    def _chat(self) -> _Chat:
        return self._fake._chats[self.chat_id]

    def _mark_now(self) -> None:
        self._cursor = len(self._chat.events)

    def describe_chat(self, last: int = 15) -> str:
        messages = self._chat.messages[-last:]
        if not messages:
            return f"chat {self.chat_id} is empty"
        lines = "\n  ".join(m.describe() for m in messages)
        return f"chat {self.chat_id} (last {len(messages)} messages):\n  {lines}"

    async def _next_event(self, kinds: tuple[str, ...], timeout: float, what: str) -> BotMessage:
        found: list[BotMessage] = []

        def ready() -> bool:
            events = self._chat.events
            for index in range(self._cursor, len(events)):
                kind, message = events[index]
                if kind in kinds and message.from_bot:
                    self._cursor = index + 1
                    found.append(message)
                    return True
            return False

        try:
            await self._fake._wait(ready, timeout)
        except TimeoutError:
            raise AssertionError(
                f"no {what} from the bot in chat {self.chat_id} within {timeout}s; "
                f"{self.describe_chat()}"
            ) from None
        return found[0]

    async def reply(self, timeout: float = WAIT_SECONDS) -> BotMessage:
        """Next NEW bot message after the cursor (edits in between are skipped)."""
        return await self._next_event(("new",), timeout, "new message")

    async def update(self, timeout: float = WAIT_SECONDS) -> BotMessage:
        """Next bot output after the cursor: a new message or an edit of an existing one."""
        return await self._next_event(("new", "edit"), timeout, "new message or edit")

    def bot_messages(self) -> list[BotMessage]:
        return [m for m in self._chat.messages if m.from_bot]

    def last(self) -> BotMessage:
        for message in reversed(self._chat.messages):
            if message.from_bot and not message.deleted:
                return message
        raise AssertionError(f"the bot has no visible message; {self.describe_chat()}")

    def sent_texts(self) -> list[str]:
        """Current text (caption for documents) of every bot message, deleted ones included."""
        return [
            m.text if m.text is not None else (m.caption or "")
            for m in self._chat.messages
            if m.from_bot
        ]

    async def _press(
        self, user: FakeUser, button_text: str, message: BotMessage | None, exact: bool
    ) -> str:
        wanted = button_text.casefold()
        candidates = (
            [message]
            if message is not None
            else [m for m in reversed(self._chat.messages) if m.from_bot and not m.deleted]
        )
        url_only = False
        for candidate in candidates:
            buttons = candidate.inline_buttons()
            # An exact match wins over a substring match, so "Buy" doesn't hit "Buy more".
            exact_hits = [b for b in buttons if str(b.get("text", "")).casefold() == wanted]
            hits = exact_hits or (
                [] if exact else [b for b in buttons if wanted in str(b.get("text", "")).casefold()]
            )
            for button in hits:
                data = button.get("callback_data")
                if isinstance(data, str):
                    self._mark_now()
                    return self._fake._push_callback(user, candidate, data, self.chat_id)
                url_only = True
        available = [
            f"#{m.message_id}: {[t for t, _ in m.buttons()]}" for m in candidates if m.buttons()
        ]
        reason = "only URL/non-callback buttons match" if url_only else "no button matches"
        raise AssertionError(
            f"cannot press {button_text!r} in chat {self.chat_id}: {reason}; "
            f"buttons available: {available or 'none'}"
        )


class FakeUser(_ChatActor):
    """A Telegram user in a private chat with the bot (chat_id == user id)."""

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        *,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> None:
        super().__init__(fake, user_id)
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username is not None:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        return data

    def chat_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username is not None:
            data["username"] = self.username
        return data

    async def send(self, text: str) -> BotMessage:
        """Send a text message to the bot; a leading /command gets its bot_command entity."""
        message = self._fake._user_message(self, self.chat_id, text=text)
        self._mark_now()
        self._fake._push_message_update(message)
        return message

    async def send_document(
        self,
        file_name: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str = "text/plain",
    ) -> BotMessage:
        file = self._fake._store_file(file_name, content, mime_type)
        message = self._fake._user_message(self, self.chat_id, document=file, caption=caption)
        self._mark_now()
        self._fake._push_message_update(message)
        return message

    async def send_sticker(self, emoji: str = "👍") -> BotMessage:
        """Send a sticker (no text, no document), as a phone's sticker panel does."""
        self._fake._file_seq += 1
        seq = self._fake._file_seq
        sticker = {
            "file_id": f"CAACAgIAAxkBAAI{seq:06d}sticker",
            "file_unique_id": f"AgAD{seq:06d}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        message = self._fake._user_message(self, self.chat_id, media={"sticker": sticker})
        self._mark_now()
        self._fake._push_message_update(message)
        return message

    async def send_photo(self, content: bytes, *, caption: str | None = None) -> BotMessage:
        """Send a photo (any bytes; the fake reports one 800x600 size), optionally captioned."""
        file = self._fake._store_file(None, content, "image/jpeg")
        message = self._fake._user_message(self, self.chat_id, photo=file, caption=caption)
        self._mark_now()
        self._fake._push_message_update(message)
        return message

    async def press(
        self, button_text: str, *, message: BotMessage | None = None, exact: bool = False
    ) -> str:
        """Press an inline button (case-insensitive substring of its text); returns the query id."""
        return await self._press(self, button_text, message, exact)

    async def press_data(self, data: str, message: BotMessage) -> str:
        """Send a callback query with arbitrary (forged or replayed) data for `message`."""
        self._mark_now()
        return self._fake._push_callback(self, message, data, self.chat_id)

    async def answer(self, query_id: str, timeout: float = WAIT_SECONDS) -> ApiCall:
        """The bot's answerCallbackQuery call for `query_id` (ok or not)."""
        return await self._answer_to(
            "answerCallbackQuery", "callback_query_id", query_id, timeout, "callback query"
        )

    async def inline_query(
        self, query: str, *, chat_type: str = "private", timeout: float = WAIT_SECONDS
    ) -> ApiCall:
        """Type `@bot query` in a chat of `chat_type`; the bot's answerInlineQuery call."""
        query_id = self._fake._push_inline_query(self, query, chat_type)
        return await self._answer_to(
            "answerInlineQuery", "inline_query_id", query_id, timeout, f"inline query {query!r}"
        )

    async def _answer_to(
        self, method: str, id_param: str, query_id: str, timeout: float, what: str
    ) -> ApiCall:
        found: list[ApiCall] = []

        def ready() -> bool:
            for call in self._fake.calls:
                if call.method == method and str(call.params.get(id_param)) == query_id:
                    found.append(call)
                    return True
            return False

        try:
            await self._fake._wait(ready, timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not answer {what} ({query_id}) within {timeout}s; "
                f"{self.describe_chat()}"
            ) from None
        return found[0]


class FakeGroup(_ChatActor):
    """A group chat the bot is in. The fake delivers every message (no privacy mode)."""

    def __init__(self, fake: FakeTelegram, chat_id: int, title: str) -> None:
        super().__init__(fake, chat_id)
        self.id = chat_id
        self.title = title

    def chat_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": "group", "title": self.title}

    async def send(self, user: FakeUser, text: str) -> BotMessage:
        message = self._fake._user_message(user, self.chat_id, text=text)
        self._mark_now()
        self._fake._push_message_update(message)
        return message

    async def press(
        self,
        user: FakeUser,
        button_text: str,
        *,
        message: BotMessage | None = None,
        exact: bool = False,
    ) -> str:
        return await self._press(user, button_text, message, exact)
