-- Organisations, users and the roles users hold in them (DESIGN.md, Roles).
-- Times are integer Unix seconds (UTC); ids are opaque text.

CREATE TABLE organisations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('platform', 'carrier', 'enterprise', 'service_provider', 'bank', 'fund')),
    credit_code   TEXT,
    frozen_reason TEXT,
    frozen_at     BIGINT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    email           TEXT,
    phone           TEXT,
    organisation_id TEXT REFERENCES organisations (id),
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('admin', 'carrier_operator', 'enterprise', 'service_provider', 'backer', 'bank_officer', 'fund_manager')),
    PRIMARY KEY (user_id, role)
);
