-- PostgreSQL version of 0008_not_placed.sqlite.sql: the user may mark an order whose outcome
-- was unknown as "not placed" (issue 20 item 4), a state of its own kept in the history.
ALTER TABLE orders DROP CONSTRAINT orders_submit_state_check;
ALTER TABLE orders ADD CONSTRAINT orders_submit_state_check
    CHECK (submit_state IN ('draft', 'submitting', 'placed', 'failed', 'unknown', 'not_placed'));

-- "I found it on the panel": a panel id may be claimed only when no order of any user on the
-- same panel already holds it, a lookup by panel id across users.
CREATE INDEX orders_panel_order_id ON orders (panel_order_id) WHERE panel_order_id IS NOT NULL;
