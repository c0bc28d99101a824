-- Access requests with several admins. Each admin gets a copy of the request with Approve /
-- Reject; the first decision wins, every copy is then edited to say who decided, and a later
-- decision on the same request is refused with that name.

-- The admin (Telegram id) who made the latest access decision; NULL when nobody did (a request,
-- or a decision from before this migration).
ALTER TABLE users ADD COLUMN access_decided_by INTEGER;

-- Which message each admin got for a user's request; `settled` once it shows the decision.
CREATE TABLE access_request_copies (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    admin_id   INTEGER NOT NULL,                 -- the admin's chat (admins may not be users)
    message_id INTEGER NOT NULL,
    settled    INTEGER NOT NULL DEFAULT 0 CHECK (settled IN (0, 1)),
    created_at REAL    NOT NULL,
    PRIMARY KEY (user_id, admin_id, message_id)
) WITHOUT ROWID;
