-- Times are Unix milliseconds (BIGINT) on both dialects: one representation,
-- no driver-dependent time zone handling.
CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    password_hash    TEXT NOT NULL DEFAULT '',
    timezone         TEXT NOT NULL,
    locale           TEXT NOT NULL,
    tracking_opt_out BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE programs (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    timezone            TEXT NOT NULL DEFAULT 'UTC',
    leaderboard_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    rewards_enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    -- bumped by every write that can change a feed, so caches on any
    -- instance know when to reload
    content_version     BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL
);

CREATE TABLE memberships (
    program_id TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (program_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE invites (
    code_hash   TEXT PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT
);
CREATE INDEX invites_user ON invites(user_id);

CREATE TABLE member_groups (
    id         TEXT PRIMARY KEY,
    program_id TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (program_id, name)
);

-- The program id is repeated on the rows that tie people to groups and
-- channels so that "this member's groups here" is one index range, whatever
-- the planner knows: the feed asks it on every request.
CREATE TABLE group_members (
    group_id   TEXT NOT NULL REFERENCES member_groups(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    program_id TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id, program_id);

CREATE TABLE channels (
    id         TEXT PRIMARY KEY,
    program_id TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    visibility TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (program_id, name)
);

-- private channels: managers choose who is in
CREATE TABLE channel_members (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    program_id TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members(user_id, program_id);

-- public channels: members follow
CREATE TABLE channel_follows (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    program_id TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_follows_user ON channel_follows(user_id, program_id);

CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX campaigns_program ON campaigns(program_id);

CREATE TABLE activities (
    id               TEXT PRIMARY KEY,
    program_id       TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    type             TEXT NOT NULL,
    message          TEXT NOT NULL DEFAULT '',
    instructions     TEXT NOT NULL DEFAULT '',
    media_id         TEXT NOT NULL DEFAULT '',
    starts_at        BIGINT NOT NULL,
    ends_at          BIGINT,
    points           INTEGER NOT NULL,
    campaign_id      TEXT REFERENCES campaigns(id) ON DELETE SET NULL,
    featured         BOOLEAN NOT NULL DEFAULT FALSE,
    created_by       TEXT NOT NULL,
    creator_timezone TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    removed_at       BIGINT
);
CREATE INDEX activities_program_end ON activities(program_id, ends_at);
CREATE INDEX activities_program_start ON activities(program_id, starts_at);

CREATE TABLE activity_groups (
    activity_id TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    group_id    TEXT NOT NULL REFERENCES member_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, group_id)
);
CREATE INDEX activity_groups_group ON activity_groups(group_id);

CREATE TABLE activity_channels (
    activity_id TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    channel_id  TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, channel_id)
);
CREATE INDEX activity_channels_channel ON activity_channels(channel_id);
