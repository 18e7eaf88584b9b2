package store

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"strconv"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// Performs are group-committed: concurrent requests queue their performs to
// a writer that commits up to performBatchMax of them in one transaction,
// each inside its own savepoint (on PostgreSQL each one statement of a
// pipeline, see perform_pipeline.go). One commit (on SQLite one fsync) then
// serves a whole batch, and a perform that fails fails alone. A caller is
// answered only after the commit that holds its perform, so an acknowledged
// perform is durable; one never answered is either wholly committed or
// wholly absent, since everything it writes (the perform, its ledger entry,
// balance, period totals, TikTok staging and tracked links) is in the same
// savepoint (or statement) of the same transaction.
const performBatchMax = 128

// performBatchTimeout bounds one batch's transaction: the callers waiting
// on it are not left waiting forever on a database that stopped answering.
const performBatchTimeout = 30 * time.Second

// PerformRequest is a perform with the tracked links its share text needs.
type PerformRequest struct {
	PerformRecord
	// URLs are the links of the activity's share text to give this member
	// their own codes for (none when they opted out of tracking); NewCode
	// makes a candidate code.
	URLs    []string
	NewCode func() string
}

// PerformResult is what a perform did, with the member's code for each URL.
type PerformResult struct {
	PerformOutcome
	Codes map[string]string
}

type performJob struct {
	ctx  context.Context
	req  PerformRequest
	out  PerformResult
	err  error
	done chan struct{}
}

