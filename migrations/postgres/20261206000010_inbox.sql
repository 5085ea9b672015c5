-- The platform inbox (idp/src/inbox): messages to a user, an organisation's members or a
-- role's holders, and each reader's read and acknowledged times.
CREATE TABLE inbox_messages (
    -- Posting order: newest first, and the cursor of the next page.
    seq            BIGSERIAL PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    recipient_kind TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    source         TEXT NOT NULL,
    topic          TEXT NOT NULL,
    subject_zh     TEXT NOT NULL,
    subject_en     TEXT NOT NULL,
    body_zh        TEXT NOT NULL,
    body_en        TEXT NOT NULL,
    link           TEXT,
    needs_ack      BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);
CREATE INDEX inbox_messages_recipient ON inbox_messages (recipient_kind, recipient, seq);

CREATE TABLE inbox_receipts (
    message_id      TEXT NOT NULL REFERENCES inbox_messages (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    read_at         BIGINT,
    acknowledged_at BIGINT,
    PRIMARY KEY (message_id, user_id)
);
