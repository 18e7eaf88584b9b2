-- Stored media: one row per file a program can use in activities. The bytes
-- live in media storage (a local directory by default) under storage_key;
-- the facts are what mediacheck read from the file's headers when it arrived.
CREATE TABLE media (
    id           TEXT PRIMARY KEY,
    program_id   TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    container    TEXT NOT NULL,
    video_codec  TEXT NOT NULL DEFAULT '',
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    duration_ms  BIGINT NOT NULL DEFAULT 0,
    size_bytes   BIGINT NOT NULL,
    storage_key  TEXT NOT NULL,
    -- upload, link_preview or demo; source_url is the page image's address
    source       TEXT NOT NULL,
    source_url   TEXT NOT NULL DEFAULT '',
    created_by   TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX media_program ON media(program_id, created_at);

-- Resumable uploads in progress. The bytes so far sit in the receiving
-- server's staging directory; offset_bytes only moves after they are synced
-- to disk. media_id is chosen up front, so a complete that crashed half-way
-- finishes under the same id when retried.
CREATE TABLE media_uploads (
    id           TEXT PRIMARY KEY,
    program_id   TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    filename     TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    offset_bytes BIGINT NOT NULL DEFAULT 0,
    media_id     TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX media_uploads_updated ON media_uploads(updated_at);
