-- Insurers and guarantors (保险/担保机构) join the organisation kinds and roles.
ALTER TABLE organisations DROP CONSTRAINT organisations_kind_check;
ALTER TABLE organisations ADD CONSTRAINT organisations_kind_check CHECK (kind IN ('platform', 'carrier', 'enterprise', 'service_provider', 'bank', 'fund', 'insurer'));
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN ('admin', 'carrier_operator', 'enterprise', 'service_provider', 'backer', 'bank_officer', 'fund_manager', 'insurer'));
-- Financing services (融资服务平台, seed 二.3): risk compensation (6.2), bridge loans (6.1) and
-- leasing subsidies (6.3). Money is integer fen (分); each application is also its catalogue
-- record, written alongside by the workflow.

-- One application of any of the three products. The columns of the other products stay NULL.
CREATE TABLE fin_applications (
    id                TEXT PRIMARY KEY,          -- Apply_no
    product           TEXT NOT NULL CHECK (product IN ('bridge', 'compensation', 'leasing')),
    business          TEXT NOT NULL,             -- compensation: pledge | insurance; leasing: direct | leaseback; bridge: bridge
    state             TEXT NOT NULL,
    enterprise_org_id TEXT NOT NULL REFERENCES organisations (id),
    applicant_user_id TEXT NOT NULL REFERENCES users (id),
    bank_org_id       TEXT REFERENCES organisations (id),
    insurer_org_id    TEXT REFERENCES organisations (id),
    region_code       TEXT NOT NULL,             -- the enterprise's county (6 digits)
    comp_name         TEXT NOT NULL,
    priority          BIGINT NOT NULL DEFAULT 0, -- how many of 6.2's four priority flags are set
    amount_fen        BIGINT NOT NULL CHECK (amount_fen > 0),
    record            TEXT NOT NULL,             -- the catalogue record as last written, JSON
    -- bridge loans (6.1)
    maturing_fen      BIGINT,                    -- Expire_loan_acount
    renewal_fen       BIGINT,                    -- Loan_amount
    self_raised_fen   BIGINT,                    -- Self_repay_amount
    loan_due_date     TEXT,                      -- Expire_date (bridge) or Loan_end_date (compensation), yyyy-mm-dd
    loan_purpose      TEXT,
    loan_term_months  BIGINT,
    loan_rate         TEXT,
    -- money moved
    disbursed_fen     BIGINT,
    disbursed_at      BIGINT,
    disbursed_month   TEXT,                      -- yyyy-mm in China time, for the statistics
    due_at            BIGINT,                    -- bridge: the last day of its term; compensation: the loan's end
    recovered_at      BIGINT,
    used_days         BIGINT,
    fee_fen           BIGINT,
    -- risk compensation (6.2)
    custody_ref       TEXT,
    policy_no         TEXT,
    premium_fen       BIGINT,
    loss_fen          BIGINT,
    compensation_fen  BIGINT,
    region_share_fen  BIGINT,
    county_share_fen  BIGINT,
    bank_share_fen    BIGINT,
    recovered_fen     BIGINT,
    pool_back_fen     BIGINT,
    -- leasing subsidies (6.3)
    group_key         TEXT,
    subsidy_fen       BIGINT,
    subsidy_year      BIGINT,
    paid_at           BIGINT,
    feedback          TEXT,
    submitted_at      BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX fin_applications_queue ON fin_applications (product, state, priority, submitted_at);
CREATE INDEX fin_applications_by_bank ON fin_applications (bank_org_id, product, created_at, id, state, comp_name);
CREATE INDEX fin_applications_by_enterprise ON fin_applications (enterprise_org_id, product, created_at, id, state, comp_name);
CREATE INDEX fin_applications_by_product ON fin_applications (product, created_at, id, state, comp_name);
CREATE INDEX fin_applications_disbursed ON fin_applications (product, disbursed_month, bank_org_id, region_code, state, disbursed_fen, fee_fen, used_days, disbursed_at);
CREATE INDEX fin_applications_due ON fin_applications (state, due_at);

-- The leased devices of a leasing application (6.3.2).
CREATE TABLE fin_devices (
    application_id TEXT NOT NULL REFERENCES fin_applications (id),
    position       BIGINT NOT NULL,
    name           TEXT NOT NULL,                -- Device_name
    price_fen      BIGINT NOT NULL CHECK (price_fen > 0),
    finance_rate   TEXT NOT NULL,                -- Finance_rate, as the lessor states it
    lease_months   BIGINT NOT NULL CHECK (lease_months BETWEEN 1 AND 120),
    subsidy_fen    BIGINT,
    PRIMARY KEY (application_id, position)
);

-- Uploaded documents: a changed document is a new version of its kind, never an overwrite.
CREATE TABLE fin_documents (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES fin_applications (id),
    kind            TEXT NOT NULL,
    version         BIGINT NOT NULL,
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    content         BYTEA NOT NULL,
    organisation_id TEXT,
    uploaded_by     TEXT NOT NULL,
    at              BIGINT NOT NULL,
    UNIQUE (application_id, kind, version)
);

-- The funds money comes out of: the bridge fund (out = bridges not yet recovered) and the
-- risk compensation pool (out = compensation paid less what recovery brought back).
CREATE TABLE fin_funds (
    name     TEXT PRIMARY KEY CHECK (name IN ('bridge', 'pool')),
    size_fen BIGINT NOT NULL,
    out_fen  BIGINT NOT NULL DEFAULT 0 CHECK (out_fen >= 0)
);

-- A partner bank's outstanding risk-compensation lending, against its commitment.
CREATE TABLE fin_bank_lending (
    bank_org_id     TEXT PRIMARY KEY REFERENCES organisations (id),
    outstanding_fen BIGINT NOT NULL DEFAULT 0 CHECK (outstanding_fen >= 0)
);

-- The leasing subsidy budget of each year, and what each enterprise group was granted.
CREATE TABLE fin_budgets (
    year        BIGINT PRIMARY KEY,
    budget_fen  BIGINT NOT NULL,
    granted_fen BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE fin_group_grants (
    group_key   TEXT NOT NULL,
    year        BIGINT NOT NULL,
    granted_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_key, year)
);

-- Affiliated enterprises (关联企业) share one yearly leasing-subsidy cap.
CREATE TABLE fin_affiliations (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    group_key       TEXT NOT NULL
);

-- Every step, who took it and why.
CREATE TABLE fin_audit (
    seq            BIGSERIAL PRIMARY KEY,     -- the order steps were taken in
    application_id TEXT NOT NULL REFERENCES fin_applications (id),
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    from_state     TEXT,
    to_state       TEXT,
    note           TEXT,
    at             BIGINT NOT NULL
);
CREATE INDEX fin_audit_by_application ON fin_audit (application_id, seq);
