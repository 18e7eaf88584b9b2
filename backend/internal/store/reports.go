package store

import (
	"context"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// Audiences returns every member's audience in a program, in three queries:
// reports apply the same targeting rule as the feed, in Go.
func (s *Store) Audiences(ctx context.Context, programID string) (map[string]domain.Audience, error) {
	out := map[string]domain.Audience{}
	rows, err := s.r.QueryContext(ctx, s.q("SELECT user_id FROM memberships WHERE program_id = ?"), programID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var uid string
		if err := rows.Scan(&uid); err != nil {
			rows.Close()
			return nil, err
		}
		out[uid] = domain.Audience{Groups: map[string]bool{}, Channels: map[string]bool{}}
	}
	rows.Close()
	rows, err = s.r.QueryContext(ctx, s.q(`
		SELECT 'g', user_id, group_id FROM group_members WHERE program_id = ?
		UNION ALL
		SELECT 'c', f.user_id, f.channel_id FROM channel_follows f JOIN channels c ON c.id = f.channel_id WHERE f.program_id = ? AND c.visibility = 'public'
		UNION ALL
		SELECT 'c', m.user_id, m.channel_id FROM channel_members m JOIN channels c ON c.id = m.channel_id WHERE m.program_id = ? AND c.visibility = 'private'`),
		programID, programID, programID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, uid, id string
		if err := rows.Scan(&kind, &uid, &id); err != nil {
			return nil, err
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
	return out, rows.Err()
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
		return nil, err
	}
	defer rows.Close()
	out := []PerformRow{}
	for rows.Next() {
		var p PerformRow
		var at int64
		if err := rows.Scan(&p.ActivityID, &p.UserID, &p.Surface, &p.Points, &at); err != nil {
			return nil, err
		}
		p.At = fromMS(at)
		out = append(out, p)
	}
	return out, rows.Err()
}
