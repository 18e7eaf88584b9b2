package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

const activityCols = "id, program_id, type, message, instructions, media_id, starts_at, ends_at, points, campaign_id, featured, created_by, creator_timezone, created_at, updated_at, removed_at"

// CreateActivity inserts an activity with its targets, and queues the jobs
// it causes (its announcement, its link preview) in the same transaction.
func (s *Store) CreateActivity(ctx context.Context, a domain.Activity, jobs ...NewJob) error {
	return wrap("CreateActivity", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO activities ("+activityCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
			a.ID, a.ProgramID, string(a.Type), a.Message, a.Instructions, a.MediaID, ms(a.StartsAt), nullMS(a.EndsAt), a.Points,
			nullString(a.CampaignID), a.Featured, a.CreatedBy, a.CreatorTimezone, ms(a.CreatedAt), ms(a.UpdatedAt), nullMS(a.RemovedAt))
		if err != nil {
			return translate(err, "activity")
		}
		if err := setTargets(ctx, s, tx, a); err != nil {
			return err
		}
		if err := enqueueAll(ctx, s, tx, jobs); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, a.ProgramID)
	}))
}

func enqueueAll(ctx context.Context, s *Store, tx *sql.Tx, jobs []NewJob) error {
	for _, j := range jobs {
		if err := enqueue(ctx, s, tx, j); err != nil {
			return err
		}
	}
	return nil
}

// UpdateActivity saves an edited activity with its targets, and queues the
// jobs it causes in the same transaction.
func (s *Store) UpdateActivity(ctx context.Context, a domain.Activity, jobs ...NewJob) error {
	return wrap("UpdateActivity", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE activities SET message = ?, instructions = ?, media_id = ?, starts_at = ?, ends_at = ?, points = ?, campaign_id = ?, featured = ?, updated_at = ? WHERE program_id = ? AND id = ?"),
			a.Message, a.Instructions, a.MediaID, ms(a.StartsAt), nullMS(a.EndsAt), a.Points, nullString(a.CampaignID), a.Featured, ms(a.UpdatedAt), a.ProgramID, a.ID)
		if err := mustAffect(res, err, "activity"); err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM activity_groups WHERE activity_id = ?", "DELETE FROM activity_channels WHERE activity_id = ?"} {
			if _, err := tx.ExecContext(ctx, s.q(q), a.ID); err != nil {
				return err
			}
		}
		if err := setTargets(ctx, s, tx, a); err != nil {
			return err
		}
		if err := enqueueAll(ctx, s, tx, jobs); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, a.ProgramID)
	}))
}

func setTargets(ctx context.Context, s *Store, tx *sql.Tx, a domain.Activity) error {
	for _, gid := range a.GroupIDs {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO activity_groups (activity_id, group_id) VALUES (?, ?)"), a.ID, gid); err != nil {
			return err
		}
	}
	for _, cid := range a.ChannelIDs {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO activity_channels (activity_id, channel_id) VALUES (?, ?)"), a.ID, cid); err != nil {
			return err
		}
	}
	return nil
}

