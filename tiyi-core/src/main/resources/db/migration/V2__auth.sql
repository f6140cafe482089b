-- Refresh tokens: stored as SHA-256 of the token, rotated on every use. A token used twice
-- revokes its whole family (every token descended from one login).
CREATE TABLE refresh_tokens (
  token_hash VARCHAR NOT NULL PRIMARY KEY,
  family_id VARCHAR NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked_at BIGINT
);

CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
