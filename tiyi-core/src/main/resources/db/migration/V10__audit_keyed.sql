-- How the audit chain's hashes are computed: version 1 is plain SHA-256 (anyone can recompute
-- it), version 2 is HMAC-SHA256 under a key derived from the KEK. A node re-keys a version 1
-- chain at start once it has verified it; one that does not verify stays version 1 and is
-- reported by verify-chain until state.db is restored.
CREATE TABLE audit_chain (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  keyed_at BIGINT
);

INSERT INTO audit_chain (id, version, keyed_at) VALUES (1, 1, NULL);
