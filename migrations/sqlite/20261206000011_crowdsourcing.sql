-- Business crowdsourcing (业务众包平台, seed 二.2). Money is integer fen (分) throughout; the
-- catalogue records (5.1 to 5.4) are written alongside by the workflow.

-- A service organisation's profile (5.1), the facts its matching uses pulled out of it.
CREATE TABLE cs_providers (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    org_name        TEXT NOT NULL,
    area_county     TEXT NOT NULL,               -- AREA_COUNTY
    industry_code   TEXT NOT NULL DEFAULT '',    -- INDUSTRY_CODE
    profile         TEXT NOT NULL,               -- the 5.1 record, JSON
    updated_at      BIGINT NOT NULL
);
CREATE INDEX cs_providers_by_area ON cs_providers (area_county);

-- Service products (5.2).
CREATE TABLE cs_products (
    id              TEXT PRIMARY KEY,            -- SERVICE_ITEM_ID
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    service_name    TEXT NOT NULL,
    service_class   TEXT NOT NULL,
    record          TEXT NOT NULL,               -- the 5.2 record, JSON
    created_at      BIGINT NOT NULL
);
CREATE INDEX cs_products_by_class ON cs_products (service_class, organisation_id);
CREATE INDEX cs_products_by_organisation ON cs_products (organisation_id);

-- Comprehensive ratings: the sum and count of overall scores an organisation received on one
-- side (1 = 非常满意 … 5 = 差, the seed's scale: lower is better).
CREATE TABLE cs_ratings (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    side            TEXT NOT NULL CHECK (side IN ('enterprise', 'provider')),
    total           BIGINT NOT NULL DEFAULT 0,
    votes           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (organisation_id, side)
);

-- Demands (5.4).
CREATE TABLE cs_demands (
    id                 TEXT PRIMARY KEY,         -- DEMAND_NO
    organisation_id    TEXT NOT NULL REFERENCES organisations (id),
    owner_user_id      TEXT NOT NULL REFERENCES users (id),
    state              TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'awaiting_escrow', 'listed', 'dealt', 'expired', 'rejected', 'deleted')),
    mode               TEXT NOT NULL CHECK (mode IN ('reward', 'tender', 'direct')),
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    fee_fen            BIGINT NOT NULL CHECK (fee_fen > 0),
    cycle_days         BIGINT NOT NULL CHECK (cycle_days BETWEEN 1 AND 999),
    expiry_date        TEXT NOT NULL,            -- yyyy-mm-dd, the last day open
    expires_at         BIGINT NOT NULL,          -- the end of that day, China time
    service_class      TEXT NOT NULL,
    industry_code      TEXT NOT NULL DEFAULT '',
    regions            TEXT NOT NULL DEFAULT '', -- restriction: division codes, ';' separated
    industries         TEXT NOT NULL DEFAULT '', -- restriction: industry codes, ';' separated
    -- The restrictions as the prefixes they admit, each between ';' (";6401;" for 640100):
    -- matching a provider is a LIKE on the row itself, no join.
    region_keys        TEXT NOT NULL DEFAULT '',
    industry_keys      TEXT NOT NULL DEFAULT '',
    direct_product_id  TEXT,
    direct_provider_id TEXT,
    comp_code          TEXT,
    comp_name          TEXT,
    comp_regist_type   TEXT,
    comp_address       TEXT,
    charger_name       TEXT,
    charger_mobile     TEXT,
    feedback           TEXT,
    pending_change     TEXT,                     -- a change waiting for 复核, JSON
    deletion_reason    TEXT,                     -- a deletion waiting for 复核
    order_id           TEXT,                     -- SERVICE_ORDER_NO
    selected_at        BIGINT,                   -- SELECTED_DATE
    server_org_id      TEXT,                     -- SERVER_ORG_ID: the chosen provider
    server_link_name   TEXT,                     -- SERVER_LINK_NAME
    key_project        BOOLEAN NOT NULL DEFAULT FALSE,
    listed_at          BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
-- The portal lists newest first (listed_at, then id): each listing index is in that order and
-- carries every column the filters read, so a page is found in the index alone (the table row
-- is read only for the demands shown) and never sorted.
CREATE INDEX cs_demands_listing ON cs_demands (state, listed_at, id, service_class, mode, fee_fen, expires_at, industry_code, region_keys, industry_keys);
CREATE INDEX cs_demands_listing_by_class ON cs_demands (state, service_class, listed_at, id, mode, fee_fen, expires_at, industry_code, region_keys, industry_keys);
CREATE INDEX cs_demands_listing_by_mode ON cs_demands (state, mode, listed_at, id, service_class, fee_fen, expires_at, industry_code, region_keys, industry_keys);
CREATE INDEX cs_demands_by_organisation ON cs_demands (organisation_id, created_at);
CREATE INDEX cs_demands_expiring ON cs_demands (state, expires_at);

