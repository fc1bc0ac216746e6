-- Login throttle (issue 9): an attempt is counted before its password is checked, as a row in
-- login_failures; a successful one is then marked ok, and only failures after the latest ok row count.
ALTER TABLE login_failures ADD COLUMN ok boolean NOT NULL DEFAULT false;
CREATE INDEX login_failures_key_id ON login_failures (key, id);

-- Host-application sign-in tokens already used (by jti, or by the token's hash when it has none), kept
-- until they expire, so a token works once across every instance sharing the database.
CREATE TABLE sso_used_tokens (
  key         text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sso_used_tokens_expiry ON sso_used_tokens (expires_at);
