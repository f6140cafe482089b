-- The client-IP trust profile: one row. Lists are stored one entry per line.
CREATE TABLE trust_profile (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  trusted_proxies VARCHAR NOT NULL,
  client_ip_headers VARCHAR NOT NULL,
  cdn_providers VARCHAR NOT NULL,
  updated_at BIGINT NOT NULL
);

-- CDN ranges refreshed from a provider's published list; a provider without a row uses the built-in list.
CREATE TABLE cdn_ranges (
  provider VARCHAR NOT NULL PRIMARY KEY,
  ranges VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  taken_on VARCHAR NOT NULL,
  refreshed_at BIGINT NOT NULL
);

-- Alert rules: a condition over what the data plane reports, a window and a threshold.
CREATE TABLE alert_rules (
  name VARCHAR NOT NULL PRIMARY KEY,
  title VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  window_seconds INTEGER NOT NULL,
  threshold INTEGER NOT NULL,
  enabled BOOLEAN NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Alert firings: at most one per rule and window.
CREATE TABLE alert_firings (
  id INTEGER NOT NULL PRIMARY KEY,
  rule VARCHAR NOT NULL,
  window_start BIGINT NOT NULL,
  count BIGINT NOT NULL,
  fired_at BIGINT NOT NULL,
  detail VARCHAR NOT NULL,
  acked_at BIGINT,
  acked_by VARCHAR,
  UNIQUE (rule, window_start)
);
