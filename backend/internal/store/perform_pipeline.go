package store

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL a batch of performs is sent as one pipeline: BEGIN and one
// statement per perform go out together and their answers come back
// together, then COMMIT: two round trips per batch instead of seven per
// perform. Each perform is one statement (qPipelinedPerform), so it is
// atomic by itself: its row, ledger entry, balance, period totals and links
// are written together or not at all, in the batch's one transaction.
//
// A failing statement aborts the transaction and PostgreSQL skips the rest
// of the pipeline, so a savepoint per perform cannot isolate it here;
// instead the batch is rolled back and sent again without the perform that
// failed, which is answered its own error. Nothing is acknowledged before
// the COMMIT that holds it, so a perform sent again is not a perform
// doubled.

// qPipelinedPerform does what performIn does, in one statement. The
// perform's insert decides, as there: when it conflicts (already
// performed) the ledger, balance and totals inserts select no row. Links
// the member already has are read from the statement's snapshot, so a URL
// whose code comes back from neither (a code that collided with another
// link's, or a link made concurrently by a share) is finished in the same
// transaction by pipelineLinks.
const qPipelinedPerform = `WITH p AS (
	INSERT INTO performs (activity_id, user_id, program_id, client_action_id, surface, points, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (activity_id, user_id) DO NOTHING RETURNING points
), e AS (
	INSERT INTO point_entries (id, program_id, user_id, kind, points, activity_id, created_at)
	SELECT $8, $3, $2, 'activity', points, $1, $7 FROM p
), b AS (
	INSERT INTO point_balances (program_id, user_id, points) SELECT $3, $2, points FROM p
	ON CONFLICT (program_id, user_id) DO UPDATE SET points = point_balances.points + excluded.points RETURNING points
), t AS (
	INSERT INTO point_totals (program_id, period, period_start, user_id, points)
	SELECT $3, v.period, v.start, $2, p.points FROM p, (VALUES ('all', 0::bigint), ('month', $9::bigint), ('week', $10::bigint)) AS v(period, start)
	ON CONFLICT (program_id, period, period_start, user_id) DO UPDATE SET points = point_totals.points + excluded.points
), l AS (
	INSERT INTO links (code, program_id, activity_id, user_id, url, created_at)
	SELECT c, $3, $1, $2, u, $7 FROM unnest($11::text[], $12::text[]) AS x(c, u)
	ON CONFLICT DO NOTHING RETURNING url, code
)
SELECT EXISTS (SELECT 1 FROM p),
	COALESCE((SELECT points FROM b), (SELECT points FROM point_balances WHERE program_id = $3 AND user_id = $2), 0),
	ins.urls, ins.codes, had.urls, had.codes
FROM (SELECT COALESCE(array_agg(url), '{}') AS urls, COALESCE(array_agg(code), '{}') AS codes FROM l) AS ins,
	(SELECT COALESCE(array_agg(url), '{}') AS urls, COALESCE(array_agg(code), '{}') AS codes FROM links
		WHERE activity_id = $1 AND user_id = $2 AND url = ANY ($12::text[])) AS had`

// commitPerformsPipelined commits jobs (none with a TikTok staging, which
// goes through the savepoint path) on one connection of the pool.
func (s *Store) commitPerformsPipelined(ctx context.Context, jobs []*performJob) {
	failAll := func(err error) {
		for _, j := range jobs {
			if j.err == nil {
				j.err = err
			}
			j.out = PerformResult{}
		}
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		failAll(err)
		return
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		for len(jobs) > 0 {
			failed, ferr, fatal := pipelinePerforms(ctx, pc, jobs)
			if fatal != nil {
				failAll(fatal)
				// The connection's state (in a transaction or not) is
				// unknown: the pool must not hand it out again.
				return driver.ErrBadConn
			}
			if failed < 0 {
				return nil
			}
			jobs[failed].err, jobs[failed].out = ferr, PerformResult{}
			jobs = append(jobs[:failed:failed], jobs[failed+1:]...)
		}
		return nil
	})
	if err != nil && !errors.Is(err, driver.ErrBadConn) {
		failAll(err)
	}
}

