"""Encryption of stored panel API keys (Fernet; several keys allow rotation)."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)

KEY_FILE_NAME = "encryption.key"


class UndecryptableKey(Exception):
    """No configured encryption key opens this ciphertext (key lost or replaced)."""


class KeyCipher:
    """`MultiFernet` over the configured keys: the first encrypts, every key decrypts."""

    __slots__ = ("_count", "_fernet", "_first")

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("at least one Fernet key is required")
        try:
            fernets = [Fernet(k) for k in keys]
        except (ValueError, TypeError):
            # Fernet's own message is fine, but don't chain: the traceback would show the key.
            raise ValueError("an encryption key is not a valid Fernet key") from None
        self._fernet = MultiFernet(fernets)
        self._first = fernets[0]
        self._count = len(fernets)

    def __repr__(self) -> str:
        return f"KeyCipher(<{self._count} key(s) hidden>)"

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise UndecryptableKey("stored value cannot be decrypted with any key") from None

    def is_old(self, token: bytes) -> bool:
        """Not encrypted with the first key (an older key may open it, or none): `rotate` it."""
        if self._count == 1:
            return False  # nothing to rotate to; an unreadable token stays as it is
        try:
            self._first.decrypt(token)
        except InvalidToken:
            return True
        return False

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt with the first key (a no-op in meaning, new ciphertext)."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise UndecryptableKey("stored value cannot be decrypted with any key") from None


def load_cipher(
    keys: Sequence[bytes], database_path: Path | str, *, key_file: Path | None = None
) -> KeyCipher:
    """A cipher from the configured keys, or from a key file generated once beside the database.

    With no configured keys: `key_file` (default `<db dir>/encryption.key`) is read, or created
    with mode 0600 on first run. An in-memory database with no `key_file` gets a throw-away key:
    its data dies with the process anyway, so there is nothing to keep readable.
    """
    if keys:
        return KeyCipher(keys)
    if key_file is None:
        if str(database_path) == ":memory:":
            log.debug("In-memory database: using a temporary encryption key")
            return KeyCipher([Fernet.generate_key()])
        key_file = Path(database_path).parent / KEY_FILE_NAME
    created = _create_key_file(key_file)
    if created:
        log.warning(
            "ENCRYPTION_KEY is not set: generated a new key in %s. Back this file up; "
            "without it the stored panel API keys cannot be decrypted.",
            key_file,
        )
    else:
        log.warning(
            "ENCRYPTION_KEY is not set: using the key file %s. Setting ENCRYPTION_KEY is safer.",
            key_file,
        )
    return KeyCipher([_read_key_file(key_file)])


def _create_key_file(path: Path) -> bool:
    """Create `path` with a fresh key unless it exists; True when this call created it.

    The key is written to a private temporary file first and hard-linked into place, so a
    concurrent reader never sees a half-written file and only one creator can win.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key() + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            # Filesystem without hard links: fall back to an exclusive create of the target.
            return _create_key_file_direct(path)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _create_key_file_direct(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(Fernet.generate_key() + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    return True


def _read_key_file(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("Key file %s is readable by other users (mode %o); chmod 600 it", path, mode)
    key = path.read_bytes().strip()
    try:
        Fernet(key)
    except (ValueError, TypeError):
        raise ValueError(f"{path} does not hold a valid Fernet key") from None
    return key
