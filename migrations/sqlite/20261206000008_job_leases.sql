-- Who runs each scheduled job now (idp/src/platform/jobs.rs): one instance at a time.
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
