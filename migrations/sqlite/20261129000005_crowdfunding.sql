-- Product crowdfunding (产品众筹平台, seed 二.1). Money is integer fen (分) throughout; the
-- catalogue records (4.2.1, 4.2.2, 4.3) are written alongside by the workflow.

CREATE TABLE cf_projects (
    id               TEXT PRIMARY KEY,            -- CROWD_ID
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    owner_user_id    TEXT NOT NULL REFERENCES users (id),
    state            TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'listed', 'succeeded', 'failed', 'rejected', 'deleted')),
    category         TEXT NOT NULL,
    title            TEXT NOT NULL,
    summary          TEXT NOT NULL DEFAULT '',
    intro            TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '',
    cover_url        TEXT,
    comp_id          TEXT,
    link_name        TEXT,
    link_mobile      TEXT,
    target_fen       BIGINT NOT NULL CHECK (target_fen > 0),
    duration_days    BIGINT NOT NULL CHECK (duration_days BETWEEN 1 AND 999),
    feedback         TEXT,
    deletion_reason  TEXT,
    raised_fen       BIGINT NOT NULL DEFAULT 0,
    backers          BIGINT NOT NULL DEFAULT 0,
    listed_at        BIGINT,
    ends_at          BIGINT,
    closed_at        BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX cf_projects_by_state ON cf_projects (state, ends_at);
CREATE INDEX cf_projects_by_organisation ON cf_projects (organisation_id);

CREATE TABLE cf_rewards (
    id               TEXT PRIMARY KEY,            -- REWARD_ID
    project_id       TEXT NOT NULL REFERENCES cf_projects (id),
    position         BIGINT NOT NULL,
    amount_fen       BIGINT NOT NULL CHECK (amount_fen > 0),
    brief            TEXT NOT NULL DEFAULT '',
    content          TEXT NOT NULL DEFAULT '',
    reward_limit     BIGINT,                      -- NULL: unlimited
    sold             BIGINT NOT NULL DEFAULT 0,
    express_fee_fen  BIGINT NOT NULL DEFAULT 0,
    reback_days      BIGINT,
    CHECK (reward_limit IS NULL OR sold <= reward_limit)
);
CREATE INDEX cf_rewards_by_project ON cf_rewards (project_id, position);

CREATE TABLE cf_orders (
    id                  TEXT PRIMARY KEY,         -- ORDER_ID
    project_id          TEXT NOT NULL REFERENCES cf_projects (id),
    reward_id           TEXT NOT NULL REFERENCES cf_rewards (id),
    backer_user_id      TEXT NOT NULL REFERENCES users (id),
    state               TEXT NOT NULL CHECK (state IN ('pending', 'paid', 'refunded', 'cancelled')),
    copies              BIGINT NOT NULL CHECK (copies > 0),
    amount_fen          BIGINT NOT NULL,
    buyer_name          TEXT NOT NULL,
    buyer_link_name     TEXT NOT NULL,
    buyer_link_mobile   TEXT NOT NULL,
    delivery_user_name  TEXT NOT NULL,
    delivery_user_phone TEXT NOT NULL,
    delivery_address    TEXT NOT NULL,
    prepay_id           TEXT UNIQUE,
    transaction_id      TEXT,
    paid_at             BIGINT,
    refunded_at         BIGINT,
    delivery_date       TEXT,
    delivery_type       TEXT,
    delivery_no         TEXT,
    evaluation          BIGINT CHECK (evaluation BETWEEN 1 AND 5),
    remark              TEXT,
    created_at          BIGINT NOT NULL
);
CREATE INDEX cf_orders_by_project ON cf_orders (project_id, state);
CREATE INDEX cf_orders_by_backer ON cf_orders (backer_user_id);

-- Each payment notification is handled once: its id is remembered.
CREATE TABLE cf_payment_events (
    event_id    TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES cf_orders (id),
    kind        TEXT NOT NULL CHECK (kind IN ('paid', 'refunded')),
    received_at BIGINT NOT NULL
);

-- Who changed what, when, from which state to which, and why.
CREATE TABLE cf_audit (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL,
    order_id    TEXT,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    reason      TEXT,
    at          BIGINT NOT NULL
);
CREATE INDEX cf_audit_by_project ON cf_audit (project_id, at);

-- 科技创新券 applications of successful projects.
CREATE TABLE cf_vouchers (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL UNIQUE REFERENCES cf_projects (id),
    state       TEXT NOT NULL CHECK (state IN ('applied', 'approved', 'rejected')),
    amount_fen  BIGINT NOT NULL,
    reason      TEXT,
    applied_at  BIGINT NOT NULL,
    decided_at  BIGINT,
    decided_by  TEXT
);
