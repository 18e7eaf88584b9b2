package store

import (
	"context"
	"database/sql"
	"time"
)

// Link is a member's short link to one URL of one activity.
type Link struct {
	Code, ProgramID, ActivityID, UserID, URL string
}

// EnsureLinks returns the member's code for each URL, creating the missing
// ones with codes from newCode: the same member and activity always get the
// same links.
func (s *Store) EnsureLinks(ctx context.Context, programID, activityID, userID string, urls []string, newCode func() string, now time.Time) (map[string]string, error) {
	out := map[string]string{}
	if len(urls) == 0 {
		return out, nil
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = ensureLinks(ctx, s, tx, programID, activityID, userID, urls, newCode, now)
		return err
	})
	return out, wrap("EnsureLinks", err)
}

// LinkByCode returns a link.
func (s *Store) LinkByCode(ctx context.Context, code string) (Link, error) {
	l := Link{Code: code}
	err := s.hotRow(ctx, "SELECT program_id, activity_id, user_id, url FROM links WHERE code = ?", code).Scan(&l.ProgramID, &l.ActivityID, &l.UserID, &l.URL)
	return l, wrap("LinkByCode", translate(err, "link"))
}

// Click is one follow of a link.
type Click struct {
	Link
	At           time.Time
	ReferrerHost string
	Bot          bool
	Visitor      string
}

// InsertClicks stores a batch of clicks in one transaction.
func (s *Store) InsertClicks(ctx context.Context, cs []Click) error {
	rows := make([][]any, len(cs))
	for i, c := range cs {
		rows[i] = []any{c.Code, c.ProgramID, c.ActivityID, c.UserID, ms(c.At), c.ReferrerHost, c.Bot, c.Visitor}
	}
	return wrap("InsertClicks", s.BulkInsert(ctx, "clicks", []string{"code", "program_id", "activity_id", "user_id", "at", "referrer_host", "bot", "visitor"}, rows))
}

// ClickCount is clicks of one member (or activity): total, from people, and
// distinct visitors among the people.
type ClickCount struct {
	Total, People, Unique int
}

// ActivityClicks counts an activity's clicks per member.
func (s *Store) ActivityClicks(ctx context.Context, programID, activityID string) (map[string]ClickCount, error) {
	v, err := s.clickCounts(ctx, "user_id", "program_id = ? AND activity_id = ?", programID, activityID)
	return v, wrap("ActivityClicks", err)
}

// ProgramClicks counts clicks in [from, to) per activity and per member.
func (s *Store) ProgramClicks(ctx context.Context, programID string, from, to time.Time) (perActivity, perMember map[string]ClickCount, err error) {
	where, args := "program_id = ?", []any{programID}
	if !from.IsZero() {
		where += " AND at >= ?"
		args = append(args, ms(from))
	}
	if !to.IsZero() {
		where += " AND at < ?"
		args = append(args, ms(to))
	}
	if perActivity, err = s.clickCounts(ctx, "activity_id", where, args...); err != nil {
		return nil, nil, wrap("ProgramClicks", err)
	}
	perMember, err = s.clickCounts(ctx, "user_id", where, args...)
	return perActivity, perMember, wrap("ProgramClicks", err)
}

func (s *Store) clickCounts(ctx context.Context, by, where string, args ...any) (map[string]ClickCount, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+by+`, COUNT(*),
		SUM(CASE WHEN bot THEN 0 ELSE 1 END),
		COUNT(DISTINCT CASE WHEN bot THEN NULL ELSE visitor END)
		FROM clicks WHERE `+where+` GROUP BY `+by), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]ClickCount{}
	for rows.Next() {
		var k string
		var c ClickCount
		if err := rows.Scan(&k, &c.Total, &c.People, &c.Unique); err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, rows.Err()
}
