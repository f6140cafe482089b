-- Node-local identity and fencing state. Exactly one row.
CREATE TABLE cluster_state (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  node_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  epoch BIGINT NOT NULL,
  read_only BOOLEAN NOT NULL,
  kek_fingerprint VARCHAR NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Every change to replicated state, in commit order. seq is gap-free.
CREATE TABLE mutation_log (
  seq BIGINT NOT NULL PRIMARY KEY,
  epoch BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  actor VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  payload VARCHAR NOT NULL
);

CREATE TABLE settings (
  name VARCHAR NOT NULL PRIMARY KEY,
  value VARCHAR NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by VARCHAR NOT NULL
);

-- Envelope-encrypted blobs (see io.tiyi.crypto.Envelope); owner binds the row as associated data.
CREATE TABLE secrets (
  id VARCHAR NOT NULL PRIMARY KEY,
  kind VARCHAR NOT NULL,
  blob BLOB NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE bundle_signing_key (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  algorithm VARCHAR NOT NULL,
  public_key BLOB NOT NULL,
  private_key BLOB NOT NULL,
  fingerprint VARCHAR NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  id INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR NOT NULL UNIQUE,
  role VARCHAR NOT NULL,
  password_hash VARCHAR NOT NULL,
  must_change_password BOOLEAN NOT NULL,
  disabled BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Hash-chained: hash = SHA-256(canonical(entry) || prev_hash).
CREATE TABLE audit_log (
  id BIGINT NOT NULL PRIMARY KEY,
  ts BIGINT NOT NULL,
  actor VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  target VARCHAR NOT NULL,
  details VARCHAR NOT NULL,
  mutation_seq BIGINT,
  prev_hash VARCHAR NOT NULL,
  hash VARCHAR NOT NULL
);
