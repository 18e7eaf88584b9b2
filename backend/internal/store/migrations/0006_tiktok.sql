-- A member's connected TikTok account; tokens are sealed (AES-256-GCM).
CREATE TABLE social_accounts (
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    network            TEXT NOT NULL,
    open_id            TEXT NOT NULL,
    display_name       TEXT NOT NULL DEFAULT '',
    avatar_url         TEXT NOT NULL DEFAULT '',
    access_token       TEXT NOT NULL,
    refresh_token      TEXT NOT NULL,
    access_expires_at  BIGINT NOT NULL,
    refresh_expires_at BIGINT NOT NULL,
    scopes             TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    connected_at       BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    PRIMARY KEY (user_id, network)
);

-- Pending OAuth consents: the nonce of a signed state, used once.
CREATE TABLE oauth_states (
    nonce         TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_verifier TEXT NOT NULL,
    expires_at    BIGINT NOT NULL
);

-- One staging of a TikTok activity's video per member: its progress is kept
-- here step by step, so a retry or a restart continues the same upload.
CREATE TABLE tiktok_stagings (
    activity_id    TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    program_id     TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    status         TEXT NOT NULL,
    publish_id     TEXT NOT NULL DEFAULT '',
    upload_url     TEXT NOT NULL DEFAULT '',
    chunk_size     BIGINT NOT NULL DEFAULT 0,
    total_chunks   INTEGER NOT NULL DEFAULT 0,
    uploaded_bytes BIGINT NOT NULL DEFAULT 0,
    fail_code      TEXT NOT NULL DEFAULT '',
    fail_reason    TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (activity_id, user_id)
);
CREATE INDEX tiktok_stagings_member ON tiktok_stagings(program_id, user_id);
