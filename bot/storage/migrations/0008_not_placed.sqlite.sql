-- An order whose outcome was unknown can be marked "not placed" by its user (issue 20 item 4):
-- a state of its own, kept in the history, instead of `failed` (a refusal the panel gave).
--
-- SQLite cannot alter a CHECK constraint. Rebuilding `orders` would run the ON DELETE SET NULL
-- of refills.order_id while it drops the old table, so the CHECK's text is edited in place, as
-- SQLite documents for changes that leave the stored rows valid ("Making Other Kinds Of Table
-- Schema Changes"): every stored value is still allowed. RESET makes this connection read the
-- schema again; the CREATE INDEX below bumps the schema cookie, so every other connection does.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''unknown''))', '''unknown'', ''not_placed''))')
WHERE type = 'table' AND name = 'orders';
PRAGMA writable_schema = RESET;

-- The edit must have found its text: otherwise this CHECK fails and the migration rolls back.
CREATE TEMP TABLE migration_0008 (edited INTEGER NOT NULL CHECK (edited = 1));
INSERT INTO migration_0008
SELECT COUNT(*) FROM sqlite_schema
WHERE type = 'table' AND name = 'orders' AND sql LIKE '%''unknown'', ''not_placed''))%';
DROP TABLE migration_0008;

-- "I found it on the panel": a panel id may be claimed only when no order of any user on the
-- same panel already holds it, a lookup by panel id across users.
CREATE INDEX orders_panel_order_id ON orders (panel_order_id) WHERE panel_order_id IS NOT NULL;
