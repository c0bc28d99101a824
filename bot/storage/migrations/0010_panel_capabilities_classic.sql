-- What each panel's API takes, learned from its answers (issue 20): one row per panel URL and
-- feature (multi_status, add_bulk, refill, refill_status, cancel). No row: not known yet.
CREATE TABLE panel_capabilities (
    url        TEXT NOT NULL,
    feature    TEXT NOT NULL,
    support    TEXT NOT NULL CHECK (support IN ('yes', 'no')),
    learned_at REAL NOT NULL,
    PRIMARY KEY (url, feature)
);
