-- Content-addressed blobs (release artifacts). A mutation names a blob by hash; the blob itself is
-- stored before the mutation commits, and a secondary fetches it before replaying the mutation.
CREATE TABLE blobs (
  sha256 VARCHAR NOT NULL PRIMARY KEY,
  size BIGINT NOT NULL,
  data BLOB NOT NULL,
  created_at BIGINT NOT NULL
);

-- Imported releases and their artifacts, one per OS/arch.
CREATE TABLE releases (
  id VARCHAR NOT NULL PRIMARY KEY,
  version VARCHAR NOT NULL UNIQUE,
  created VARCHAR NOT NULL,
  manifest VARCHAR NOT NULL,
  imported_at BIGINT NOT NULL,
  imported_by VARCHAR NOT NULL
);

CREATE TABLE release_artifacts (
  release_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  os VARCHAR NOT NULL,
  arch VARCHAR NOT NULL,
  size BIGINT NOT NULL,
  sha256 VARCHAR NOT NULL,
  entry_point VARCHAR NOT NULL,
  PRIMARY KEY (release_id, name)
);

-- Rollouts: an apply of a release to agents, or a rollback to their previous binary.
CREATE TABLE rollouts (
  id BIGINT NOT NULL PRIMARY KEY,
  kind VARCHAR NOT NULL,
  release_id VARCHAR,
  version VARCHAR,
  created_at BIGINT NOT NULL,
  created_by VARCHAR NOT NULL
);

-- One row per agent a rollout targets; its state follows the agent's reports.
CREATE TABLE rollout_targets (
  rollout_id BIGINT NOT NULL,
  agent_id VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  reason VARCHAR,
  from_version VARCHAR,
  to_version VARCHAR,
  artifact_sha256 VARCHAR,
  artifact_size BIGINT,
  reported_version VARCHAR,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (rollout_id, agent_id)
);