// performWriter queues performs. On SQLite there is one lane, as there is one
// writer. On PostgreSQL there may be several (performLanesPostgres), each
// batch a pipeline on its own connection (perform_pipeline.go); a member's
// performs always take the same lane, so two lanes never lock the same
// balance or totals rows and cannot deadlock on each other.
type performWriter struct {
	once  sync.Once
	lanes []*performLane

	// stmts holds the writer's statements by their (dialect) text,
	// prepared once on the writer's connections: preparing them anew in
	// each batch cost a quarter of the writer's time on SQLite.
	prepMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

// writerQueries are the statements a perform runs.
var writerQueries = []string{qSavepoint, qRollbackTo, qRelease, qInsertPerform, qBalance, qInsertEntry, qCredit, qTotals, qInsertLink, qLinkCode}

const (
	qSavepoint     = "SAVEPOINT perform"
	qRollbackTo    = "ROLLBACK TO SAVEPOINT perform"
	qRelease       = "RELEASE SAVEPOINT perform"
	qInsertPerform = `INSERT INTO performs (activity_id, user_id, program_id, client_action_id, surface, points, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (activity_id, user_id) DO NOTHING`
	qBalance     = "SELECT points FROM point_balances WHERE program_id = ? AND user_id = ?"
	qInsertEntry = `INSERT INTO point_entries (id, program_id, user_id, kind, points, activity_id, redemption_id, reason, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qCredit = `INSERT INTO point_balances (program_id, user_id, points) VALUES (?, ?, ?)
		ON CONFLICT (program_id, user_id) DO UPDATE SET points = point_balances.points + excluded.points RETURNING points`
	qTotals = `INSERT INTO point_totals (program_id, period, period_start, user_id, points)
		VALUES (?, 'all', 0, ?, ?), (?, 'month', ?, ?, ?), (?, 'week', ?, ?, ?)
		ON CONFLICT (program_id, period, period_start, user_id) DO UPDATE SET points = point_totals.points + excluded.points`
	qInsertLink = `INSERT INTO links (code, program_id, activity_id, user_id, url, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING code`
	qLinkCode = "SELECT code FROM links WHERE activity_id = ? AND user_id = ? AND url = ?"
)

// prepare readies the writer's statements, outside any transaction: on
// SQLite the writer has one connection, which a transaction holds.
func (s *Store) prepareWriter(ctx context.Context) error {
	w := &s.performs
	w.prepMu.Lock()
	defer w.prepMu.Unlock()
	if w.stmts != nil {
		return nil
	}
	m := map[string]*sql.Stmt{}
	for _, q := range writerQueries {
		st, err := s.w.PrepareContext(ctx, s.q(q))
		if err != nil {
			for _, st := range m {
				st.Close()
			}
			return err
		}
		m[s.q(q)] = st
	}
	w.stmts = m
	return nil
}

// writerTx is a write transaction that runs the writer's own statements
// through their prepared forms and any other query as it is.
type writerTx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (t writerTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmts[query]; st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t writerTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmts[query]; st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t writerTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmts[query]; st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

type performLane struct {
	mu      sync.Mutex
	pending []*performJob
	running bool // a drain goroutine owns the lane
}

// performLanesPostgres is how many batches commit at once on PostgreSQL.
// With a batch sent as one pipeline, one lane gives the biggest batches and
// fewest commits: on 2 cores (chorus-bench -only perform, 32 clients) one
// lane made 2,975 performs/s, two 2,207 and four 1,719.
var performLanesPostgres = 1

func (s *Store) performLane(userID string) *performLane {
	w := &s.performs
	w.once.Do(func() {
		n := 1
		if s.d.name == "postgres" {
			n = performLanesPostgres
		}
		for i := 0; i < n; i++ {
			w.lanes = append(w.lanes, &performLane{})
		}
	})
	h := fnv.New32a()
	h.Write([]byte(userID))
	return w.lanes[int(h.Sum32()%uint32(len(w.lanes)))]
}

// PerformWithLinks records a perform once per member and activity (the
// performs key decides: a repeat is answered "already performed" by the
// insert's conflict) and makes the member's tracked links, in one
// transaction shared with concurrent performs. It returns once that
// transaction has committed.
func (s *Store) PerformWithLinks(ctx context.Context, req PerformRequest) (PerformResult, error) {
	j := &performJob{ctx: ctx, req: req, done: make(chan struct{})}
	l := s.performLane(req.UserID)
	l.mu.Lock()
	l.pending = append(l.pending, j)
	if !l.running {
		l.running = true
		go s.drainPerforms(l)
	}
	l.mu.Unlock()
	// Once queued, a perform is committed or failed by the writer whatever
	// the caller does: waiting for that keeps "unacknowledged means wholly
	// there or wholly absent" simple to reason about.
	<-j.done
	return j.out, wrap("PerformWithLinks", j.err)
}

// drainPerforms commits the lane's queue batch by batch and ends when it is
// empty: no goroutine outlives a burst.
func (s *Store) drainPerforms(l *performLane) {
	for {
		l.mu.Lock()
		n := min(len(l.pending), performBatchMax)
		if n == 0 {
			l.running = false
			l.pending = nil
			l.mu.Unlock()
			return
		}
		batch := make([]*performJob, n)
		copy(batch, l.pending)
		l.pending = l.pending[n:]
		l.mu.Unlock()
		s.commitPerforms(batch)
	}
}

func (s *Store) commitPerforms(batch []*performJob) {
	defer func() {
		// Counted before anyone is answered: a member who performed sees
		// it in their next feed here (changes.go). Counting a perform
		// that failed only costs a cache a read.
		c := s.Changes()
		for _, j := range batch {
			c.touchMembers(j.req.UserID)
		}
		for _, j := range batch {
			close(j.done)
		}
	}()
	// Callers that gave up before their batch began are not written.
	live := make([]*performJob, 0, len(batch))
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), performBatchTimeout)
	defer cancel()
	if s.d.name == "postgres" {
		// A TikTok staging queues a job through the general job code,
		// so those few performs keep the savepoint path.
		var plain, staged []*performJob
		for _, j := range live {
			if j.req.Stage != nil {
				staged = append(staged, j)
			} else {
				plain = append(plain, j)
			}
		}
		if len(plain) > 0 {
			s.commitPerformsPipelined(ctx, plain)
		}
		live = staged
		if len(live) == 0 {
			return
		}
	}
	s.commitPerformsSavepoints(ctx, live)
}

// commitPerformsSavepoints commits live in one transaction, each perform in
// its own savepoint.
func (s *Store) commitPerformsSavepoints(ctx context.Context, live []*performJob) {
	failAll := func(err error) {
		for _, j := range live {
			if j.err == nil {
				j.err = err
			}
			j.out = PerformResult{}
		}
	}
	if err := s.prepareWriter(ctx); err != nil {
		failAll(err)
		return
	}
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		failAll(err)
		return
	}
	defer s.afterCommit(sqlTx, false) // rolled back: forget its touches
	tx := writerTx{Tx: sqlTx, stmts: s.performs.stmts}
	for _, j := range live {
		if _, err := tx.ExecContext(ctx, s.q(qSavepoint)); err != nil {
			_ = tx.Rollback()
			failAll(err)
			return
		}
		j.out, j.err = performIn(ctx, s, tx, j.req)
		if j.err != nil {
			j.out = PerformResult{}
			if _, err := tx.ExecContext(ctx, s.q(qRollbackTo)); err != nil {
				_ = tx.Rollback()
				failAll(err)
				return
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(qRelease)); err != nil {
			_ = tx.Rollback()
			failAll(err)
			return
		}
	}
	err = tx.Commit()
	s.afterCommit(sqlTx, true)
	if err != nil {
		failAll(errors.Join(errors.New("commit"), translate(err, "perform")))
	}
}

// performIn writes one perform in tx: the perform row, and when it is new
// its ledger entry, balance and totals (and TikTok staging); then the
// member's links.
func performIn(ctx context.Context, s *Store, tx writerTx, r PerformRequest) (PerformResult, error) {
	var out PerformResult
	p := r.PerformRecord
	res, err := tx.ExecContext(ctx, s.q(qInsertPerform), p.ActivityID, p.UserID, p.ProgramID, p.ClientActionID, p.Surface, p.Points, ms(p.At))
	if err != nil {
		return out, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return out, err
	} else if n == 0 {
		out.AlreadyPerformed = true
		if err := tx.QueryRowContext(ctx, s.q(qBalance), p.ProgramID, p.UserID).Scan(&out.Balance); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return out, err
		}
	} else {
		out.Awarded = p.Points
		if out.Balance, err = creditEntry(ctx, s, tx, Entry{ID: p.EntryID, ProgramID: p.ProgramID, UserID: p.UserID, Kind: EntryActivity,
			Points: p.Points, ActivityID: p.ActivityID, CreatedAt: p.At}, p.Periods); err != nil {
			return out, err
		}
		if p.Stage != nil {
			if err := insertStaging(ctx, s, tx.Tx, p.ProgramID, p.ActivityID, p.UserID, p.At); err != nil {
				return out, err
			}
			if err := enqueue(ctx, s, tx.Tx, *p.Stage); err != nil {
				return out, err
			}
		}
	}
	out.Codes, err = ensureLinks(ctx, s, tx, p.ProgramID, p.ActivityID, p.UserID, r.URLs, r.NewCode, p.At)
	return out, err
}

// creditEntry appends to the ledger and moves the caches, answering the new
// balance: every entry moves the balance; earned points (activities,
// adjustments) also count on the board, in all three periods with one
// statement.
func creditEntry(ctx context.Context, s *Store, q querier, e Entry, p Periods) (int, error) {
	if err := insertEntry(ctx, s, q, e); err != nil {
		return 0, err
	}
	var bal int
	if err := q.QueryRowContext(ctx, s.q(qCredit), e.ProgramID, e.UserID, e.Points).Scan(&bal); err != nil {
		return 0, err
	}
	if e.Kind != EntryActivity && e.Kind != EntryAdjustment {
		return bal, nil
	}
	_, err := q.ExecContext(ctx, s.q(qTotals),
		e.ProgramID, e.UserID, e.Points,
		e.ProgramID, ms(p.Month), e.UserID, e.Points,
		e.ProgramID, ms(p.Week), e.UserID, e.Points)
	if err == nil {
		s.touched(q, e.UserID)
	}
	return bal, err
}

// ensureLinks gives the member a code for each URL of the activity, keeping
// the codes they already have: a new link answers its code from the insert,
// an existing one is read. A new code that collides with another link's
// (one in 10^14) is tried again with a fresh one.
func ensureLinks(ctx context.Context, s *Store, q querier, programID, activityID, userID string, urls []string, newCode func() string, now time.Time) (map[string]string, error) {
	out := make(map[string]string, len(urls))
	for _, u := range urls {
		for attempt := 0; attempt < 3; attempt++ {
			var code string
			err := q.QueryRowContext(ctx, s.q(qInsertLink), newCode(), programID, activityID, userID, u, ms(now)).Scan(&code)
			if errors.Is(err, sql.ErrNoRows) {
				err = q.QueryRowContext(ctx, s.q(qLinkCode), activityID, userID, u).Scan(&code)
			}
			if err == nil {
				out[u] = code
				break
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
		}
	}
	return out, nil
}

// AudienceVersion reads a member's groups and channels with the program's
// content version, in one query: what a perform needs to check the cached
// activity against.
func (s *Store) AudienceVersion(ctx context.Context, programID, userID string) (domain.Audience, int64, error) {
	aud := domain.Audience{Groups: map[string]bool{}, Channels: map[string]bool{}}
	var version int64 = -1
	st, err := s.hot(audienceSQL + `
	UNION ALL
	SELECT 'v', CAST(content_version AS TEXT) FROM programs WHERE id = ?`)
	if err != nil {
		return aud, 0, wrap("AudienceVersion", err)
	}
	rows, err := st.QueryContext(ctx, userID, programID, userID, programID, userID, programID, programID)
	if err != nil {
		return aud, 0, wrap("AudienceVersion", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id string
		if err := rows.Scan(&kind, &id); err != nil {
			return aud, 0, wrap("AudienceVersion", err)
		}
		switch kind {
		case "g":
			aud.Groups[id] = true
		case "c":
			aud.Channels[id] = true
		case "v":
			if version, err = strconv.ParseInt(id, 10, 64); err != nil {
				return aud, 0, wrap("AudienceVersion", err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return aud, 0, wrap("AudienceVersion", err)
	}
	if version < 0 {
		return aud, 0, wrap("AudienceVersion", domain.NotFound("program"))
	}
	return aud, version, nil
}
