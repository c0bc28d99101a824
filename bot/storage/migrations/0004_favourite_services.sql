-- Favourite services: the ★ on a service card. One row per user and service id (the panel's id:
-- every user of this bot orders from the same panel). A favourite the panel stops listing keeps
-- its row, since panels switch services off for a while and back on.
CREATE TABLE favourite_services (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    service_id INTEGER NOT NULL,
    created_at REAL    NOT NULL,
    PRIMARY KEY (user_id, service_id)
);

-- "The last services used" groups a user's orders by service.
CREATE INDEX orders_user_service ON orders (user_id, service_id);
