-- Durable background work. A job is claimed with a lease; a worker that dies
-- loses its lease and the job runs again, so handlers are idempotent.
CREATE TABLE jobs (
    id           {{autoid}},
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    locked_by    TEXT,
    locked_until BIGINT,
    last_error   TEXT NOT NULL DEFAULT '',
    dedupe_key   TEXT,
    created_at   BIGINT NOT NULL,
    done_at      BIGINT,
    failed_at    BIGINT
);
CREATE INDEX jobs_due ON jobs(run_at) WHERE done_at IS NULL AND failed_at IS NULL;
-- At most one pending job per dedupe key.
CREATE UNIQUE INDEX jobs_pending_key ON jobs(dedupe_key) WHERE dedupe_key IS NOT NULL AND done_at IS NULL AND failed_at IS NULL;
