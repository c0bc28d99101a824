"""Records kept by the fake Telegram server: API calls, files and chat messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ApiCall", "BotMessage", "FakeFile"]


@dataclass
class ApiCall:
    """One request the bot made. `params` are decoded (JSON-typed fields parsed, strings kept)."""

    method: str
    params: dict[str, Any]
    at: float  # FakeTelegram.clock() when answered (time.monotonic by default)
    status: int  # HTTP status; 0 when the connection was dropped without an answer
    response: dict[str, Any]
    # True for answers the test asked for: inject(), rate_limit and reset_connection_once.
    injected: bool = False
    # Uploaded multipart parts: part name -> (file name, bytes, content type).
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def description(self) -> str | None:
        value = self.response.get("description")
        return value if isinstance(value, str) else None


@dataclass
class FakeFile:
    file_id: str
    file_name: str | None
    content: bytes
    mime_type: str | None
    file_unique_id: str = ""
    file_path: str = ""

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        return doc

    def to_photo_size(self) -> dict[str, Any]:
        # The fake does not decode images: every photo reports one fixed 800x600 size.
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "width": 800,
            "height": 600,
        }


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or baseline/progressive JPEG; None for anything else."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if content.startswith(b"\xff\xd8"):
        at = 2
        while at + 9 < len(content) and content[at] == 0xFF:
            marker, length = content[at + 1], int.from_bytes(content[at + 2 : at + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                height = int.from_bytes(content[at + 5 : at + 7], "big")
                return int.from_bytes(content[at + 7 : at + 9], "big"), height
            at += 2 + length
    return None


@dataclass(eq=False)
class BotMessage:
    """A message in a fake chat, sent by the bot or by a fake user.

    Mutable on purpose: edits replace text/markup in place (edit_count += 1), deletes set `deleted`.
    `text` is exactly what was sent (raw HTML when parse_mode="HTML"); `plain_text` is what the
    user sees, with `entities` as Telegram would report them.
    """

    chat_id: int
    message_id: int
    from_bot: bool
    text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: FakeFile | None = None
    caption: str | None = None
    deleted: bool = False
    edit_count: int = 0
    date: int = 0
    plain_text: str | None = None
    plain_caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    link_preview_options: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    from_user_id: int | None = None  # the fake user who sent it; None for the bot
    edit_date: int | None = None
    # Other message content a user sent, as Bot API fields (e.g. {"sticker": {...}}).
    media: dict[str, Any] | None = None
    photo: FakeFile | None = None  # a user's photo (one size); `caption` is its caption

    def _rows(self) -> list[list[dict[str, Any]]]:
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        result: list[list[dict[str, Any]]] = []
        for row in rows:
            result.append([b if isinstance(b, dict) else {"text": str(b)} for b in row])
        return result

    def button_rows(self) -> list[list[tuple[str, str]]]:
        """(text, callback_data or url or copied text or "") per button, row by row."""
        return [[(b.get("text", ""), _button_target(b)) for b in row] for row in self._rows()]

    def buttons(self) -> list[tuple[str, str]]:
        return [button for row in self.button_rows() for button in row]

    def inline_buttons(self) -> list[dict[str, Any]]:
        """Raw inline keyboard button objects, flattened (empty for reply keyboards)."""
        markup = self.reply_markup or {}
        return [b for row in markup.get("inline_keyboard") or [] for b in row]

    @property
    def shown_text(self) -> str | None:
        """What the user reads: rendered text, or the document caption."""
        return self.plain_text if self.plain_text is not None else self.plain_caption

    def describe(self) -> str:
        who = "bot" if self.from_bot else f"user {self.from_user_id}"
        flags = []
        if self.deleted:
            flags.append("deleted")
        if self.edit_count:
            flags.append(f"edited x{self.edit_count}")
        if self.text is not None:
            body = self.text
        elif self.photo is not None:
            body = f"[photo] {self.caption or ''}"
        elif self.media:
            body = f"[{', '.join(self.media)}]"
        else:
            name = self.document.file_name if self.document else None
            body = f"[document {name}] {self.caption or ''}"
        line = f"#{self.message_id} {who}{' (' + ', '.join(flags) + ')' if flags else ''}: {body!r}"
        if self.reply_markup:
            line += f" buttons={[t for t, _ in self.buttons()]}"
        return line


def _button_target(button: dict[str, Any]) -> str:
    for key in ("callback_data", "url"):
        value = button.get(key)
        if isinstance(value, str):
            return value
    # A copy-text button: what it puts on the clipboard.
    copy = button.get("copy_text")
    if isinstance(copy, dict) and isinstance(copy.get("text"), str):
        return str(copy["text"])
    return ""
