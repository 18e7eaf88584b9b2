package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"time"
)

// Ledger entry kinds.
const (
	EntryActivity   = "activity"
	EntryRedemption = "redemption"
	EntryRefund     = "refund"
	EntryAdjustment = "adjustment"
)

// Entry is one line of the points ledger.
type Entry struct {
	ID           string
	ProgramID    string
	UserID       string
	Kind         string
	Points       int
	ActivityID   string
	RedemptionID string
	Reason       string
	CreatedBy    string
	CreatedAt    time.Time
}

// Periods holds the starts of the periods an entry counts in; the caller
// computes them in the program's zone.
type Periods struct {
	Month, Week time.Time
}

// addEntry appends to the ledger and updates the caches in the same
// transaction: every entry moves the balance; earned points (activities,
// adjustments) also count on the board.
func addEntry(ctx context.Context, s *Store, tx *sql.Tx, e Entry, p Periods) error {
	_, err := creditEntry(ctx, s, tx, e, p)
	return err
}

func insertEntry(ctx context.Context, s *Store, q querier, e Entry) error {
	_, err := q.ExecContext(ctx, s.q(`INSERT INTO point_entries (id, program_id, user_id, kind, points, activity_id, redemption_id, reason, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.ID, e.ProgramID, e.UserID, e.Kind, e.Points, nullString(e.ActivityID), nullString(e.RedemptionID), e.Reason, nullString(e.CreatedBy), ms(e.CreatedAt))
	return translate(err, "point entry")
}

// PerformRecord is a perform to store.
type PerformRecord struct {
	ProgramID, ActivityID, UserID string
	ClientActionID, Surface       string
	Points                        int
	At                            time.Time
	EntryID                       string
	Periods                       Periods
	// Stage, when set, is the job that stages a TikTok video: it is queued
	// with its staging row in the perform's transaction, only if the perform
	// is new.
	Stage *NewJob
}

// PerformOutcome says what a perform did.
type PerformOutcome struct {
	Awarded          int
	AlreadyPerformed bool
	Balance          int
}

// Perform records a perform and its points once per member and activity:
// the primary key of performs decides, so retries, parallel taps and offline
// replays all end here with exactly one entry.
func (s *Store) Perform(ctx context.Context, p PerformRecord) (PerformOutcome, error) {
	var out PerformOutcome
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO performs (activity_id, user_id, program_id, client_action_id, surface, points, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (activity_id, user_id) DO NOTHING`),
			p.ActivityID, p.UserID, p.ProgramID, p.ClientActionID, p.Surface, p.Points, ms(p.At))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			out.AlreadyPerformed = true
		} else {
			out.Awarded = p.Points
			if err := addEntry(ctx, s, tx, Entry{ID: p.EntryID, ProgramID: p.ProgramID, UserID: p.UserID, Kind: EntryActivity,
				Points: p.Points, ActivityID: p.ActivityID, CreatedAt: p.At}, p.Periods); err != nil {
				return err
			}
			if p.Stage != nil {
				if err := insertStaging(ctx, s, tx, p.ProgramID, p.ActivityID, p.UserID, p.At); err != nil {
					return err
				}
				if err := enqueue(ctx, s, tx, *p.Stage); err != nil {
					return err
				}
			}
		}
		out.Balance, err = balance(ctx, s, tx, p.ProgramID, p.UserID)
		return err
	})
	return out, wrap("Perform", err)
}

