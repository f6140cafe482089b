-- Sessions end when what they were granted on changes.
--
-- uid: the user's immutable identity, which access tokens carry instead of the name (a name can
-- be deleted and taken again; users.id is a rowid that SQLite hands out again after the highest
-- one is deleted). New users get a random uid carried in their Create mutation, so a replica that
-- replays it stores the same one. Existing users get a value derived from their row, not a random
-- one: every control-plane node runs this migration on its own copy of the state, and a primary
-- and its secondary must agree on each uid for one to accept the other's tokens. The 'legacy-'
-- prefix keeps these apart from random uids.
--
-- session_gen: bumped by every event that ends all of a user's sessions (password set, role
-- changed, disabled or enabled, a reused refresh token); an access token carries the generation it
-- was issued under and is refused once it differs.
ALTER TABLE users ADD COLUMN uid VARCHAR NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN session_gen BIGINT NOT NULL DEFAULT 0;
UPDATE users SET uid = 'legacy-' || id || '-' || created_at;
CREATE UNIQUE INDEX users_uid ON users (uid);
