-- Several panels per user (issue 14). `panel_accounts` replaces `panel_keys`: one row per
-- panel a user linked, numbered 1, 2, 3… per user (the repository assigns max + 1, so a slot
-- is never reused: orders keep naming the panel they were placed on, even after it was
-- removed, whose row then stays as a tombstone without its key).
CREATE TABLE panel_accounts (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slot            INTEGER NOT NULL,
    -- The user's name for it; NULL only on rows copied from panel_keys until start-up names
    -- them after PANEL_API_URL's preset (with `url`).
    label           TEXT,
    label_folded    TEXT,                        -- casefolded label: unique per user
    -- NULL only on rows copied from panel_keys: start-up sets PANEL_API_URL (idempotently).
    url             TEXT,
    custom          INTEGER NOT NULL DEFAULT 0 CHECK (custom IN (0, 1)),  -- a URL the user typed
    ciphertext      BLOB,                        -- NULL once removed
    added_at        REAL    NOT NULL,
    removed_at      REAL,
    is_default      INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    paused          INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    paused_notified INTEGER NOT NULL DEFAULT 0 CHECK (paused_notified IN (0, 1)),
    low_balance_threshold TEXT,                  -- Decimal string; NULL: no alert
    low_balance_alerted   INTEGER NOT NULL DEFAULT 0 CHECK (low_balance_alerted IN (0, 1)),
    PRIMARY KEY (user_id, slot)
);
CREATE UNIQUE INDEX panel_accounts_label ON panel_accounts (user_id, label_folded)
    WHERE removed_at IS NULL;

INSERT INTO panel_accounts (user_id, slot, label, label_folded, url, custom, ciphertext,
                            added_at, is_default, paused, paused_notified)
SELECT user_id, 1, NULL, NULL, NULL, 0, ciphertext, added_at, 1, paused, paused_notified
FROM panel_keys;

-- Its triggers go with it: from now on the repository bumps users.key_version itself, in the
-- same transaction as every account insert, key replacement and removal.
DROP TABLE panel_keys;

-- Every order, preview and refill belongs to one panel account; all existing ones to slot 1.
ALTER TABLE orders ADD COLUMN panel_slot INTEGER NOT NULL DEFAULT 1;
ALTER TABLE drafts ADD COLUMN panel_slot INTEGER NOT NULL DEFAULT 1;
ALTER TABLE refills ADD COLUMN panel_slot INTEGER NOT NULL DEFAULT 1;

-- Two panels may hand out the same order id: an id is unique per panel account, not per user.
DROP INDEX orders_user_panel_id;
CREATE UNIQUE INDEX orders_user_panel_id ON orders (user_id, panel_slot, panel_order_id)
    WHERE panel_order_id IS NOT NULL;
CREATE INDEX orders_user_slot ON orders (user_id, panel_slot);
