-- A drain leases the rows it is about to send: another drain (a second process during a
-- hand-over, a second task) skips them instead of sending them again. NULL: not leased.
ALTER TABLE outbox ADD COLUMN leased_until REAL;
