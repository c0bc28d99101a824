-- Time zones, quiet hours, per-order mute and digests of pushes (issue 13 items 3 and 4).

-- The user's IANA time zone ("Europe/Istanbul"); NULL: the TIMEZONE setting.
ALTER TABLE users ADD COLUMN time_zone TEXT;
-- Quiet hours as minutes after midnight in the user's zone (from inclusive, to exclusive; from >
-- to wraps past midnight). Both NULL: no quiet hours.
ALTER TABLE users ADD COLUMN quiet_from INTEGER;
ALTER TABLE users ADD COLUMN quiet_to INTEGER;

-- 1: no pushes about this order (🔕 on its card or push).
ALTER TABLE orders ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;

-- 1: the item was held back by quiet hours; when they end, the user's held items are merged
-- into one digest item (the merged ones are closed with last_error 'merged into digest N').
ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0;

-- The once-only keys of the transitions a digest item covers: a digest is one outbox row for
-- many orders, and each of their transitions must still be said exactly once. A transition whose
-- key is here (or is an outbox row's dedupe_key) is never queued again.
CREATE TABLE outbox_covers (
    dedupe_key TEXT    PRIMARY KEY,
    item_id    INTEGER NOT NULL
);
