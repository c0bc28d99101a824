"""Users' panel accounts and their API keys, encrypted at rest; plaintext only in return values.

A user links one or more panels; each is a *panel account* numbered by `slot` (1, 2, 3… per
user, never reused: a removed account stays as a tombstone without its key, so the orders placed
on it keep their panel's name). One account is the user's default. The methods that take
`slot=None` work on the default account, which is all a single-panel user ever has.

Every change of a stored key (an account added, a key replaced, an account removed) bumps
`users.key_version` in the same transaction: a preview names the version it was priced with, and
its Confirm must stop working when any key changes (bot/storage/orders.py's claim).
"""

from __future__ import annotations

import hashlib
import logging
import time
from decimal import Decimal

from bot.storage.crypto import KeyCipher, UndecryptableKey
from bot.storage.db import Database, Row, Transaction
from bot.storage.models import (
    KeyScan,
    LabelTaken,
    PanelAccount,
    PanelLimitReached,
    PanelLinkedAlready,
    UnreadableKey,
)
from bot.storage.rows import Clock, Repo, from_row, readable_decimal

log = logging.getLogger(__name__)

_BUMP = "UPDATE users SET key_version = key_version + 1 WHERE id = ?"
_LIVE = "removed_at IS NULL"


def _which(slot: int | None) -> tuple[str, tuple[int, ...]]:
    """The condition picking account `slot`, or the default one without. Built in Python,
    not `? IS NULL`: PostgreSQL cannot type a parameter that is only compared with NULL."""
    return ("is_default = 1", ()) if slot is None else ("slot = ?", (slot,))


def fold_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _account(r: Row) -> PanelAccount:
    return from_row(
        PanelAccount,
        r,
        label=r["label"] or "",
        url=r["url"] or "",
        removed=r["removed_at"] is not None,
        low_balance_threshold=readable_decimal(r["low_balance_threshold"]),
    )


_ACCOUNT_COLUMNS = (
    "user_id, slot, label, url, custom, is_default, paused, added_at, removed_at, "
    "low_balance_threshold, low_balance_alerted"
)


