-- Which user a session belongs to, so the account page can list and end that user's sessions.
ALTER TABLE sessions ADD COLUMN user_id TEXT;
ALTER TABLE sessions ADD COLUMN login_sid TEXT;
ALTER TABLE sessions ADD COLUMN created_at BIGINT;
CREATE INDEX sessions_user ON sessions (user_id);
