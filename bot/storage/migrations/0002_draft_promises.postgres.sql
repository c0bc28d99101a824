-- PostgreSQL version of 0002_draft_promises.sql: the same column, table and indexes; the three
-- SQLite triggers become one trigger function (PostgreSQL triggers call functions).

ALTER TABLE users ADD COLUMN key_version BIGINT NOT NULL DEFAULT 0;

-- Any change of the user's stored panel key bumps the version in the same transaction.
-- `UPDATE OF added_at`: replacing a key sets added_at; re-encrypting it (rotate_all) and
-- pausing polling do not, and must not void the user's previews.
CREATE FUNCTION panel_keys_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE users SET key_version = key_version + 1 WHERE id = OLD.user_id;
    ELSE
        UPDATE users SET key_version = key_version + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER panel_keys_added_version AFTER INSERT ON panel_keys
    FOR EACH ROW EXECUTE FUNCTION panel_keys_bump_version();
CREATE TRIGGER panel_keys_replaced_version AFTER UPDATE OF added_at ON panel_keys
    FOR EACH ROW EXECUTE FUNCTION panel_keys_bump_version();
CREATE TRIGGER panel_keys_deleted_version AFTER DELETE ON panel_keys
    FOR EACH ROW EXECUTE FUNCTION panel_keys_bump_version();

CREATE TABLE drafts (
    batch       TEXT    PRIMARY KEY,             -- orders.batch of the preview's rows
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('single', 'bulk')),
    key_version BIGINT  NOT NULL,                -- users.key_version when it was priced
    lines       BIGINT  NOT NULL,                -- draft rows in the batch (the open-draft cap)
    rate        TEXT,                            -- single: the rate shown (Decimal string)
    state       TEXT    NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'claimed', 'key_changed', 'replaced', 'dropped')),
    chat_id     BIGINT,                          -- the message showing its Confirm button
    message_id  BIGINT,
    created_at  DOUBLE PRECISION NOT NULL,
    expires_at  DOUBLE PRECISION NOT NULL,
    closed_at   DOUBLE PRECISION                 -- when state left 'open'
);
CREATE INDEX drafts_user_state ON drafts (user_id, state, created_at);
CREATE INDEX drafts_expiry ON drafts (expires_at);
