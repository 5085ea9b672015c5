-- The algorithm a client registered for its ID tokens (OpenID Connect Dynamic Client
-- Registration's id_token_signed_response_alg); NULL is the server's default (RS256).
ALTER TABLE clients ADD COLUMN id_token_signed_response_alg TEXT;
