-- The administrative audit trail: every change to clients, users, keys, organisations and
-- freezes, and every sign-in with its outcome; who, when, from where, what changed. Entries are
-- only ever added: the triggers refuse any change or removal, whatever the interface.
CREATE TABLE admin_audit (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
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

CREATE TRIGGER admin_audit_no_update BEFORE UPDATE ON admin_audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be changed');
END;
CREATE TRIGGER admin_audit_no_delete BEFORE DELETE ON admin_audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be removed');
END;
