-- Second factors for people who approve money: an authenticator app's TOTP secret (sealed with a
-- server key, since it must be read back to check codes), the last time step accepted (a code is
-- good once), single-use recovery codes (only their hashes), and WebAuthn passkeys; and the
-- methods a login used, carried by its authorization codes into ID tokens (amr, acr).
CREATE TABLE user_totp (
    user_id          TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed    TEXT NOT NULL,
    confirmed_at     BIGINT,
    last_used_step   BIGINT,
    created_at       BIGINT NOT NULL
);

CREATE TABLE user_recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE user_passkeys (
    credential_id TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX user_passkeys_by_user ON user_passkeys (user_id);

ALTER TABLE authorization_codes ADD COLUMN amr TEXT;