-- Responses (项目响应): one per demand and provider; in reward mode, the submitted work.
CREATE TABLE cs_responses (
    id               TEXT PRIMARY KEY,
    demand_id        TEXT NOT NULL REFERENCES cs_demands (id),
    provider_org_id  TEXT NOT NULL REFERENCES organisations (id),
    provider_user_id TEXT NOT NULL REFERENCES users (id),
    state            TEXT NOT NULL CHECK (state IN ('open', 'selected', 'not_selected', 'declined')),
    approach         TEXT NOT NULL,
    price_fen        BIGINT NOT NULL CHECK (price_fen > 0),
    duration_days    BIGINT NOT NULL CHECK (duration_days BETWEEN 1 AND 999),
    attachments      TEXT NOT NULL DEFAULT '[]', -- links, JSON
    created_at       BIGINT NOT NULL,
    UNIQUE (demand_id, provider_org_id)
);
CREATE INDEX cs_responses_by_provider ON cs_responses (provider_org_id, created_at);

-- The negotiation thread of a response (线上服务对接): messages and offers.
CREATE TABLE cs_messages (
    id              TEXT PRIMARY KEY,
    response_id     TEXT NOT NULL REFERENCES cs_responses (id),
    seq             BIGINT NOT NULL,
    author_side     TEXT NOT NULL CHECK (author_side IN ('enterprise', 'provider')),
    author_user_id  TEXT NOT NULL,
    body            TEXT NOT NULL,
    offer_amount_fen BIGINT,
    offer_days      BIGINT,
    offer_method    TEXT,
    offer_state     TEXT CHECK (offer_state IN ('open', 'agreed', 'superseded')),
    at              BIGINT NOT NULL,
    UNIQUE (response_id, seq)
);