// RemoveActivity takes an activity out of every member's view; removing twice
// keeps the first time.
func (s *Store) RemoveActivity(ctx context.Context, programID, activityID string, now time.Time) error {
	return wrap("RemoveActivity", s.tx(ctx, func(tx *sql.Tx) error {
		if err := exists(ctx, s, tx, "activities", programID, activityID, "activity"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE activities SET removed_at = ?, updated_at = ? WHERE program_id = ? AND id = ? AND removed_at IS NULL"), ms(now), ms(now), programID, activityID); err != nil {
			return err
		}
		if err := revokeShareTokens(ctx, s, tx, now, "activity_id = ? AND program_id = ?", activityID, programID); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

// Activity returns one activity with its targets.
func (s *Store) Activity(ctx context.Context, programID, activityID string) (domain.Activity, error) {
	as, err := s.activities(ctx, "a.program_id = ? AND a.id = ?", programID, activityID)
	if err != nil {
		return domain.Activity{}, wrap("Activity", err)
	}
	if len(as) == 0 {
		return domain.Activity{}, wrap("Activity", domain.NotFound("activity"))
	}
	return *as[0], nil
}

// ActivityFilter narrows a manager's list.
type ActivityFilter struct {
	CampaignID string
	Type       string
}

// Activities lists a program's activities, newest start first.
func (s *Store) Activities(ctx context.Context, programID string, f ActivityFilter) ([]*domain.Activity, error) {
	where := "a.program_id = ?"
	args := []any{programID}
	if f.CampaignID != "" {
		where += " AND a.campaign_id = ?"
		args = append(args, f.CampaignID)
	}
	if f.Type != "" {
		where += " AND a.type = ?"
		args = append(args, f.Type)
	}
	v, err := s.activities(ctx, where, args...)
	return v, wrap("Activities", err)
}

// CurrentActivities returns the activities that are live or scheduled at now
// (not removed, not ended): what a feed cache holds.
func (s *Store) CurrentActivities(ctx context.Context, programID string, now time.Time) ([]*domain.Activity, error) {
	v, err := s.activities(ctx, "a.program_id = ? AND a.removed_at IS NULL AND (a.ends_at IS NULL OR a.ends_at > ?)", programID, ms(now))
	return v, wrap("CurrentActivities", err)
}

// activities loads activities matching where (over alias a) and their targets
// in three queries, whatever their number.
func (s *Store) activities(ctx context.Context, where string, args ...any) ([]*domain.Activity, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT "+qualify("a", activityCols)+" FROM activities a WHERE "+where+" ORDER BY a.starts_at DESC, a.id DESC"), args...)
	if err != nil {
		return nil, err
	}
	out := []*domain.Activity{}
	byID := map[string]*domain.Activity{}
	for rows.Next() {
		a := &domain.Activity{GroupIDs: []string{}, ChannelIDs: []string{}}
		var start, created, updated int64
		var end, removed sql.NullInt64
		var campaign sql.NullString
		if err := rows.Scan(&a.ID, &a.ProgramID, &a.Type, &a.Message, &a.Instructions, &a.MediaID, &start, &end, &a.Points,
			&campaign, &a.Featured, &a.CreatedBy, &a.CreatorTimezone, &created, &updated, &removed); err != nil {
			rows.Close()
			return nil, err
		}
		a.StartsAt, a.EndsAt, a.RemovedAt = fromMS(start), fromNullMS(end), fromNullMS(removed)
		a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
		a.CampaignID = campaign.String
		out = append(out, a)
		byID[a.ID] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	for _, t := range []struct {
		table, col string
		add        func(a *domain.Activity, id string)
	}{
		{"activity_groups", "group_id", func(a *domain.Activity, id string) { a.GroupIDs = append(a.GroupIDs, id) }},
		{"activity_channels", "channel_id", func(a *domain.Activity, id string) { a.ChannelIDs = append(a.ChannelIDs, id) }},
	} {
		rows, err := s.r.QueryContext(ctx, s.q("SELECT t.activity_id, t."+t.col+" FROM "+t.table+" t JOIN activities a ON a.id = t.activity_id WHERE "+where+" ORDER BY t."+t.col), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var aid, id string
			if err := rows.Scan(&aid, &id); err != nil {
				rows.Close()
				return nil, err
			}
			if a := byID[aid]; a != nil {
				t.add(a, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Audience returns the groups and channels that decide what a member sees.
func (s *Store) Audience(ctx context.Context, programID, userID string) (domain.Audience, error) {
	v, err := s.memberView(ctx, programID, userID, false)
	return v.Audience, wrap("Audience", err)
}

// FeedView is what a feed request needs besides the cached activities.
type FeedView struct {
	Audience  domain.Audience
	Performed map[string]bool // activity ids
	Version   int64           // the program's content version
	// TikTok holds the member's stagings by activity id.
	TikTok map[string]Staging
}

// FeedView reads a member's audience, their performs and the program's
// content version in one query.
func (s *Store) FeedView(ctx context.Context, programID, userID string) (FeedView, error) {
	v, err := s.memberView(ctx, programID, userID, true)
	return v, wrap("FeedView", err)
}

// FeedStamp says whether a member's FeedView read earlier still holds, for
// a server that keeps them between requests: the program's content version,
// which every change of groups, channels, follows and memberships bumps in
// its transaction (bumpVersion), and the number of the member's performs,
// which are only ever added (and removed only with their activity, user or
// program, which bump the version or end the member). TikTok stagings change
// in place, so they come whole (a member has few, usually none).
type FeedStamp struct {
	Version  int64
	Performs int
	TikTok   map[string]Staging
}

// FeedStamp reads a member's stamp in one query: three index seeks where
// FeedView makes six and two joins. Without stagings it leaves them out: a
// member who had none when their view was read gets one only with a
// perform, in its transaction, which changes the count.
func (s *Store) FeedStamp(ctx context.Context, programID, userID string, stagings bool) (FeedStamp, error) {
	q, args := stampSQL, []any{programID, programID, userID}
	if stagings {
		q, args = stampStagingsSQL, append(args, programID, userID)
	}
	st, err := s.hot(q)
	if err != nil {
		return FeedStamp{}, wrap("FeedStamp", err)
	}
	var v FeedView
	n, err := readView(ctx, st, &v, args...)
	return FeedStamp{Version: v.Version, Performs: n, TikTok: v.TikTok}, wrap("FeedStamp", err)
}

// stampSQL reads the content version ('v') and the member's perform count
// ('n'); stampStagingsSQL their stagings too. Both are built once: a
// feed asks one of them on every request.
const (
	stampSQL = `
	SELECT 'v', CAST(content_version AS TEXT) FROM programs WHERE id = ?
	UNION ALL
	SELECT 'n', CAST(COUNT(*) AS TEXT) FROM performs WHERE program_id = ? AND user_id = ?`
	stampStagingsSQL = stampSQL + `
	UNION ALL` + stagingsSQL
)

// audienceSQL lists a member's groups ('g') and channels ('c'): follows of
// public channels and places in private ones.
const audienceSQL = `
	SELECT 'g', group_id FROM group_members WHERE user_id = ? AND program_id = ?
	UNION ALL
	SELECT 'c', f.channel_id FROM channel_follows f JOIN channels c ON c.id = f.channel_id WHERE f.user_id = ? AND f.program_id = ? AND c.visibility = 'public'
	UNION ALL
	SELECT 'c', m.channel_id FROM channel_members m JOIN channels c ON c.id = m.channel_id WHERE m.user_id = ? AND m.program_id = ? AND c.visibility = 'private'`

// stagingsSQL lists a member's TikTok stagings ('t'), by program and user.
const stagingsSQL = `
	SELECT 't', activity_id || '|' || status || '|' || fail_reason FROM tiktok_stagings WHERE program_id = ? AND user_id = ?`

func (s *Store) memberView(ctx context.Context, programID, userID string, feed bool) (FeedView, error) {
	var v FeedView
	query := audienceSQL
	args := []any{userID, programID, userID, programID, userID, programID}
	if feed {
		query += `
	UNION ALL
	SELECT 'p', activity_id FROM performs WHERE program_id = ? AND user_id = ?
	UNION ALL
	SELECT 'v', CAST(content_version AS TEXT) FROM programs WHERE id = ?
	UNION ALL` + stagingsSQL
		args = append(args, programID, userID, programID, programID, userID)
	}
	st, err := s.hot(query)
	if err != nil {
		return v, err
	}
	_, err = readView(ctx, st, &v, args...)
	return v, err
}

// readView runs a query of (kind, value) rows into v; a count row ('n')
// is returned.
func readView(ctx context.Context, st *sql.Stmt, v *FeedView, args ...any) (count int, err error) {
	*v = FeedView{Audience: domain.Audience{Groups: map[string]bool{}, Channels: map[string]bool{}}, Performed: map[string]bool{}, TikTok: map[string]Staging{}}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id string
		if err := rows.Scan(&kind, &id); err != nil {
			return 0, err
		}
		switch kind {
		case "g":
			v.Audience.Groups[id] = true
		case "c":
			v.Audience.Channels[id] = true
		case "p":
			v.Performed[id] = true
		case "v", "n":
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return 0, err
			}
			if kind == "v" {
				v.Version = n
			} else {
				count = int(n)
			}
		case "t":
			parts := strings.SplitN(id, "|", 3)
			if len(parts) == 3 {
				v.TikTok[parts[0]] = Staging{ActivityID: parts[0], Status: parts[1], FailReason: parts[2]}
			}
		}
	}
	return count, rows.Err()
}

// CheckActivityRefs reports, per field, ids of groups, channels or the
// campaign that are not the program's.
func (s *Store) CheckActivityRefs(ctx context.Context, programID string, a domain.Activity) (domain.Fields, error) {
	f := domain.Fields{}
	for _, c := range []struct {
		field, table, what string
		ids                []string
	}{
		{"group_ids", "member_groups", "group", a.GroupIDs},
		{"channel_ids", "channels", "channel", a.ChannelIDs},
		{"campaign_id", "campaigns", "campaign", nonEmpty(a.CampaignID)},
	} {
		missing, err := missingIDs(ctx, s, s.r, c.table, programID, c.ids)
		if err != nil {
			return nil, wrap("CheckActivityRefs", err)
		}
		if len(missing) > 0 {
			f.Add(c.field, unknownIDs(c.field, c.what, missing).(*domain.Error).Fields[c.field])
		}
	}
	return f, nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