class AccountsRepo(Repo):
    __slots__ = ("_cipher",)

    def __init__(self, db: Database, cipher: KeyCipher, *, clock: Clock = time.time) -> None:
        super().__init__(db, clock=clock)
        self._cipher = cipher

    def __repr__(self) -> str:
        return "AccountsRepo()"

    # --- accounts -------------------------------------------------------------------------

    @staticmethod
    async def _default_slot(tx: Transaction, user_id: int) -> int | None:
        row = await tx.fetchone(
            f"SELECT slot FROM panel_accounts WHERE user_id = ? AND is_default = 1 AND {_LIVE}",
            (user_id,),
        )
        return None if row is None else int(row[0])

    @staticmethod
    async def _label_taken(
        tx: Transaction, user_id: int, label: str, *, except_slot: int | None = None
    ) -> bool:
        row = await tx.fetchone(
            f"SELECT slot FROM panel_accounts WHERE user_id = ? AND label_folded = ? AND {_LIVE}"
            " AND slot != ?",
            (user_id, fold_label(label), -1 if except_slot is None else except_slot),
        )
        return row is not None

    async def add(
        self,
        user_id: int,
        api_key: str,
        *,
        label: str,
        url: str,
        custom: bool = False,
        limit: int | None = None,
        once: bool = False,
    ) -> int:
        """Link a new panel account; returns its slot. The user's first live one is the
        default. Raises LabelTaken; PanelLimitReached when the user already has `limit` live
        accounts; PanelLinkedAlready when `once` and `url` is linked. The user row must exist.

        Checked in the write transaction: two adds racing (a forged button tapped twice) cannot
        both pass."""
        token = self._cipher.encrypt(api_key)
        async with self._db.transaction() as tx:
            if once and await self._url_linked(tx, user_id, url):
                raise PanelLinkedAlready(url)
            if limit is not None and await self._live_count(tx, user_id) >= limit:
                raise PanelLimitReached(limit)
            return await self._insert(tx, user_id, token, label=label, url=url, custom=custom)

    @staticmethod
    async def _live_count(tx: Transaction, user_id: int) -> int:
        row = await tx.fetchone(
            f"SELECT COUNT(*) FROM panel_accounts WHERE user_id = ? AND {_LIVE}", (user_id,)
        )
        return 0 if row is None else int(row[0])

    @staticmethod
    async def _url_linked(tx: Transaction, user_id: int, url: str) -> bool:
        row = await tx.fetchone(
            f"SELECT slot FROM panel_accounts WHERE user_id = ? AND url = ? AND {_LIVE}",
            (user_id, url),
        )
        return row is not None

    async def _insert(
        self, tx: Transaction, user_id: int, token: bytes, *, label: str, url: str, custom: bool
    ) -> int:
        if await self._label_taken(tx, user_id, label):
            raise LabelTaken(label)
        row = await tx.fetchone(
            "SELECT COALESCE(MAX(slot), 0) FROM panel_accounts WHERE user_id = ?", (user_id,)
        )
        slot = int(row[0]) + 1 if row is not None else 1
        first = await self._default_slot(tx, user_id) is None
        await tx.execute(
            """
            INSERT INTO panel_accounts (user_id, slot, label, label_folded, url, custom,
                                        ciphertext, added_at, is_default)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                user_id,
                slot,
                label,
                fold_label(label),
                url,
                int(custom),
                token,
                self._clock(),
                int(first),
            ),
        )
        await tx.execute(_BUMP, (user_id,))
        return slot

    async def set(
        self, user_id: int, api_key: str, *, label: str = "", url: str = "", custom: bool = False
    ) -> int:
        """/setkey: replace the default account's key, or link the first account (`label`,
        `url`) when the user has none. A new key un-pauses polling. Returns the slot."""
        token = self._cipher.encrypt(api_key)
        async with self._db.transaction() as tx:
            slot = await self._default_slot(tx, user_id)
            if slot is None:
                return await self._insert(tx, user_id, token, label=label, url=url, custom=custom)
            await self._replace(tx, user_id, slot, token)
            return slot

    async def replace_key(self, user_id: int, slot: int, api_key: str) -> bool:
        token = self._cipher.encrypt(api_key)
        async with self._db.transaction() as tx:
            return await self._replace(tx, user_id, slot, token)

    async def _replace(self, tx: Transaction, user_id: int, slot: int, token: bytes) -> bool:
        changed = await tx.execute(
            f"""
            UPDATE panel_accounts SET ciphertext = ?, added_at = ?, paused = 0,
                paused_notified = 0, low_balance_alerted = 0
            WHERE user_id = ? AND slot = ? AND {_LIVE}
            """,
            (token, self._clock(), user_id, slot),
        )
        if changed:
            await tx.execute(_BUMP, (user_id,))
        return changed > 0

    async def get(self, user_id: int, slot: int | None = None) -> str | None:
        """The decrypted key; raises `UndecryptableKey` if the encryption key was lost."""
        row = await self._live_row("ciphertext", user_id, slot)
        if row is None or row[0] is None:
            return None
        return self._cipher.decrypt(bytes(row[0]))

    async def delete(self, user_id: int, slot: int | None = None) -> bool:
        """Remove an account (the default one without `slot`): its key is erased, its row
        stays for its name. Another live account, the oldest, becomes the default."""
        async with self._db.transaction() as tx:
            if slot is None:
                slot = await self._default_slot(tx, user_id)
                if slot is None:
                    return False
            changed = await tx.execute(
                f"""
                UPDATE panel_accounts SET ciphertext = NULL, removed_at = ?, is_default = 0,
                    paused = 0, paused_notified = 0
                WHERE user_id = ? AND slot = ? AND {_LIVE}
                """,
                (self._clock(), user_id, slot),
            )
            if not changed:
                return False
            if await self._default_slot(tx, user_id) is None:
                await tx.execute(
                    f"""
                    UPDATE panel_accounts SET is_default = 1 WHERE user_id = ? AND slot = (
                        SELECT MIN(slot) FROM panel_accounts WHERE user_id = ? AND {_LIVE})
                    """,
                    (user_id, user_id),
                )
            await tx.execute(_BUMP, (user_id,))
            return True

    async def has(self, user_id: int) -> bool:
        row = await self._db.fetchone(
            f"SELECT 1 FROM panel_accounts WHERE user_id = ? AND {_LIVE}", (user_id,)
        )
        return row is not None

    async def accounts(self, user_id: int, *, removed: bool = False) -> list[PanelAccount]:
        """The user's accounts by slot; with `removed`, the tombstones too (for history)."""
        where = "" if removed else f" AND {_LIVE}"
        rows = await self._db.fetchall(
            f"SELECT {_ACCOUNT_COLUMNS} FROM panel_accounts WHERE user_id = ?{where} ORDER BY slot",
            (user_id,),
        )
        return [_account(r) for r in rows]

    async def account(self, user_id: int, slot: int | None = None) -> PanelAccount | None:
        """A live account (the default without `slot`)."""
        row = await self._live_row(_ACCOUNT_COLUMNS, user_id, slot)
        return None if row is None else _account(row)

    async def with_key(self, user_id: int, slot: int) -> tuple[PanelAccount, str] | None:
        """A live account and its decrypted key in one read (the poller's, once per key and
        cycle); None without either. Raises `UndecryptableKey` as `get` does."""
        row = await self._live_row(f"{_ACCOUNT_COLUMNS}, ciphertext", user_id, slot)
        if row is None or row["ciphertext"] is None:
            return None
        return _account(row), self._cipher.decrypt(bytes(row["ciphertext"]))

    async def _live_row(self, columns: str, user_id: int, slot: int | None) -> Row | None:
        """`columns` of a live account (the default one without `slot`)."""
        which, which_params = _which(slot)
        return await self._db.fetchone(
            f"SELECT {columns} FROM panel_accounts WHERE user_id = ? AND {which} AND {_LIVE}",
            (user_id, *which_params),
        )

    async def rename(self, user_id: int, slot: int, label: str) -> bool:
        """Raises LabelTaken; False when there is no such live account."""
        async with self._db.transaction() as tx:
            if await self._label_taken(tx, user_id, label, except_slot=slot):
                raise LabelTaken(label)
            changed = await tx.execute(
                f"UPDATE panel_accounts SET label = ?, label_folded = ? "
                f"WHERE user_id = ? AND slot = ? AND {_LIVE}",
                (label, fold_label(label), user_id, slot),
            )
            return changed > 0

    async def make_default(self, user_id: int, slot: int) -> bool:
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                f"SELECT 1 FROM panel_accounts WHERE user_id = ? AND slot = ? AND {_LIVE}",
                (user_id, slot),
            )
            if row is None:
                return False
            await tx.execute(
                "UPDATE panel_accounts SET is_default = CASE WHEN slot = ? THEN 1 ELSE 0 END "
                "WHERE user_id = ?",
                (slot, user_id),
            )
            return True

    async def adopt_legacy(self, url: str, label: str) -> int:
        """Name the accounts migrated from the single-key table after PANEL_API_URL's panel
        (0008 cannot know it); idempotent, returns how many it named."""
        return await self._db.execute(
            "UPDATE panel_accounts SET url = ?, label = COALESCE(label, ?), "
            "label_folded = COALESCE(label_folded, ?) WHERE url IS NULL",
            (url, label, fold_label(label)),
        )

    async def set_low_balance(self, user_id: int, slot: int, threshold: Decimal | None) -> bool:
        changed = await self._db.execute(
            f"UPDATE panel_accounts SET low_balance_threshold = ?, low_balance_alerted = 0 "
            f"WHERE user_id = ? AND slot = ? AND {_LIVE}",
            (None if threshold is None else str(threshold), user_id, slot),
        )
        return changed > 0

    async def set_low_balance_alerted(self, user_id: int, slot: int, alerted: bool) -> bool:
        """True when this call changed the flag (the one caller that pushes the alert)."""
        changed = await self._db.execute(
            f"UPDATE panel_accounts SET low_balance_alerted = ? "
            f"WHERE user_id = ? AND slot = ? AND low_balance_alerted != ? AND {_LIVE}",
            (int(alerted), user_id, slot, int(alerted)),
        )
        return changed > 0

    # --- polling health -------------------------------------------------------------------

    async def set_paused(self, user_id: int, paused: bool, slot: int | None = None) -> bool:
        """True when this call changed the state. Un-pausing re-arms the one-time notice."""
        which, which_params = _which(slot)
        changed = await self._db.execute(
            f"""
            UPDATE panel_accounts SET paused = ?, paused_notified = CASE WHEN ? = 1 THEN
                paused_notified ELSE 0 END
            WHERE user_id = ? AND paused != ? AND {_LIVE} AND {which}
            """,
            (int(paused), int(paused), user_id, int(paused), *which_params),
        )
        return changed > 0

    async def is_paused(self, user_id: int, slot: int | None = None) -> bool:
        account = await self.account(user_id, slot)
        return account.paused if account is not None else False

    async def mark_paused_notified(self, user_id: int, slot: int | None = None) -> bool:
        """Atomically claim the "your key was rejected" notice: True for exactly one caller."""
        which, which_params = _which(slot)
        changed = await self._db.execute(
            f"UPDATE panel_accounts SET paused_notified = 1 "
            f"WHERE user_id = ? AND paused = 1 AND paused_notified = 0 AND {_LIVE} AND {which}",
            (user_id, *which_params),
        )
        return changed > 0

    async def active_user_ids(self) -> list[int]:
        """Users with an account that is not paused."""
        rows = await self._db.fetchall(
            f"SELECT DISTINCT user_id FROM panel_accounts WHERE paused = 0 AND {_LIVE} "
            "ORDER BY user_id"
        )
        return [int(r[0]) for r in rows]

    async def active_accounts(self) -> list[tuple[int, int]]:
        """(user, slot) of every account not paused: the ones the poller works for."""
        rows = await self._db.fetchall(
            f"SELECT user_id, slot FROM panel_accounts WHERE paused = 0 AND {_LIVE} "
            "ORDER BY user_id, slot"
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    # --- every key ------------------------------------------------------------------------

    async def _all_ciphertexts(self) -> list[tuple[int, int, bytes]]:
        rows = await self._db.fetchall(
            f"SELECT user_id, slot, ciphertext FROM panel_accounts WHERE {_LIVE} "
            "AND ciphertext IS NOT NULL ORDER BY user_id, slot"
        )
        return [(int(r[0]), int(r[1]), bytes(r[2])) for r in rows]

    async def all_plaintext(self) -> list[str]:
        """Every stored key, decrypted, for the log-redaction filter; unreadable ones skipped."""
        keys: list[str] = []
        for user_id, _slot, token in await self._all_ciphertexts():
            try:
                keys.append(self._cipher.decrypt(token))
            except UndecryptableKey:
                log.warning("Stored panel key of user %s cannot be decrypted", user_id)
        return keys

    async def scan(self) -> KeyScan:
        """Every stored key: the readable ones decrypted, the unreadable ones by user."""
        readable: list[str] = []
        unreadable: list[UnreadableKey] = []
        for user_id, slot, token in await self._all_ciphertexts():
            try:
                readable.append(self._cipher.decrypt(token))
            except UndecryptableKey:
                digest = hashlib.sha256(token).hexdigest()[:16]
                unreadable.append(UnreadableKey(user_id, digest, slot))
        return KeyScan(readable, unreadable)

    async def rotate_old_keys(self) -> int:
        """Re-encrypt with the first configured key every stored key an older one encrypted;
        returns how many. Keys no configured key opens stay as they are (`scan` counts them).

        Not a key change: previews stay good (no version bump)."""
        rotated = 0
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT user_id, slot, ciphertext FROM panel_accounts WHERE ciphertext IS NOT NULL"
            )
            for user_id, slot, token in rows:
                if not self._cipher.is_old(bytes(token)):
                    continue
                try:
                    new = self._cipher.rotate(bytes(token))
                except UndecryptableKey:
                    continue
                await tx.execute(
                    "UPDATE panel_accounts SET ciphertext = ? WHERE user_id = ? AND slot = ?",
                    (new, user_id, slot),
                )
                rotated += 1
        return rotated
