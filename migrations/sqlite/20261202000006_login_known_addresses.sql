-- Addresses each account signed in from successfully: the account-wide failure count does not
-- lock its owner out from them (idp/src/web/throttle.rs).
CREATE TABLE login_known_addresses (
    account      TEXT NOT NULL,
    address      TEXT NOT NULL,
    last_success BIGINT NOT NULL,
    PRIMARY KEY (account, address)
);
