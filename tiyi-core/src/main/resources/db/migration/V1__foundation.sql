-- Node-local identity and fencing state. Exactly one row.
CREATE TABLE cluster_state (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  node_id TEXT NOT NULL,
  role TEXT NOT NULL,
  epoch BIGINT NOT NULL,
  read_only BOOLEAN NOT NULL,
  kek_fingerprint TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Every change to replicated state, in commit order. seq is gap-free.
CREATE TABLE mutation_log (
  seq BIGINT NOT NULL PRIMARY KEY,
  epoch BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL
);

CREATE TABLE settings (
  name TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);

-- Envelope-encrypted blobs (see io.tiyi.crypto.Envelope); owner binds the row as associated data.
CREATE TABLE secrets (
  id TEXT NOT NULL PRIMARY KEY,
  kind TEXT NOT NULL,
  blob BLOB NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE bundle_signing_key (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  algorithm TEXT NOT NULL,
  public_key BLOB NOT NULL,
  private_key BLOB NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  id INTEGER NOT NULL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  must_change_password BOOLEAN NOT NULL,
  disabled BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Hash-chained: hash = SHA-256(canonical(entry) || prev_hash).
CREATE TABLE audit_log (
  id BIGINT NOT NULL PRIMARY KEY,
  ts BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL,
  mutation_seq BIGINT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
