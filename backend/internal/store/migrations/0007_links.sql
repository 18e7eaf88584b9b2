-- Each member's own short link per activity and URL.
CREATE TABLE links (
    code        TEXT PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    activity_id TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (activity_id, user_id, url)
);

-- Clicks, written in batches. visitor is a daily-salted hash, never an address.
CREATE TABLE clicks (
    id            {{autoid}},
    code          TEXT NOT NULL,
    program_id    TEXT NOT NULL,
    activity_id   TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    at            BIGINT NOT NULL,
    referrer_host TEXT NOT NULL DEFAULT '',
    bot           BOOLEAN NOT NULL,
    visitor       TEXT NOT NULL
);
CREATE INDEX clicks_activity ON clicks(program_id, activity_id);
CREATE INDEX clicks_program_time ON clicks(program_id, at);
