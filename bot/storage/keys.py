"""Users' panel API keys, encrypted at rest; plaintext exists only in return values."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.storage.crypto import KeyCipher, UndecryptableKey
from bot.storage.db import Database

log = logging.getLogger(__name__)

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class UnreadableKey:
    """A stored key no configured encryption key opens (ENCRYPTION_KEY lost or replaced)."""

    user_id: int
    # A digest of the ciphertext: tells one stored value from another, reveals nothing.
    fingerprint: str


@dataclass(frozen=True, slots=True)
class KeyScan:
    readable: list[str]
    unreadable: list[UnreadableKey]


class KeysRepo:
    __slots__ = ("_cipher", "_clock", "_db")

    def __init__(self, db: Database, cipher: KeyCipher, *, clock: Clock = time.time) -> None:
        self._db = db
        self._cipher = cipher
        self._clock = clock

    def __repr__(self) -> str:
        return "KeysRepo()"

    async def set(self, user_id: int, api_key: str) -> None:
        """Store (or replace) the key; a new key un-pauses polling. The user row must exist."""
        token = self._cipher.encrypt(api_key)
        await self._db.execute(
            """
            INSERT INTO panel_keys (user_id, ciphertext, added_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                ciphertext = excluded.ciphertext,
                added_at = excluded.added_at,
                paused = 0,
                paused_notified = 0
            """,
            (user_id, token, self._clock()),
        )

    async def get(self, user_id: int) -> str | None:
        """The decrypted key; raises `UndecryptableKey` if the encryption key was lost."""
        row = await self._db.fetchone(
            "SELECT ciphertext FROM panel_keys WHERE user_id = ?", (user_id,)
        )
        return None if row is None else self._cipher.decrypt(bytes(row[0]))

    async def delete(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM panel_keys WHERE user_id = ?", (user_id,)) > 0

    async def has(self, user_id: int) -> bool:
        row = await self._db.fetchone("SELECT 1 FROM panel_keys WHERE user_id = ?", (user_id,))
        return row is not None

    async def set_paused(self, user_id: int, paused: bool) -> bool:
        """True when this call changed the state. Un-pausing re-arms the one-time notice."""
        changed = await self._db.execute(
            """
            UPDATE panel_keys SET paused = ?, paused_notified = CASE WHEN ? = 1 THEN paused_notified
            ELSE 0 END WHERE user_id = ? AND paused != ?
            """,
            (int(paused), int(paused), user_id, int(paused)),
        )
        return changed > 0

    async def is_paused(self, user_id: int) -> bool:
        row = await self._db.fetchone("SELECT paused FROM panel_keys WHERE user_id = ?", (user_id,))
        return bool(row[0]) if row else False

    async def mark_paused_notified(self, user_id: int) -> bool:
        """Atomically claim the "your key was rejected" notice: True for exactly one caller."""
        changed = await self._db.execute(
            "UPDATE panel_keys SET paused_notified = 1 "
            "WHERE user_id = ? AND paused = 1 AND paused_notified = 0",
            (user_id,),
        )
        return changed > 0

    async def active_user_ids(self) -> list[int]:
        """Users whose key is not paused (the ones the poller should work for)."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM panel_keys WHERE paused = 0 ORDER BY user_id"
        )
        return [int(r[0]) for r in rows]

    async def all_plaintext(self) -> list[str]:
        """Every stored key, decrypted, for the log-redaction filter; unreadable ones skipped."""
        rows = await self._db.fetchall("SELECT user_id, ciphertext FROM panel_keys")
        keys: list[str] = []
        for user_id, token in rows:
            try:
                keys.append(self._cipher.decrypt(bytes(token)))
            except UndecryptableKey:
                log.warning("Stored panel key of user %s cannot be decrypted", user_id)
        return keys

    async def scan(self) -> KeyScan:
        """Every stored key: the readable ones decrypted, the unreadable ones by user."""
        rows = await self._db.fetchall(
            "SELECT user_id, ciphertext FROM panel_keys ORDER BY user_id"
        )
        readable: list[str] = []
        unreadable: list[UnreadableKey] = []
        for user_id, token in rows:
            try:
                readable.append(self._cipher.decrypt(bytes(token)))
            except UndecryptableKey:
                digest = hashlib.sha256(bytes(token)).hexdigest()[:16]
                unreadable.append(UnreadableKey(int(user_id), digest))
        return KeyScan(readable, unreadable)

    async def rotate_all(self) -> int:
        """Re-encrypt every stored key with the first configured key; returns how many."""
        rotated = 0
        async with self._db.transaction() as tx:
            rows = await tx.fetchall("SELECT user_id, ciphertext FROM panel_keys")
            for user_id, token in rows:
                try:
                    new = self._cipher.rotate(bytes(token))
                except UndecryptableKey:
                    log.warning("Stored panel key of user %s cannot be decrypted", user_id)
                    continue
                await tx.execute(
                    "UPDATE panel_keys SET ciphertext = ? WHERE user_id = ?", (new, user_id)
                )
                rotated += 1
        return rotated
