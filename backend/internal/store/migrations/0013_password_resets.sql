-- Password reset tokens ("Forgot password?"): only the SHA-256 hash of the
-- token is kept. A token works once (used_at) and until expires_at; setting
-- a password by any way marks every open token of the account used.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_user ON password_resets(user_id);