-- Service orders (5.3).
CREATE TABLE cs_orders (
    id                TEXT PRIMARY KEY,          -- SERVICE_ORDER_NO
    demand_id         TEXT NOT NULL UNIQUE REFERENCES cs_demands (id),
    response_id       TEXT REFERENCES cs_responses (id),
    enterprise_org_id TEXT NOT NULL REFERENCES organisations (id),
    provider_org_id   TEXT NOT NULL REFERENCES organisations (id),
    provider_region   TEXT NOT NULL DEFAULT '',  -- the provider's city (4-digit prefix), for statistics
    service_item_id   TEXT NOT NULL,             -- SERVICE_ITEM_ID: the product, or the demand
    state             TEXT NOT NULL CHECK (state IN ('awaiting_escrow', 'in_progress', 'delivered', 'disputed', 'completed', 'partially_refunded', 'refunded', 'cancelled')),
    amount_fen        BIGINT NOT NULL CHECK (amount_fen > 0),
    delivery_days     BIGINT NOT NULL,
    delivery_method   TEXT NOT NULL DEFAULT '',
    rework_rounds     BIGINT NOT NULL DEFAULT 0,
    result            TEXT,                      -- SERVER_RESULT: the last delivery's note
    applied_at        BIGINT NOT NULL,           -- SERVER_DATE_APPLY: the deal
    started_at        BIGINT,                    -- SERVER_DATE_ACCEPT: escrow paid, work starts
    first_delivered_at BIGINT,                   -- the first delivery, for on-time statistics
    delivered_at      BIGINT,
    auto_accept_at    BIGINT,
    ended_at          BIGINT,                    -- SERVER_DATE_END
    allowance_fen     BIGINT,                    -- ALLOWANCE: the approved subsidy
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX cs_orders_by_state ON cs_orders (state, auto_accept_at);
CREATE INDEX cs_orders_by_enterprise ON cs_orders (enterprise_org_id, created_at);
CREATE INDEX cs_orders_by_provider ON cs_orders (provider_org_id, created_at);

-- Escrow: money paid to the platform and held until it is released or refunded. A reward
-- demand's escrow is paid at listing and joins the order when the winner is picked.
CREATE TABLE cs_escrows (
    id             TEXT PRIMARY KEY,             -- the gateway's order id (CSE-…)
    demand_id      TEXT NOT NULL REFERENCES cs_demands (id),
    order_id       TEXT REFERENCES cs_orders (id),
    amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
    state          TEXT NOT NULL CHECK (state IN ('pending', 'held', 'closed')),
    paid_fen       BIGINT NOT NULL DEFAULT 0,
    released_fen   BIGINT NOT NULL DEFAULT 0,    -- to the provider, the platform fee included
    fee_fen        BIGINT NOT NULL DEFAULT 0,    -- the platform's fee out of the released sum
    refunded_fen   BIGINT NOT NULL DEFAULT 0,
    prepay_id      TEXT,
    transaction_id TEXT,
    paid_at        BIGINT,
    closed_at      BIGINT,
    created_at     BIGINT NOT NULL,
    CHECK (released_fen + refunded_fen <= paid_fen)
);
CREATE INDEX cs_escrows_by_demand ON cs_escrows (demand_id);
CREATE INDEX cs_escrows_by_order ON cs_escrows (order_id);

-- Every movement of escrowed money.
CREATE TABLE cs_escrow_moves (
    id         TEXT PRIMARY KEY,
    escrow_id  TEXT NOT NULL REFERENCES cs_escrows (id),
    kind       TEXT NOT NULL CHECK (kind IN ('paid', 'released', 'refunded')),
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    reference  TEXT,                             -- the gateway's transaction or refund id
    at         BIGINT NOT NULL
);
CREATE INDEX cs_escrow_moves_by_escrow ON cs_escrow_moves (escrow_id, at);

-- Each payment notification is handled once.
CREATE TABLE cs_payment_events (
    event_id    TEXT PRIMARY KEY,
    escrow_id   TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

-- Deliveries and the enterprise's answer to each.
CREATE TABLE cs_deliveries (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES cs_orders (id),
    round       BIGINT NOT NULL,
    note        TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',      -- links and uploaded attachment ids, JSON
    decision    TEXT CHECK (decision IN ('accepted', 'rework', 'auto_accepted')),
    reason      TEXT,
    at          BIGINT NOT NULL,
    decided_at  BIGINT,
    UNIQUE (order_id, round)
);

-- Uploaded attachments (size-limited by the policy).
CREATE TABLE cs_attachments (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES cs_orders (id),
    organisation_id TEXT NOT NULL,
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    content         BLOB NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX cs_attachments_by_order ON cs_attachments (order_id);

-- Disputes and their decisions.
CREATE TABLE cs_disputes (
    id             TEXT PRIMARY KEY,
    order_id       TEXT NOT NULL REFERENCES cs_orders (id),
    opened_by      TEXT NOT NULL CHECK (opened_by IN ('enterprise', 'provider')),
    reason         TEXT NOT NULL,
    evidence       TEXT NOT NULL DEFAULT '',
    answer         TEXT,
    answered_at    BIGINT,
    decision       TEXT CHECK (decision IN ('release', 'partial_refund', 'full_refund')),
    refund_fen     BIGINT,
    decision_note  TEXT,
    decided_by     TEXT,
    decided_at     BIGINT,
    opened_at      BIGINT NOT NULL
);
CREATE INDEX cs_disputes_by_order ON cs_disputes (order_id, opened_at);

-- Two-way evaluations (服务评价): each side once per order, on the seed's scale.
CREATE TABLE cs_evaluations (
    order_id        TEXT NOT NULL REFERENCES cs_orders (id),
    side            TEXT NOT NULL CHECK (side IN ('enterprise', 'provider')),
    target_org_id   TEXT NOT NULL,
    quality         BIGINT CHECK (quality BETWEEN 1 AND 5),
    cycle           BIGINT CHECK (cycle BETWEEN 1 AND 5),
    on_time         BIGINT CHECK (on_time BETWEEN 1 AND 5),
    communication   BIGINT CHECK (communication BETWEEN 1 AND 5),
    payment         BIGINT CHECK (payment BETWEEN 1 AND 5),
    overall         BIGINT NOT NULL CHECK (overall BETWEEN 1 AND 5),
    remark          TEXT,
    at              BIGINT NOT NULL,
    PRIMARY KEY (order_id, side)
);

-- Service subsidies (服务补贴券) and the money they draw on.
CREATE TABLE cs_subsidies (
    id                TEXT PRIMARY KEY,
    order_id          TEXT NOT NULL UNIQUE REFERENCES cs_orders (id),
    enterprise_org_id TEXT NOT NULL,
    year              BIGINT NOT NULL,
    amount_fen        BIGINT NOT NULL CHECK (amount_fen > 0),
    state             TEXT NOT NULL CHECK (state IN ('applied', 'approved', 'rejected')),
    reason            TEXT,
    applied_at        BIGINT NOT NULL,
    decided_at        BIGINT,
    decided_by        TEXT
);
CREATE INDEX cs_subsidies_by_state ON cs_subsidies (state, applied_at);

CREATE TABLE cs_subsidy_budgets (
    year        BIGINT PRIMARY KEY,
    budget_fen  BIGINT NOT NULL,
    granted_fen BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE cs_subsidy_granted (
    organisation_id TEXT NOT NULL,
    year            BIGINT NOT NULL,
    granted_fen     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (organisation_id, year)
);

-- The statistics as last computed (one row): the page reads it, a job refreshes it.
CREATE TABLE cs_statistics (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    body        TEXT NOT NULL,
    computed_at BIGINT NOT NULL,
    took_ms     BIGINT NOT NULL
);

-- Who changed what, when, from which state to which, and why.
CREATE TABLE cs_audit (
    id         TEXT PRIMARY KEY,
    demand_id  TEXT NOT NULL,
    order_id   TEXT,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    reason     TEXT,
    at         BIGINT NOT NULL
);
CREATE INDEX cs_audit_by_demand ON cs_audit (demand_id, at);
