-- The manifest's ed25519 signature made at import with the bundle signing key (agents verify it
-- with their pinned key before installing), and the fingerprint of the key that made it. Releases
-- imported before signing have neither and cannot be applied: delete them and import them again.
ALTER TABLE releases ADD COLUMN signature BLOB;
ALTER TABLE releases ADD COLUMN signed_by VARCHAR;
