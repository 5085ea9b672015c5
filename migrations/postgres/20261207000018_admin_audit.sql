-- The administrative audit trail: every change to clients, users, keys, organisations and
-- freezes, and every sign-in with its outcome; who, when, from where, what changed. Entries are
-- only ever added: the trigger refuses any change or removal, whatever the interface.
CREATE TABLE admin_audit (
    seq           BIGSERIAL PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor_user_id TEXT,
    actor         TEXT NOT NULL,
    address       TEXT,
    action        TEXT NOT NULL,
    target_kind   TEXT NOT NULL,
    target_id     TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    before        TEXT,
    after         TEXT
);
CREATE INDEX admin_audit_by_action ON admin_audit (action, seq);
CREATE INDEX admin_audit_by_target ON admin_audit (target_id, seq);
CREATE INDEX admin_audit_by_actor ON admin_audit (actor, seq);

CREATE FUNCTION admin_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed or removed';
END
$$;
CREATE TRIGGER admin_audit_immutable BEFORE UPDATE OR DELETE ON admin_audit
    FOR EACH ROW EXECUTE FUNCTION admin_audit_immutable();
CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit
    FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_immutable();
