-- Sites: which hosts they answer, which upstream pool serves them by default.
CREATE TABLE sites (
  name VARCHAR NOT NULL PRIMARY KEY,
  hosts VARCHAR NOT NULL,
  upstreams VARCHAR NOT NULL,
  lb VARCHAR NOT NULL,
  health_path VARCHAR,
  certificate VARCHAR,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Path routes within a site; the longest matching prefix wins.
CREATE TABLE routes (
  site VARCHAR NOT NULL REFERENCES sites (name) ON DELETE CASCADE,
  path_prefix VARCHAR NOT NULL,
  upstreams VARCHAR NOT NULL,
  lb VARCHAR NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (site, path_prefix)
);

-- TLS certificates; the private key is envelope-encrypted with the KEK.
CREATE TABLE certificates (
  name VARCHAR NOT NULL PRIMARY KEY,
  cert_pem VARCHAR NOT NULL,
  private_key BLOB NOT NULL,
  sans VARCHAR NOT NULL,
  subject VARCHAR NOT NULL,
  issuer VARCHAR NOT NULL,
  not_before BIGINT NOT NULL,
  not_after BIGINT NOT NULL,
  fingerprint VARCHAR NOT NULL,
  created_at BIGINT NOT NULL
);
