-- The price and availability watch (issue 24 part 1).

-- What each panel account last saw of each service it watches (one a user starred, or ordered
-- in the last 30 days). `rate` (a Decimal string) is the rate last reported to the user or first
-- seen: a change under the user's threshold leaves it, so a slow creep is told once it adds up.
-- `present` 0: the panel stopped listing it (the other columns keep what it was).
CREATE TABLE price_snapshots (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slot       INTEGER NOT NULL,
    service_id INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    rate       TEXT    NOT NULL,
    min        INTEGER NOT NULL,
    max        INTEGER NOT NULL,
    present    INTEGER NOT NULL CHECK (present IN (0, 1)),
    seen_at    REAL    NOT NULL,
    PRIMARY KEY (user_id, slot, service_id)
);

-- Every change the watch found, for /prices (the last 7 days) and the digest push. `old_value`
-- and `new_value` are the rate (Decimal strings), min or max before and after; NULL for gone and back.
CREATE TABLE price_changes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slot       INTEGER NOT NULL,
    service_id INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('rate', 'min', 'max', 'gone', 'back')),
    name       TEXT    NOT NULL,
    old_value  TEXT,
    new_value  TEXT,
    changed_at REAL    NOT NULL,
    PRIMARY KEY (user_id, slot, service_id, kind, changed_at)
);
CREATE INDEX price_changes_user_time ON price_changes (user_id, changed_at);

-- 🔕 on a service's card: no price pushes about it on that panel (its changes are still listed).
CREATE TABLE price_mutes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slot       INTEGER NOT NULL,
    service_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, slot, service_id)
);

-- The user's threshold for a rate change worth a push, in percent (a Decimal string); no row:
-- the default (5%).
CREATE TABLE price_watch_settings (
    user_id   INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    threshold TEXT    NOT NULL
);