// Performed reports whether a member performed an activity.
func (s *Store) Performed(ctx context.Context, activityID, userID string) (bool, error) {
	var one int
	err := s.r.QueryRowContext(ctx, s.q("SELECT 1 FROM performs WHERE activity_id = ? AND user_id = ?"), activityID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrap("Performed", err)
}

func balance(ctx context.Context, s *Store, q querier, programID, userID string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, s.q("SELECT points FROM point_balances WHERE program_id = ? AND user_id = ?"), programID, userID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// Balance returns what a member can spend.
func (s *Store) Balance(ctx context.Context, programID, userID string) (int, error) {
	v, err := balance(ctx, s, s.r, programID, userID)
	return v, wrap("Balance", err)
}

// Adjust adds a manager's manual entry.
func (s *Store) Adjust(ctx context.Context, e Entry, p Periods) error {
	return wrap("Adjust", s.tx(ctx, func(tx *sql.Tx) error { return addEntry(ctx, s, tx, e, p) }))
}

// Entries lists a member's ledger, newest first, at most limit.
func (s *Store) Entries(ctx context.Context, programID, userID string, limit int) ([]Entry, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT id, kind, points, activity_id, redemption_id, reason, created_at FROM point_entries
		WHERE program_id = ? AND user_id = ? ORDER BY seq DESC LIMIT ?`), programID, userID, limit)
	if err != nil {
		return nil, wrap("Entries", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e := Entry{ProgramID: programID, UserID: userID}
		var aid, rid sql.NullString
		var at int64
		if err := rows.Scan(&e.ID, &e.Kind, &e.Points, &aid, &rid, &e.Reason, &at); err != nil {
			return nil, wrap("Entries", err)
		}
		e.ActivityID, e.RedemptionID, e.CreatedAt = aid.String, rid.String, fromMS(at)
		out = append(out, e)
	}
	return out, wrap("Entries", rows.Err())
}

// BoardRow is one member's points in a period.
type BoardRow struct {
	UserID string
	Name   string
	Points int
	Rank   int
}

// Board returns every member with points in a period (optionally of one
// group), best first, ranked with ties sharing a rank; names are filled for
// the first named rows only. The program's board is read in index order; a
// group's board starts from its members (the group_members key), looks up
// each one's total by the point_totals key, and sorts those few.
func (s *Store) Board(ctx context.Context, programID, period string, start time.Time, groupID string, named int) ([]BoardRow, error) {
	// Only people still in the program (and not merely invited back) are
	// ranked: their points stay in the ledger, off the board.
	q := `SELECT t.user_id, t.points FROM point_totals t JOIN memberships m ON m.program_id = t.program_id AND m.user_id = t.user_id
		WHERE t.program_id = ? AND t.period = ? AND t.period_start = ? AND t.points > 0 AND NOT m.pending`
	args := []any{programID, period, ms(start)}
	if groupID != "" {
		// From the group's members (its key) to each one's total (the
		// totals' key), then their membership, one key lookup per row: a
		// join would let PostgreSQL hash all 100,000 memberships for a
		// group of a thousand, and SQLite walk the totals first (CROSS JOIN
		// fixes SQLite's order).
		q = `SELECT t.user_id, t.points FROM group_members gm CROSS JOIN point_totals t
			WHERE gm.group_id = ? AND t.program_id = ? AND t.period = ? AND t.period_start = ? AND t.user_id = gm.user_id AND t.points > 0
			AND (SELECT NOT m.pending FROM memberships m WHERE m.program_id = t.program_id AND m.user_id = t.user_id)`
		args = []any{groupID, programID, period, ms(start)}
	}
	rows, err := s.r.QueryContext(ctx, s.q(q+" ORDER BY t.points DESC, t.user_id DESC"), args...)
	if err != nil {
		return nil, wrap("Board", err)
	}
	out := []BoardRow{}
	for rows.Next() {
		var r BoardRow
		if err := rows.Scan(&r.UserID, &r.Points); err != nil {
			rows.Close()
			return nil, wrap("Board", err)
		}
		// Standard competition ranking: a tie shares the rank, the next skips.
		if n := len(out); n > 0 && out[n-1].Points == r.Points {
			r.Rank = out[n-1].Rank
		} else {
			r.Rank = n + 1
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap("Board", err)
	}
	return out, wrap("Board", s.NameTop(ctx, out, named))
}

// NameTop fills the names of a board's first named rows that have none and
// orders those rows by name within a tie, as people read them.
func (s *Store) NameTop(ctx context.Context, rows []BoardRow, named int) error {
	top := rows[:min(named, len(rows))]
	var missing []BoardRow
	var at []int
	for i, r := range top {
		if r.Name == "" {
			missing = append(missing, r)
			at = append(at, i)
		}
	}
	if len(missing) > 0 {
		if err := s.fillNames(ctx, missing); err != nil {
			return wrap("NameTop", err)
		}
		for j, i := range at {
			top[i].Name = missing[j].Name
		}
	}
	sort.SliceStable(top, func(i, j int) bool {
		if top[i].Points != top[j].Points {
			return top[i].Points > top[j].Points
		}
		return top[i].Name < top[j].Name
	})
	return nil
}

// GroupMemberIDs lists a group's members: one read of the group's key.
func (s *Store) GroupMemberIDs(ctx context.Context, groupID string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT user_id FROM group_members WHERE group_id = ?"), groupID)
	if err != nil {
		return nil, wrap("GroupMemberIDs", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("GroupMemberIDs", err)
		}
		out = append(out, id)
	}
	return out, wrap("GroupMemberIDs", rows.Err())
}

func (s *Store) fillNames(ctx context.Context, rows []BoardRow) error {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	nrows, err := s.r.QueryContext(ctx, s.rebind("SELECT id, name FROM users WHERE id IN ("+placeholders(len(ids))+")"), anySlice(ids)...)
	if err != nil {
		return err
	}
	defer nrows.Close()
	names := map[string]string{}
	for nrows.Next() {
		var id, name string
		if err := nrows.Scan(&id, &name); err != nil {
			return err
		}
		names[id] = name
	}
	for i := range rows {
		rows[i].Name = names[rows[i].UserID]
	}
	return nrows.Err()
}

// PeriodPoints returns a member's points in one period.
func (s *Store) PeriodPoints(ctx context.Context, programID, period string, start time.Time, userID string) (int, error) {
	var n int
	err := s.hotRow(ctx, "SELECT points FROM point_totals WHERE program_id = ? AND period = ? AND period_start = ? AND user_id = ?", programID, period, ms(start), userID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, wrap("PeriodPoints", err)
}

// BoardPoints returns a member's points in one period, as PeriodPoints, and
// in the same round trip checks that groupID (if not "") is a group of the
// program: not found otherwise.
func (s *Store) BoardPoints(ctx context.Context, programID, period string, start time.Time, userID, groupID string) (int, error) {
	if groupID == "" {
		v, err := s.PeriodPoints(ctx, programID, period, start, userID)
		return v, wrap("BoardPoints", err)
	}
	var n sql.NullInt64
	var group bool
	err := s.hotRow(ctx, `SELECT (SELECT points FROM point_totals WHERE program_id = ? AND period = ? AND period_start = ? AND user_id = ?),
		EXISTS (SELECT 1 FROM member_groups WHERE program_id = ? AND id = ?)`,
		programID, period, ms(start), userID, programID, groupID).Scan(&n, &group)
	if err != nil {
		return 0, wrap("BoardPoints", err)
	}
	if !group {
		return 0, wrap("BoardPoints", translate(sql.ErrNoRows, "group"))
	}
	return int(n.Int64), nil
}
