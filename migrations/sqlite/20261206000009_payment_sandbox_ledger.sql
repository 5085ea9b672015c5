-- The payment sandbox's own statement: every refund it made (idp/src/crowdfunding/payments.rs),
-- as a real gateway's merchant statement would list them.
CREATE TABLE payment_sandbox_ledger (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL,
    at             BIGINT NOT NULL
);
CREATE INDEX payment_sandbox_ledger_order ON payment_sandbox_ledger (order_id);
