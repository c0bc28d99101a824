-- A scheduled order keeps the key of its own panel account, not the user's key version
-- (issue 24 part 2): `panel_accounts.added_at` of that account when it was scheduled, which
-- changes exactly when that account's key is replaced (re-encryption and pausing leave it). A
-- run is placed only while that account is live with that key: /setkey on it, or removing it,
-- ends the schedule; adding or changing another panel does not. NULL (none made before this):
-- the user's key version decides, as for a preview.
ALTER TABLE scheduled_orders ADD COLUMN key_added REAL;
