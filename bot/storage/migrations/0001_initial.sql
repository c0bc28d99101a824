-- Initial schema. Timestamps are unix seconds (REAL, UTC); money is TEXT holding a Decimal
-- string; enums are stored as their string values.
-- `{identity}`: an id the database draws (SQLite from the rowid, PostgreSQL an identity
-- column); users.id is Telegram's. PostgreSQL's types are wider (bot/storage/sql.py): INTEGER
-- is BIGINT (Telegram and panel ids pass 2^31), REAL is DOUBLE PRECISION (epoch seconds need
-- more than float4), BLOB is BYTEA, and WITHOUT ROWID (a SQLite storage hint) has no counterpart.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,           -- Telegram user id
    username      TEXT,
    first_name    TEXT,
    language      TEXT,                          -- NULL: not chosen yet
    access        TEXT    NOT NULL DEFAULT 'none'
                  CHECK (access IN ('none', 'requested', 'allowed', 'denied')),
    blocked_bot   INTEGER NOT NULL DEFAULT 0 CHECK (blocked_bot IN (0, 1)),
    notifications INTEGER NOT NULL DEFAULT 1 CHECK (notifications IN (0, 1)),
    created_at    REAL    NOT NULL,
    updated_at    REAL    NOT NULL
);
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_access ON users (access, created_at);

CREATE TABLE panel_keys (
    user_id         INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    ciphertext      BLOB    NOT NULL,
    added_at        REAL    NOT NULL,
    paused          INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    paused_notified INTEGER NOT NULL DEFAULT 0 CHECK (paused_notified IN (0, 1))
);

CREATE TABLE orders (
    id                   {identity},
    user_id              INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token                TEXT    NOT NULL UNIQUE,
    batch                TEXT    NOT NULL,
    line_no              INTEGER,
    panel_order_id       INTEGER,
    service_id           INTEGER NOT NULL,
    service_name         TEXT    NOT NULL,
    service_type         TEXT    NOT NULL,
    link                 TEXT,
    quantity             INTEGER,
    runs                 INTEGER,
    interval             INTEGER,
    extra                TEXT    NOT NULL DEFAULT '{}',
    cost                 TEXT    NOT NULL,
    charge               TEXT,
    currency             TEXT,
    status               TEXT,
    raw_status           TEXT,
    remains              INTEGER,
    start_count          INTEGER,
    submit_state         TEXT    NOT NULL DEFAULT 'draft'
                         CHECK (submit_state IN ('draft', 'submitting', 'placed', 'failed',
                                                 'unknown')),
    error                TEXT,
    created_at           REAL    NOT NULL,
    submitted_at         REAL,
    updated_at           REAL    NOT NULL,
    polled_at            REAL,
    last_notified_status TEXT,
    started_notified     INTEGER NOT NULL DEFAULT 0 CHECK (started_notified IN (0, 1))
);
CREATE INDEX orders_user_created ON orders (user_id, created_at);
CREATE INDEX orders_state_status ON orders (submit_state, status);
CREATE INDEX orders_batch ON orders (batch);
CREATE UNIQUE INDEX orders_user_panel_id ON orders (user_id, panel_order_id)
    WHERE panel_order_id IS NOT NULL;

CREATE TABLE refills (
    id                   {identity},
    user_id              INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    panel_order_id       INTEGER NOT NULL,
    -- Refills may be requested for orders placed outside the bot: no local row then.
    order_id             INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    refill_id            INTEGER,                -- NULL when the panel rejected the request
    status               TEXT    NOT NULL,
    raw_status           TEXT,
    created_at           REAL    NOT NULL,
    updated_at           REAL    NOT NULL,
    polled_at            REAL,
    last_notified_status TEXT
);
CREATE INDEX refills_user_order ON refills (user_id, panel_order_id);
CREATE INDEX refills_status ON refills (status);

CREATE TABLE outbox (
    id              {identity},
    user_id         INTEGER NOT NULL,            -- chat to deliver to; admins may not be users
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    dedupe_key      TEXT UNIQUE,
    created_at      REAL    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL    NOT NULL,
    sent_at         REAL,
    dropped_at      REAL,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id)
    WHERE sent_at IS NULL AND dropped_at IS NULL;

CREATE TABLE ptb_state (
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
