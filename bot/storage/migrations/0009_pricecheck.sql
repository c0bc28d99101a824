-- What a bulk preview's Confirm may place (issue 19 item 3): when the balance covered only the
-- first N valid lines, the preview offered "Confirm the first N" and nothing more. NULL: every
-- line was offered. A forged `bf:<batch>:N` past it (or a forged Confirm of all) is refused.
ALTER TABLE drafts ADD COLUMN offered INTEGER;

-- When the user cancelled the preview (✖️ Cancel, /cancel). Its rows are deleted as before; the
-- drafts row stays closed until the purge, so a late Confirm says "cancelled", not "expired"
-- (issue 21). The state list is fixed by a CHECK in 0002: a cancelled preview is 'dropped'.
ALTER TABLE drafts ADD COLUMN cancelled_at REAL;
