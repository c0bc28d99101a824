-- A preview is a promise: each preview (a batch of `draft` order rows) gets one `drafts` row that
-- records what it promised and under which conditions Confirm may still place it.
-- Each engine's own part runs first (0002_draft_promises.sqlite.sql, .postgres.sql): the users'
-- key_version, bumped by triggers at every change of the stored panel key, which a draft names.

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
