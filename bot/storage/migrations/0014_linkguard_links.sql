-- The duplicate-link guard (issue 24 item 3).
--
-- `link_key` is the order's link reduced to the page it names (bot/links.py: no scheme, no
-- `www.`, no trailing slash, no tracking parameters, host in lower case). A preview looks up the
-- user's open orders on one panel by it, one indexed query for a whole bulk. The repository
-- writes it with every new row; rows older than this migration get it at start-up
-- (`OrdersRepo.backfill_link_keys`: the rule is Python, not SQL), and until then are found by
-- their exact link.
ALTER TABLE orders ADD COLUMN link_key TEXT;
CREATE INDEX orders_user_link_key ON orders (user_id, panel_slot, link_key)
    WHERE link_key IS NOT NULL;

-- The preview warned that the link already has an open order (or a bulk names the same link
-- and service twice): its plain Confirm places nothing, only "Order anyway" does.
ALTER TABLE drafts ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0 CHECK (duplicates IN (0, 1));
