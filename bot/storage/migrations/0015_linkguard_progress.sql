-- Progress and estimated time (issue 24 item 4): when each order completed, so a card can
-- estimate an open order's finish from the median time the user's own orders of that service
-- on that panel took (submitted_at → completed_at).
--
-- The poller writes it when it first sees `Completed`. Orders completed before this migration get
-- their last update's time: the poller stops updating an order once it is final, so that is
-- when its completion was seen (a later mute or charge read may have moved it a little).
ALTER TABLE orders ADD COLUMN completed_at REAL;
UPDATE orders SET completed_at = updated_at
WHERE status = 'Completed' AND submitted_at IS NOT NULL;
CREATE INDEX orders_service_completed ON orders (user_id, panel_slot, service_id, completed_at)
    WHERE completed_at IS NOT NULL;
