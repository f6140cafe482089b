-- Enrollment tokens: single-use, expiring, stored as SHA-256 of the token only.
CREATE TABLE enrollment_tokens (
  id VARCHAR NOT NULL PRIMARY KEY,
  token_hash VARCHAR NOT NULL UNIQUE,
  tag VARCHAR NOT NULL,
  created_at BIGINT NOT NULL,
  created_by VARCHAR NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  used_by VARCHAR,
  revoked_at BIGINT
);

-- Enrolled agents: their public keys (X25519 for sealed secrets, ed25519 for identity) and the
-- SHA-256 of their credential. Health and reports live in memory on the control plane.
CREATE TABLE agents (
  id VARCHAR NOT NULL PRIMARY KEY,
  tag VARCHAR NOT NULL,
  x25519_public VARBINARY NOT NULL,
  ed25519_public VARBINARY NOT NULL,
  credential_hash VARCHAR NOT NULL UNIQUE,
  enrolled_at BIGINT NOT NULL,
  enrolled_from VARCHAR NOT NULL,
  revoked_at BIGINT
);
