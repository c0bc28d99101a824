-- SQLite's part of 0002_draft_promises (before the shared 0002_draft_promises.sql): the users'
-- key version and the triggers that bump it.

-- Bumped by every change of the user's stored panel key (set, replace, delete), so a draft can
-- name the key it was priced with without storing the key or anything derived from it.
ALTER TABLE users ADD COLUMN key_version INTEGER NOT NULL DEFAULT 0;

-- Triggers, not application code: whatever path writes panel_keys (/setkey, /deletekey, a future
-- clean-up of unreadable keys) bumps the version in the same transaction as the key itself.
-- `UPDATE OF added_at`: replacing a key sets added_at; re-encrypting it (rotate_all) and pausing
-- polling do not, and must not void the user's previews.
CREATE TRIGGER panel_keys_added_version AFTER INSERT ON panel_keys
BEGIN
    UPDATE users SET key_version = key_version + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER panel_keys_replaced_version AFTER UPDATE OF added_at ON panel_keys
BEGIN
    UPDATE users SET key_version = key_version + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER panel_keys_deleted_version AFTER DELETE ON panel_keys
BEGIN
    UPDATE users SET key_version = key_version + 1 WHERE id = OLD.user_id;
END;
