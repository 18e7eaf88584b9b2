package store

import (
	"context"
	"database/sql"
	"time"
)

// NewJob is background work to do.
type NewJob struct {
	Kind        string
	Payload     string // JSON
	RunAt       time.Time
	MaxAttempts int    // 0: 10
	DedupeKey   string // non-empty: skipped while a pending job has the same key
}

// Job is a claimed job.
type Job struct {
	ID       int64
	Kind     string
	Payload  string
	Attempts int // including this one
	Max      int
}

// EnqueueJob stores a job.
func (s *Store) EnqueueJob(ctx context.Context, j NewJob) error {
	return wrap("EnqueueJob", enqueue(ctx, s, s.w, j))
}

// enqueue adds a job inside a caller's transaction, so the work is recorded
// exactly when the write that causes it commits.
func enqueue(ctx context.Context, s *Store, q querier, j NewJob) error {
	if j.MaxAttempts == 0 {
		j.MaxAttempts = 10
	}
	_, err := q.ExecContext(ctx, s.q(`INSERT INTO jobs (kind, payload, run_at, max_attempts, dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND done_at IS NULL AND failed_at IS NULL DO NOTHING`),
		j.Kind, j.Payload, ms(j.RunAt), j.MaxAttempts, nullString(j.DedupeKey), ms(time.Now()))
	return err
}

// ClaimJobs leases up to limit due jobs of the given kinds to worker. On
// PostgreSQL, SKIP LOCKED lets several instances claim side by side without
// ever taking the same job; SQLite has one writer, which serializes claims.
func (s *Store) ClaimJobs(ctx context.Context, worker string, kinds []string, now time.Time, lease time.Duration, limit int) ([]Job, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	lock := ""
	if s.d.name == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	args := []any{worker, ms(now.Add(lease)), ms(now), ms(now)}
	args = append(args, anySlice(kinds)...)
	args = append(args, limit)
	rows, err := s.w.QueryContext(ctx, s.rebind(`UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM jobs WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= ?
			AND (locked_until IS NULL OR locked_until < ?) AND kind IN (`+placeholders(len(kinds))+`)
			ORDER BY run_at, id LIMIT ?`+lock+`)
		RETURNING id, kind, payload, attempts, max_attempts`), args...)
	if err != nil {
		return nil, wrap("ClaimJobs", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		var j Job
		if err := rows.Scan(&j.ID, &j.Kind, &j.Payload, &j.Attempts, &j.Max); err != nil {
			return nil, wrap("ClaimJobs", err)
		}
		out = append(out, j)
	}
	return out, wrap("ClaimJobs", rows.Err())
}

// CompleteJob marks a job done, if worker still holds it.
func (s *Store) CompleteJob(ctx context.Context, id int64, worker string, now time.Time) error {
	_, err := s.w.ExecContext(ctx, s.q("UPDATE jobs SET done_at = ?, locked_by = NULL, locked_until = NULL WHERE id = ? AND locked_by = ?"), ms(now), id, worker)
	return wrap("CompleteJob", err)
}

// RetryJob releases a job to run again at runAt.
func (s *Store) RetryJob(ctx context.Context, id int64, worker string, runAt time.Time, lastErr string) error {
	_, err := s.w.ExecContext(ctx, s.q("UPDATE jobs SET run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL WHERE id = ? AND locked_by = ?"), ms(runAt), lastErr, id, worker)
	return wrap("RetryJob", err)
}

// FailJob gives up on a job.
func (s *Store) FailJob(ctx context.Context, id int64, worker string, now time.Time, lastErr string) error {
	_, err := s.w.ExecContext(ctx, s.q("UPDATE jobs SET failed_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL WHERE id = ? AND locked_by = ?"), ms(now), lastErr, id, worker)
	return wrap("FailJob", err)
}

// JobCounts tells how many jobs of a kind are pending, done and failed.
func (s *Store) JobCounts(ctx context.Context, kind string) (pending, done, failed int, err error) {
	err = s.r.QueryRowContext(ctx, s.q(`SELECT
		COALESCE(SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM jobs WHERE kind = ?`), kind).Scan(&pending, &done, &failed)
	return pending, done, failed, wrap("JobCounts", err)
}

// NextJobAt is when the next pending job is due (zero if none), so workers
// can sleep until then.
func (s *Store) NextJobAt(ctx context.Context) (time.Time, error) {
	var v sql.NullInt64
	err := s.r.QueryRowContext(ctx, "SELECT MIN(run_at) FROM jobs WHERE done_at IS NULL AND failed_at IS NULL").Scan(&v)
	return fromNullMS(v), wrap("NextJobAt", err)
}

// CreateHandoff records that a member asked for an activity on their phone
// and queues the jobs it causes (its pushes) in one transaction: a recorded
// handoff always has its push queued. It answers how many of the member's
// devices on the phone platforms the push goes to, counted in the same
// transaction: 0 when no job was queued (no push service), so a client
// never claims a phone that will not hear of it.
func (s *Store) CreateHandoff(ctx context.Context, id, programID, activityID, userID string, at time.Time, phones []string, jobs ...NewJob) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO handoffs (id, program_id, activity_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)"),
			id, programID, activityID, userID, ms(at)); err != nil {
			return err
		}
		if len(jobs) > 0 && len(phones) > 0 {
			q := "SELECT COUNT(*) FROM devices WHERE user_id = ? AND platform IN (" + placeholders(len(phones)) + ")"
			if err := tx.QueryRowContext(ctx, s.rebind(q), append([]any{userID}, anySlice(phones)...)...).Scan(&n); err != nil {
				return err
			}
		}
		return enqueueAll(ctx, s, tx, jobs)
	})
	return n, wrap("CreateHandoff", err)
}
