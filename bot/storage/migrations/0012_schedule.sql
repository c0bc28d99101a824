-- Scheduled and repeated orders (issue 24 part 2). A scheduled order IS the preview the user
-- saw: its answers, price and panel are copied here from the preview's draft row when the user
-- chose "🕒 Later", and that preview is closed. Each run becomes an `orders` row only when the
-- leader claims it: one conditional UPDATE of `done` here plus the row's INSERT (token
-- `sch<id>.<run>`, unique) in one transaction, so a run is placed at most once whatever restarts
-- or fails over. The times are epoch seconds; `zone` keeps a daily run at the same wall-clock
-- time across a change of daylight saving time.
CREATE TABLE scheduled_orders (
    id           {identity},
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    batch        TEXT    NOT NULL UNIQUE,         -- the preview it was made from
    panel_slot   INTEGER NOT NULL,
    key_version  INTEGER NOT NULL,                -- users.key_version when it was priced
    service_id   INTEGER NOT NULL,
    service_name TEXT    NOT NULL,
    service_type TEXT    NOT NULL,
    link         TEXT,
    quantity     INTEGER,
    runs         INTEGER,
    interval     INTEGER,
    extra        TEXT    NOT NULL DEFAULT '{}',
    cost         TEXT    NOT NULL,                -- the preview's cost (Decimal string)
    currency     TEXT,
    rate         TEXT,                            -- the highest rate a run may be placed at
    zone         TEXT    NOT NULL,
    first_at     REAL    NOT NULL,
    every        TEXT    NOT NULL CHECK (every IN ('once', 'daily', 'weekly')),
    times        INTEGER NOT NULL CHECK (times >= 1),
    done         INTEGER NOT NULL DEFAULT 0,      -- runs placed, skipped or refused so far
    next_at      REAL    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'waiting'
                 CHECK (state IN ('waiting', 'held', 'missed', 'finished', 'cancelled')),
    held_rate    TEXT,                            -- held: the dearer rate the user was shown
    held_cost    TEXT,
    last_order   INTEGER,                         -- orders.id of the latest run placed
    created_at   REAL    NOT NULL,
    updated_at   REAL    NOT NULL
);
CREATE INDEX scheduled_orders_due ON scheduled_orders (state, next_at);
CREATE INDEX scheduled_orders_user ON scheduled_orders (user_id, state, next_at);
