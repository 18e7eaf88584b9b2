-- A perform is a member doing an activity. "Once per member" is this table's
-- primary key, not an if in a handler.
CREATE TABLE performs (
    activity_id      TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    program_id       TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    client_action_id TEXT NOT NULL,
    surface          TEXT NOT NULL,
    points           INTEGER NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (activity_id, user_id)
);
CREATE INDEX performs_program_user ON performs(program_id, user_id);
CREATE INDEX performs_program_time ON performs(program_id, created_at);

-- The append-only ledger; balances and board totals below are caches of it,
-- written in the same transaction as each entry.
CREATE TABLE point_entries (
    seq           {{autoid}},
    id            TEXT NOT NULL UNIQUE,
    program_id    TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    points        INTEGER NOT NULL,
    activity_id   TEXT,
    redemption_id TEXT,
    reason        TEXT NOT NULL DEFAULT '',
    created_by    TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX point_entries_member ON point_entries(program_id, user_id, seq);
CREATE UNIQUE INDEX point_entries_activity_once ON point_entries(user_id, activity_id) WHERE kind = 'activity';
CREATE UNIQUE INDEX point_entries_redemption_once ON point_entries(redemption_id, kind) WHERE redemption_id IS NOT NULL;

-- What a member can spend.
CREATE TABLE point_balances (
    program_id TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    points     INTEGER NOT NULL,
    PRIMARY KEY (program_id, user_id)
);

-- Points earned per period (all time: period_start 0; months and weeks start
-- at midnight in the program's zone), for a leaderboard that reads one index.
CREATE TABLE point_totals (
    program_id   TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    period       TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    points       INTEGER NOT NULL,
    PRIMARY KEY (program_id, period, period_start, user_id)
);
CREATE INDEX point_totals_board ON point_totals(program_id, period, period_start, points, user_id);

CREATE TABLE handoffs (
    id          TEXT PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    activity_id TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE rewards (
    id          TEXT PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    cost        INTEGER NOT NULL,
    quantity    INTEGER,
    remaining   INTEGER,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  BIGINT NOT NULL,
    CHECK (remaining IS NULL OR remaining >= 0)
);
CREATE INDEX rewards_program ON rewards(program_id);

CREATE TABLE redemptions (
    id               TEXT PRIMARY KEY,
    program_id       TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    reward_id        TEXT NOT NULL REFERENCES rewards(id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_action_id TEXT NOT NULL,
    cost             INTEGER NOT NULL,
    status           TEXT NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    decided_at       BIGINT,
    UNIQUE (user_id, client_action_id)
);
CREATE INDEX redemptions_program ON redemptions(program_id, created_at);