// pipelinePerforms tries to commit jobs in one transaction. It answers the
// index of a perform whose statement failed (-1 if none) with its error,
// the transaction then rolled back; or a fatal error when the connection
// or the commit failed, which fails every perform still unanswered.
func pipelinePerforms(ctx context.Context, pc *pgx.Conn, jobs []*performJob) (int, error, error) {
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	for _, j := range jobs {
		p := j.req.PerformRecord
		codes := make([]string, len(j.req.URLs))
		for i := range codes {
			codes[i] = j.req.NewCode()
		}
		urls := j.req.URLs
		if urls == nil {
			urls = []string{}
		}
		b.Queue(qPipelinedPerform, p.ActivityID, p.UserID, p.ProgramID, p.ClientActionID, p.Surface, p.Points, ms(p.At),
			p.EntryID, ms(p.Periods.Month), ms(p.Periods.Week), codes, urls)
	}
	br := pc.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return -1, nil, err
	}
	failed, ferr := -1, error(nil)
	for i, j := range jobs {
		var inserted bool
		var bal int
		var insURLs, insCodes, hadURLs, hadCodes []string
		if err := br.QueryRow().Scan(&inserted, &bal, &insURLs, &insCodes, &hadURLs, &hadCodes); err != nil {
			failed, ferr = i, err
			break
		}
		out := PerformResult{PerformOutcome: PerformOutcome{AlreadyPerformed: !inserted, Balance: bal}}
		if inserted {
			out.Awarded = j.req.Points
		}
		out.Codes = make(map[string]string, len(j.req.URLs))
		for k, u := range hadURLs {
			out.Codes[u] = hadCodes[k]
		}
		for k, u := range insURLs {
			out.Codes[u] = insCodes[k]
		}
		j.out, j.err = out, nil
	}
	closeErr := br.Close()
	if failed < 0 && closeErr != nil {
		failed, ferr = len(jobs), closeErr
	}
	if failed < 0 {
		// A URL answered by neither insert nor read is rare: finish it in
		// the same transaction, one perform at a time.
		for i, j := range jobs {
			if len(j.out.Codes) == len(j.req.URLs) {
				continue
			}
			if err := pipelineLinks(ctx, pc, j); err != nil {
				failed, ferr = i, err
				break
			}
		}
	}
	if failed >= 0 {
		var pe *pgconn.PgError
		if failed == len(jobs) || !errors.As(ferr, &pe) {
			// Not one statement's refusal: the connection failed.
			return -1, nil, ferr
		}
		if _, err := pc.Exec(ctx, "ROLLBACK"); err != nil {
			return -1, nil, err
		}
		return failed, ferr, nil
	}
	if _, err := pc.Exec(ctx, "COMMIT"); err != nil {
		return -1, nil, errors.Join(errors.New("commit"), translate(err, "perform"))
	}
	return -1, nil, nil
}

// pipelineLinks gives j's member a code for each URL still without one, as
// ensureLinks does, on the pipeline's connection.
func pipelineLinks(ctx context.Context, pc *pgx.Conn, j *performJob) error {
	p := j.req.PerformRecord
	for _, u := range j.req.URLs {
		if _, ok := j.out.Codes[u]; ok {
			continue
		}
		for attempt := 0; attempt < 3; attempt++ {
			var code string
			err := pc.QueryRow(ctx, `INSERT INTO links (code, program_id, activity_id, user_id, url, created_at) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT DO NOTHING RETURNING code`, j.req.NewCode(), p.ProgramID, p.ActivityID, p.UserID, u, ms(p.At)).Scan(&code)
			if errors.Is(err, pgx.ErrNoRows) {
				err = pc.QueryRow(ctx, "SELECT code FROM links WHERE activity_id = $1 AND user_id = $2 AND url = $3", p.ActivityID, p.UserID, u).Scan(&code)
			}
			if err == nil {
				j.out.Codes[u] = code
				break
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
	}
	return nil
}
