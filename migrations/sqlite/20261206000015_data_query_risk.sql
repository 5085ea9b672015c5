-- Financing data query (融资数据查询) and risk monitoring (风险监控), seed 二.3.

-- Queries saved by staff: a query model (never SQL text), by name, shared or the owner's own.
CREATE TABLE dq_saved_queries (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    owner_user_id TEXT NOT NULL REFERENCES users (id),
    shared        BIGINT NOT NULL DEFAULT 0,
    model         TEXT NOT NULL,              -- the query model, JSON
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (owner_user_id, name)
);

-- Every update, delete, append and make-table query run: who, when, the query, what it touched.
-- Rows are only ever inserted.
CREATE TABLE dq_audit (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           BIGINT NOT NULL,
    user_id      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('update', 'delete', 'append', 'make_table')),
    dataset      TEXT NOT NULL,
    model        TEXT NOT NULL,               -- the request, JSON
    rows_touched BIGINT NOT NULL,
    keys         TEXT NOT NULL                -- the records touched (the first 1,000), JSON
);

-- Make-table results: a named snapshot of a query's rows, browsed and queried like a dataset.
CREATE TABLE dq_snapshots (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    source     TEXT NOT NULL,                 -- the dataset it was made from
    fields     TEXT NOT NULL,                 -- its columns (name, labels, numeric), JSON
    row_count  BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE dq_snapshot_rows (
    snapshot_id TEXT NOT NULL REFERENCES dq_snapshots (id),
    row_no      BIGINT NOT NULL,
    c1            TEXT,
    c2            TEXT,
    c3            TEXT,
    c4            TEXT,
    c5            TEXT,
    c6            TEXT,
    c7            TEXT,
    c8            TEXT,
    c9            TEXT,
    c10           TEXT,
    c11           TEXT,
    c12           TEXT,
    c13           TEXT,
    c14           TEXT,
    c15           TEXT,
    c16           TEXT,
    c17           TEXT,
    c18           TEXT,
    c19           TEXT,
    c20           TEXT,
    c21           TEXT,
    c22           TEXT,
    c23           TEXT,
    c24           TEXT,
    c25           TEXT,
    c26           TEXT,
    c27           TEXT,
    c28           TEXT,
    c29           TEXT,
    c30           TEXT,
    c31           TEXT,
    c32           TEXT,
    c33           TEXT,
    c34           TEXT,
    c35           TEXT,
    c36           TEXT,
    c37           TEXT,
    c38           TEXT,
    c39           TEXT,
    c40           TEXT,
    PRIMARY KEY (snapshot_id, row_no)
);

-- 风险预警: indicators defined as data, the warnings they raise, and each evaluation's counts.
CREATE TABLE risk_indicators (
    code        TEXT PRIMARY KEY,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    formula     TEXT NOT NULL,                -- JSON: a built-in measure or a query model
    unit        TEXT NOT NULL,
    yellow      TEXT NOT NULL,                -- thresholds: a figure above one raises its level
    orange      TEXT NOT NULL,
    red         TEXT NOT NULL,
    auto_freeze BIGINT NOT NULL DEFAULT 0,    -- a red warning freezes the subject's reporting
    enabled     BIGINT NOT NULL DEFAULT 1,
    updated_at  BIGINT NOT NULL
);
CREATE TABLE risk_warnings (
    id             TEXT PRIMARY KEY,
    indicator      TEXT NOT NULL REFERENCES risk_indicators (code),
    subject        TEXT NOT NULL,
    subject_name   TEXT NOT NULL,
    organisation_id TEXT,                     -- the subject's organisation, when it is one
    level          TEXT NOT NULL CHECK (level IN ('yellow', 'orange', 'red')),
    figure         TEXT NOT NULL,
    threshold      TEXT NOT NULL,
    records        TEXT NOT NULL,             -- the records behind the figure, JSON
    dimensions     TEXT NOT NULL,             -- bank, region, product where they apply, JSON
    raised_at      BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    cleared_at     BIGINT
);
CREATE UNIQUE INDEX risk_warnings_open ON risk_warnings (indicator, subject) WHERE cleared_at IS NULL;
CREATE INDEX risk_warnings_by_time ON risk_warnings (raised_at);
CREATE TABLE risk_evaluations (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        BIGINT NOT NULL,
    indicator TEXT NOT NULL,
    subjects  BIGINT NOT NULL,
    yellow    BIGINT NOT NULL,
    orange    BIGINT NOT NULL,
    red       BIGINT NOT NULL
);
CREATE INDEX risk_evaluations_by_time ON risk_evaluations (at);

-- 上传下达: notices to organisations or roles, one inbox message per recipient, and staff's
-- view of who acknowledged.
CREATE TABLE risk_notices (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    warning_id      TEXT REFERENCES risk_warnings (id),
    document_name   TEXT,
    document_sha256 TEXT,
    document        BLOB,
    sent_by         TEXT NOT NULL,
    sent_at         BIGINT NOT NULL
);
CREATE TABLE risk_notice_recipients (
    notice_id   TEXT NOT NULL REFERENCES risk_notices (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    message_id  TEXT NOT NULL,
    reminded_at BIGINT,
    reminders   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (notice_id, user_id)
);

-- Staff actions of risk monitoring (freezes from warnings, unfreezes, indicator changes,
-- evaluations on demand). Rows are only ever inserted.
CREATE TABLE risk_audit (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
);

-- What each reporting call received and refused, per organisation (the reporting-compliance
-- indicator reads it). Rows are only ever inserted.
CREATE TABLE catalogue_report_log (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id TEXT NOT NULL,
    at              BIGINT NOT NULL,
    received        BIGINT NOT NULL,
    refused         BIGINT NOT NULL
);
CREATE INDEX catalogue_report_log_by_organisation ON catalogue_report_log (organisation_id, at);

-- Catalogue records deleted by a delete query (a tombstone version), by type: reporting one of
-- them again continues its versions. Only read when its type has any, so a type without
-- deletions pays nothing for it.
CREATE TABLE catalogue_deleted (
    record_type TEXT NOT NULL,
    record_key  TEXT NOT NULL,
    PRIMARY KEY (record_type, record_key)
);
