-- Per-site WAF policy; a site without a row runs the defaults (detect, paranoia 1, thresholds 5/4).
CREATE TABLE waf_policies (
  site VARCHAR NOT NULL PRIMARY KEY REFERENCES sites (name) ON DELETE CASCADE,
  mode VARCHAR NOT NULL,
  paranoia INTEGER NOT NULL,
  inbound_threshold INTEGER NOT NULL,
  outbound_threshold INTEGER NOT NULL,
  custom_rules VARCHAR,
  updated_at BIGINT NOT NULL
);

-- Rule exclusions of a site: a rule (by id, or every rule with a tag) off entirely, or one target of it,
-- optionally only under a path prefix and method. rule_id is 0 when the exclusion names a tag.
CREATE TABLE waf_exclusions (
  id INTEGER NOT NULL PRIMARY KEY,
  site VARCHAR NOT NULL REFERENCES sites (name) ON DELETE CASCADE,
  rule_id BIGINT NOT NULL,
  tag VARCHAR,
  path_prefix VARCHAR,
  method VARCHAR,
  target VARCHAR,
  created_at BIGINT NOT NULL
);
