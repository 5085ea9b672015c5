-- Shared carrier resources (共享双创载体的资源, seed 三): service items (each also its
-- catalogue record of type carrier-resource), the bookable resources tied to them, bookings
-- whose slots are claimed one row per slot (so two bookings of one resource never overlap),
-- and requests for items without slots. Times are Unix seconds; money is integer fen.

-- A carrier that shares something: what the portal lists, kept up to date on each publication.
CREATE TABLE res_carriers (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    name            TEXT NOT NULL,
    region_code     TEXT NOT NULL,
    items           BIGINT  NOT NULL DEFAULT 0,
    resources       BIGINT  NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX res_carriers_recent ON res_carriers (updated_at DESC, organisation_id);

-- A service item (SERVICE_ITEM_ID …): the seed's fields, searchable ones pulled out.
CREATE TABLE res_items (
    id              TEXT PRIMARY KEY,           -- SERVICE_ITEM_ID
    carrier_org_id  TEXT NOT NULL REFERENCES organisations (id),   -- OWNER_ID
    region_code     TEXT NOT NULL,
    service_name    TEXT NOT NULL,
    service_class   TEXT NOT NULL,
    service_object  TEXT NOT NULL,              -- ";"-separated codes, with ";" around: ";1;2;5;"
    service_method  TEXT NOT NULL,              -- likewise
    record          TEXT NOT NULL,              -- the carrier-resource record, JSON
    listed          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX res_items_by_carrier ON res_items (carrier_org_id, created_at);
CREATE INDEX res_items_recent ON res_items (listed, created_at DESC, id);

-- A bookable resource of an item. The slot length is fixed once made: slots are counted from
-- China midnight, so every claim of a resource lies on one grid.
CREATE TABLE res_resources (
    id                  TEXT PRIMARY KEY,
    item_id             TEXT NOT NULL REFERENCES res_items (id),
    carrier_org_id      TEXT NOT NULL REFERENCES organisations (id),
    region_code         TEXT NOT NULL,
    service_class       TEXT NOT NULL,
    service_object      TEXT NOT NULL,
    service_method      TEXT NOT NULL,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('room', 'workstation', 'equipment')),
    description         TEXT NOT NULL DEFAULT '',
    capacity            BIGINT  NOT NULL,
    opening_hours       TEXT NOT NULL,          -- JSON: seven "HH:MM-HH:MM" or "", Monday first
    open_minutes_week   BIGINT  NOT NULL,
    slot_minutes        BIGINT  NOT NULL,
    needs_approval      BOOLEAN NOT NULL,
    price_fen           BIGINT NOT NULL,        -- per slot; 0 is free
    training_required   BOOLEAN NOT NULL,
    max_minutes_per_day BIGINT,                -- per user; NULL: no limit
    cancel_hours_before BIGINT  NOT NULL,
    listed              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX res_resources_by_item ON res_resources (item_id);
CREATE INDEX res_resources_by_carrier ON res_resources (carrier_org_id, created_at);
CREATE INDEX res_resources_recent ON res_resources (listed, created_at DESC, id);

-- Who has been trained on a resource that requires it.
CREATE TABLE res_trainings (
    resource_id TEXT NOT NULL REFERENCES res_resources (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    trained_by  TEXT NOT NULL,
    trained_at  BIGINT NOT NULL,
    PRIMARY KEY (resource_id, user_id)
);

CREATE TABLE res_bookings (
    id              TEXT PRIMARY KEY,
    resource_id     TEXT NOT NULL REFERENCES res_resources (id),
    carrier_org_id  TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT,
    service_object  TEXT NOT NULL,
    external        BOOLEAN NOT NULL,           -- the booker is not of the carrier
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('requested', 'confirmed', 'declined', 'cancelled', 'no_show')),
    amount_fen      BIGINT NOT NULL,
    purpose         TEXT NOT NULL DEFAULT '',
    reason          TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX res_bookings_by_user ON res_bookings (user_id, starts_at);
CREATE INDEX res_bookings_by_resource ON res_bookings (resource_id, starts_at);
CREATE INDEX res_bookings_by_carrier ON res_bookings (carrier_org_id, starts_at);

-- One row per slot a live booking (requested or confirmed; a no-show keeps its past slots)
-- holds: the primary key is what refuses a second booking of the same slot, on both databases.
CREATE TABLE res_slot_claims (
    resource_id TEXT NOT NULL,
    slot_start  BIGINT NOT NULL,
    booking_id  TEXT NOT NULL,
    PRIMARY KEY (resource_id, slot_start)
);

-- A request for a service item without slots, handled like an order.
CREATE TABLE res_requests (
    id              TEXT PRIMARY KEY,
    item_id         TEXT NOT NULL REFERENCES res_items (id),
    carrier_org_id  TEXT NOT NULL,
    service_class   TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT,
    external        BOOLEAN NOT NULL,
    note            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('requested', 'accepted', 'declined', 'done', 'evaluated', 'cancelled')),
    reason          TEXT,
    score           BIGINT,
    remark          TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX res_requests_by_user ON res_requests (user_id, created_at);
CREATE INDEX res_requests_by_carrier ON res_requests (carrier_org_id, created_at);
