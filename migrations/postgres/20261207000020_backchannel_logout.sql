-- OpenID Connect Back-Channel Logout: where a client takes logout tokens, and the outbox of
-- logout notifications. A notification is written when a login's grants are revoked (sign-out,
-- signing out everywhere, withdrawing an app, ending a session) and delivered by whichever
-- instance claims it, retried with backoff until the client answers or it is abandoned.
ALTER TABLE clients ADD COLUMN backchannel_logout_uri TEXT;

CREATE TABLE oauth_logout_outbox (
    id              TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    session_id      TEXT,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at    BIGINT,
    abandoned_at    BIGINT,
    last_error      TEXT
);
CREATE INDEX oauth_logout_outbox_due ON oauth_logout_outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;
