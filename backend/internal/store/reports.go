package store

import (
	"context"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// Audiences returns every member's audience in a program: reports and
// push fan-out apply the same targeting rule as the feed, in Go.
func (s *Store) Audiences(ctx context.Context, programID string) (map[string]domain.Audience, error) {
	out := map[string]domain.Audience{}
	return out, wrap("Audiences", s.audiences(ctx, programID, nil, out))
}

// AudiencesOf is Audiences for some members only; people who are not
// members of the program are left out.
func (s *Store) AudiencesOf(ctx context.Context, programID string, userIDs []string) (map[string]domain.Audience, error) {
	out := map[string]domain.Audience{}
	for _, chunk := range chunks(userIDs, 500) {
		if err := s.audiences(ctx, programID, chunk, out); err != nil {
			return nil, wrap("AudiencesOf", err)
		}
	}
	return out, nil
}

// audiences adds to out the audiences of the program's members, of those in
// only when it is not nil, in two queries.
func (s *Store) audiences(ctx context.Context, programID string, only []string, out map[string]domain.Audience) error {
	in := func(col string) string {
		if only == nil {
			return ""
		}
		return " AND " + col + " IN (" + placeholders(len(only)) + ")"
	}
	args := func(parts int) []any {
		var a []any
		for i := 0; i < parts; i++ {
			a = append(append(a, programID), anySlice(only)...)
		}
		return a
	}
	rows, err := s.r.QueryContext(ctx, s.rebind("SELECT user_id FROM memberships WHERE program_id = ? AND NOT pending"+in("user_id")), args(1)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var uid string
		if err := rows.Scan(&uid); err != nil {
			rows.Close()
			return err
		}
		out[uid] = domain.Audience{Groups: map[string]bool{}, Channels: map[string]bool{}}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.r.QueryContext(ctx, s.rebind(`
		SELECT 'g', user_id, group_id FROM group_members WHERE program_id = ?`+in("user_id")+`
		UNION ALL
		SELECT 'c', f.user_id, f.channel_id FROM channel_follows f JOIN channels c ON c.id = f.channel_id WHERE f.program_id = ? AND c.visibility = 'public'`+in("f.user_id")+`
		UNION ALL
		SELECT 'c', m.user_id, m.channel_id FROM channel_members m JOIN channels c ON c.id = m.channel_id WHERE m.program_id = ? AND c.visibility = 'private'`+in("m.user_id")), args(3)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, uid, id string
		if err := rows.Scan(&kind, &uid, &id); err != nil {
			return err
		}
		a, ok := out[uid]
		if !ok {
			continue
		}
		if kind == "g" {
			a.Groups[id] = true
		} else {
			a.Channels[id] = true
		}
	}
	return rows.Err()
}

// PerformRow is one perform, for reports.
type PerformRow struct {
	ActivityID string
	UserID     string
	Surface    string
	Points     int
	At         time.Time
}

// Performs lists performs of a program in [from, to) (zero times: unbounded),
// optionally of one activity.
func (s *Store) Performs(ctx context.Context, programID, activityID string, from, to time.Time) ([]PerformRow, error) {
	q := "SELECT activity_id, user_id, surface, points, created_at FROM performs WHERE program_id = ?"
	args := []any{programID}
	if activityID != "" {
		q += " AND activity_id = ?"
		args = append(args, activityID)
	}
	if !from.IsZero() {
		q += " AND created_at >= ?"
		args = append(args, ms(from))
	}
	if !to.IsZero() {
		q += " AND created_at < ?"
		args = append(args, ms(to))
	}
	rows, err := s.r.QueryContext(ctx, s.q(q+" ORDER BY created_at"), args...)
	if err != nil {
		return nil, wrap("Performs", err)
	}
	defer rows.Close()
	out := []PerformRow{}
	for rows.Next() {
		var p PerformRow
		var at int64
		if err := rows.Scan(&p.ActivityID, &p.UserID, &p.Surface, &p.Points, &at); err != nil {
			return nil, wrap("Performs", err)
		}
		p.At = fromMS(at)
		out = append(out, p)
	}
	return out, wrap("Performs", rows.Err())
}
