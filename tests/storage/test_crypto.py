from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.storage import KeyCipher, UndecryptableKey, load_cipher
from bot.storage.crypto import KEY_FILE_NAME

SECRET = "panel-api-key-5f2b9c0d"


def test_round_trip_and_ciphertext_hides_plaintext(cipher: KeyCipher) -> None:
    token = cipher.encrypt(SECRET)
    assert SECRET.encode() not in token
    assert cipher.decrypt(token) == SECRET


def test_rotation_old_key_still_decrypts_and_rotate_uses_new_key() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token_old = KeyCipher([old]).encrypt(SECRET)
    both = KeyCipher([new, old])
    assert both.decrypt(token_old) == SECRET
    rotated = both.rotate(token_old)
    assert KeyCipher([new]).decrypt(rotated) == SECRET
    with pytest.raises(UndecryptableKey):
        KeyCipher([old]).decrypt(rotated)


def test_wrong_key_raises_without_leaking(cipher: KeyCipher) -> None:
    other = KeyCipher([Fernet.generate_key()])
    with pytest.raises(UndecryptableKey) as info:
        other.decrypt(cipher.encrypt(SECRET))
    assert SECRET not in str(info.value)
    with pytest.raises(UndecryptableKey):
        other.rotate(cipher.encrypt(SECRET))


def test_repr_and_bad_key_messages_hide_keys(fernet_key: bytes) -> None:
    assert fernet_key.decode() not in repr(KeyCipher([fernet_key]))
    with pytest.raises(ValueError) as info:
        KeyCipher([b"not-a-key-but-secret"])
    assert "not-a-key-but-secret" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    with pytest.raises(ValueError):
        KeyCipher([])


def test_configured_keys_win_and_no_file_is_written(tmp_path: Path, fernet_key: bytes) -> None:
    cipher = load_cipher([fernet_key], tmp_path / "bot.sqlite3")
    assert KeyCipher([fernet_key]).decrypt(cipher.encrypt(SECRET)) == SECRET
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_key_file_created_once_0600_reused_and_warning_hides_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db_path = tmp_path / "data" / "bot.sqlite3"
    key_file = tmp_path / "data" / KEY_FILE_NAME
    with caplog.at_level(logging.WARNING, logger="bot.storage.crypto"):
        first = load_cipher([], db_path)
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes().strip()
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert str(key_file) in caplog.text
    assert key.decode() not in caplog.text
    # Nothing else (temporary files) left behind.
    assert sorted(p.name for p in key_file.parent.iterdir()) == [KEY_FILE_NAME]

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.storage.crypto"):
        second = load_cipher([], db_path)
    assert key_file.read_bytes().strip() == key
    assert second.decrypt(first.encrypt(SECRET)) == SECRET
    assert str(key_file) in caplog.text and key.decode() not in caplog.text


def test_key_file_override_and_memory_database(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "custom.key"
    a = load_cipher([], ":memory:", key_file=key_file)
    b = load_cipher([], ":memory:", key_file=key_file)
    assert b.decrypt(a.encrypt(SECRET)) == SECRET
    # Without an override an in-memory db gets a throw-away key and writes no file.
    cwd_before = set(os.listdir())
    ephemeral = load_cipher([], ":memory:")
    assert ephemeral.decrypt(ephemeral.encrypt(SECRET)) == SECRET
    assert set(os.listdir()) == cwd_before


def test_corrupt_or_loose_key_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    key_file = tmp_path / KEY_FILE_NAME
    key_file.write_bytes(b"garbage-secret")
    with pytest.raises(ValueError) as info:
        load_cipher([], tmp_path / "bot.sqlite3")
    assert "garbage-secret" not in str(info.value)

    key_file.write_bytes(Fernet.generate_key())
    key_file.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="bot.storage.crypto"):
        load_cipher([], tmp_path / "bot.sqlite3")
    assert "chmod 600" in caplog.text
