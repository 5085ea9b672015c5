-- The mutual fund (互助基金, seed 二.3 and records 6.4.1–6.4.3): members, applications, their
-- documents, the chained contracts, a double-entry ledger and repayments. Money is integer fen.

-- 入社 (6.4.1): an enterprise's membership and what it paid in.
CREATE TABLE fund_members (
    join_no             TEXT PRIMARY KEY,
    enterprise_org_id   TEXT NOT NULL REFERENCES organisations (id),
    join_year           BIGINT NOT NULL,
    join_amount_fen     BIGINT NOT NULL CHECK (join_amount_fen > 0),
    company_name        TEXT NOT NULL,
    company_code        TEXT,
    company_address     TEXT,
    company_link_name   TEXT,
    company_link_mobile TEXT,
    active              BIGINT NOT NULL DEFAULT 1,   -- 0 once the member has left
    created_by          TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE INDEX fund_members_by_org ON fund_members (enterprise_org_id);

-- 基金申请 (6.4.2): an application and, once approved, its loan.
CREATE TABLE fund_applications (
    apply_no             TEXT PRIMARY KEY,
    join_no              TEXT NOT NULL REFERENCES fund_members (join_no),
    enterprise_org_id    TEXT NOT NULL REFERENCES organisations (id),
    applicant_user_id    TEXT NOT NULL REFERENCES users (id),
    apply_time           BIGINT NOT NULL,            -- the how-manieth application under this membership
    state                TEXT NOT NULL,
    amount_fen           BIGINT NOT NULL CHECK (amount_fen > 0),
    months               BIGINT NOT NULL CHECK (months > 0),
    loan_for             TEXT NOT NULL,
    loan_bank            TEXT,
    account_name         TEXT NOT NULL,              -- the enterprise's named account
    account_bank         TEXT NOT NULL,
    account_no           TEXT NOT NULL,
    enlarge_multiples    BIGINT,
    floating_percent     TEXT,
    monthly_rate         TEXT,                       -- ‰, two decimals
    loan_date            TEXT,                       -- yyyy-mm-dd, China
    last_repay_date      TEXT,
    real_repay_date      TEXT,
    handling_fee_fen     BIGINT,
    interest_fen         BIGINT,
    due_at               BIGINT,                     -- the instant LAST_REPAY_DATE ends
    principal_repaid_fen BIGINT NOT NULL DEFAULT 0,
    interest_repaid_fen  BIGINT NOT NULL DEFAULT 0,
    fee_repaid_fen       BIGINT NOT NULL DEFAULT 0,
    contract_no          TEXT,                       -- the contract in force
    disbursed_at         BIGINT,
    disbursed_month      TEXT,                       -- yyyy-mm, China
    settled_at           BIGINT,
    reminded_before_at   BIGINT,
    reminded_due_at      BIGINT,
    feedback             TEXT,
    record               TEXT NOT NULL,              -- the catalogue record as last written, JSON
    submitted_at         BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (join_no, apply_time)
);
CREATE INDEX fund_applications_by_org ON fund_applications (enterprise_org_id, created_at);
CREATE INDEX fund_applications_by_state ON fund_applications (state, due_at);

-- The sealed, signed application form and other documents, with their SHA-256.
CREATE TABLE fund_documents (
    id           TEXT PRIMARY KEY,
    apply_no     TEXT NOT NULL REFERENCES fund_applications (apply_no),
    kind         TEXT NOT NULL,
    version      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    at           BIGINT NOT NULL,
    UNIQUE (apply_no, kind, version)
);

-- 智能合约: append-only, each holding the hash of its canonical body and of the one before.
CREATE TABLE fund_contracts (
    seq         BIGSERIAL PRIMARY KEY,
    contract_no TEXT NOT NULL UNIQUE,
    apply_no    TEXT NOT NULL,
    amends      TEXT,
    body        TEXT NOT NULL,                        -- canonical JSON
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX fund_contracts_by_application ON fund_contracts (apply_no, seq);

-- The chain's head: how many contracts and the last hash, so a removed last contract shows.
CREATE TABLE fund_chain (
    id     BIGINT PRIMARY KEY CHECK (id = 1),
    length BIGINT NOT NULL,
    head   TEXT NOT NULL
);
INSERT INTO fund_chain (id, length, head) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The ledger: each entry's postings balance (Σ debit = Σ credit); account balances are
-- debit minus credit, and the fund's cash never goes below zero.
CREATE TABLE fund_accounts (
    code        TEXT PRIMARY KEY,
    balance_fen BIGINT NOT NULL DEFAULT 0,
    CHECK (code <> 'cash' OR balance_fen >= 0)
);
INSERT INTO fund_accounts (code) VALUES ('cash'), ('capital_government'), ('capital_members'), ('loans'), ('interest_income'), ('fee_income');

CREATE TABLE fund_journal (
    entry_no  BIGSERIAL PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('opening', 'capital', 'membership', 'disbursement', 'repayment')),
    apply_no  TEXT,
    org_id    TEXT,
    memo      TEXT NOT NULL,
    month     TEXT NOT NULL,                           -- yyyy-mm, China
    by_user   TEXT NOT NULL,
    at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX fund_journal_one_opening ON fund_journal (kind) WHERE kind = 'opening';
CREATE INDEX fund_journal_by_org ON fund_journal (org_id, entry_no);
CREATE INDEX fund_journal_by_application ON fund_journal (apply_no, entry_no);

CREATE TABLE fund_postings (
    id         BIGSERIAL PRIMARY KEY,
    entry_no   BIGINT NOT NULL REFERENCES fund_journal (entry_no),
    account    TEXT NOT NULL REFERENCES fund_accounts (code),
    debit_fen  BIGINT NOT NULL DEFAULT 0 CHECK (debit_fen >= 0),
    credit_fen BIGINT NOT NULL DEFAULT 0 CHECK (credit_fen >= 0)
);
CREATE INDEX fund_postings_by_entry ON fund_postings (entry_no);

-- 还款记录 (6.4.3), with how each repayment was applied (fee, then interest, then principal).
CREATE TABLE fund_repayments (
    repay_no      TEXT PRIMARY KEY,
    apply_no      TEXT NOT NULL REFERENCES fund_applications (apply_no),
    amount_fen    BIGINT NOT NULL CHECK (amount_fen > 0),
    repay_date    TEXT NOT NULL,
    fee_fen       BIGINT NOT NULL,
    interest_fen  BIGINT NOT NULL,
    principal_fen BIGINT NOT NULL,
    entry_no      BIGINT NOT NULL REFERENCES fund_journal (entry_no),
    recorded_by   TEXT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX fund_repayments_by_application ON fund_repayments (apply_no, at);

CREATE TABLE fund_audit (
    seq        BIGSERIAL PRIMARY KEY,
    apply_no   TEXT NOT NULL REFERENCES fund_applications (apply_no),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    note       TEXT,
    at         BIGINT NOT NULL
);
CREATE INDEX fund_audit_by_application ON fund_audit (apply_no, seq);
