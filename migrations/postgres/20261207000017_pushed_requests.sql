-- Pushed authorization requests (RFC 9126): the hash of each one-time reference, the client that
-- pushed it, its parameters (never the client's secret) and when it expires; and whether a client
-- must push its requests.
CREATE TABLE oauth_pushed_requests (
    reference_hash TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    params         TEXT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX oauth_pushed_requests_by_expiry ON oauth_pushed_requests (expires_at);

ALTER TABLE clients ADD COLUMN require_pushed_authorization_requests BOOLEAN NOT NULL DEFAULT FALSE;
