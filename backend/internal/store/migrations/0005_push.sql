-- Push registrations. token is the FCM registration token, the APNs device
-- token (hex) or the Web Push endpoint; subscription holds a Web Push
-- subscription's JSON. One row per (platform, token): a phone that signs in
-- to another account takes its registration along, so nobody gets pushes
-- meant for the person who used the phone before.
CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    platform     TEXT NOT NULL,
    token        TEXT NOT NULL,
    subscription TEXT NOT NULL DEFAULT '',
    -- the app's language when it registered; '' = the member's locale
    locale       TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (platform, token)
);
CREATE INDEX devices_user ON devices(user_id);

-- Quiet hours: wall-clock "HH:MM" in the member's own zone; '' = none.
ALTER TABLE users ADD COLUMN quiet_hours_start TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN quiet_hours_end TEXT NOT NULL DEFAULT '';

-- An activity is announced once: the row is written in the transaction that
-- enqueues its fan-out batches, so a replayed or duplicated plan finds it.
CREATE TABLE push_announcements (
    activity_id TEXT PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
    program_id  TEXT NOT NULL,
    devices     INTEGER NOT NULL,
    batches     INTEGER NOT NULL,
    created_at  BIGINT NOT NULL
);

-- What was sent to which device under one push key (act:{activity},
-- job:{id}): a batch that runs again after a crash or a retry skips these.
-- outcome: sent, rejected, unregistered, or held (quiet hours; a later job
-- sends it).
CREATE TABLE push_deliveries (
    push_key  TEXT NOT NULL,
    device_id TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    at        BIGINT NOT NULL,
    PRIMARY KEY (push_key, device_id)
);
CREATE INDEX push_deliveries_at ON push_deliveries(at);

-- Live events for open apps (server-sent events), kept for a while so a
-- reconnecting app resumes from Last-Event-ID. user_id set: that person's;
-- program_id set: every member's of the program.
CREATE TABLE live_events (
    id         {{autoid}},
    user_id    TEXT NOT NULL DEFAULT '',
    program_id TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX live_events_created ON live_events(created_at);
