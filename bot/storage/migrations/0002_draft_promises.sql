-- A preview is a promise: each preview (a batch of `draft` order rows) gets one `drafts` row that
-- records what it promised and under which conditions Confirm may still place it.

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

CREATE TABLE drafts (
    batch       TEXT    PRIMARY KEY,             -- orders.batch of the preview's rows
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('single', 'bulk')),
    key_version INTEGER NOT NULL,                -- users.key_version when it was priced
    lines       INTEGER NOT NULL,                -- draft rows in the batch (the open-draft cap)
    rate        TEXT,                            -- single: the rate shown (Decimal string)
    state       TEXT    NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'claimed', 'key_changed', 'replaced', 'dropped')),
    chat_id     INTEGER,                         -- the message showing its Confirm button
    message_id  INTEGER,
    created_at  REAL    NOT NULL,
    expires_at  REAL    NOT NULL,
    closed_at   REAL                             -- when state left 'open'
);
CREATE INDEX drafts_user_state ON drafts (user_id, state, created_at);
CREATE INDEX drafts_expiry ON drafts (expires_at);
