-- PostgreSQL's part of 0002_draft_promises (before the shared 0002_draft_promises.sql): the same
-- column as SQLite's part; its three triggers call one trigger function (PostgreSQL triggers
-- call functions).

ALTER TABLE users ADD COLUMN key_version BIGINT NOT NULL DEFAULT 0;

-- Any change of the user's stored panel key bumps the version in the same transaction.
-- `UPDATE OF added_at`: replacing a key sets added_at; re-encrypting it (rotate_all) and
-- pausing polling do not, and must not void the user's previews.
CREATE FUNCTION panel_keys_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE users SET key_version = key_version + 1 WHERE id = OLD.user_id;
    ELSE
        UPDATE users SET key_version = key_version + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER panel_keys_added_version AFTER INSERT ON panel_keys
    FOR EACH ROW EXECUTE FUNCTION panel_keys_bump_version();
CREATE TRIGGER panel_keys_replaced_version AFTER UPDATE OF added_at ON panel_keys
    FOR EACH ROW EXECUTE FUNCTION panel_keys_bump_version();
CREATE TRIGGER panel_keys_deleted_version AFTER DELETE ON panel_keys
    FOR EACH ROW EXECUTE FUNCTION panel_keys_bump_version();
