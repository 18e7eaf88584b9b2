-- A member's share page for one activity (/s/{token}): the token is a
-- capability for that member and activity only. Only its hash is kept; the
-- raw token is derived again from the row's nonce and the server's key, so
-- the same link can be shown again. revoked_at is set when the member leaves
-- the program or the activity is removed: the page then says so (410).
CREATE TABLE share_tokens (
    token_hash  TEXT PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    activity_id TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    nonce       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    UNIQUE (activity_id, user_id)
);
CREATE INDEX share_tokens_member ON share_tokens(program_id, user_id);
