package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// CreateChannel inserts a channel.
func (s *Store) CreateChannel(ctx context.Context, c domain.Channel, now time.Time) error {
	err := s.execOne(ctx, "", "INSERT INTO channels (id, program_id, name, visibility, created_at) VALUES (?, ?, ?, ?, ?)", c.ID, c.ProgramID, c.Name, string(c.Visibility), ms(now))
	return wrap("CreateChannel", nameConflict(err, "channel"))
}

// Channels lists a program's channels; Following is set for viewerID.
func (s *Store) Channels(ctx context.Context, programID, viewerID string) ([]domain.Channel, error) {
	v, err := s.channels(ctx, programID, viewerID, "")
	return v, wrap("Channels", err)
}

// Channel returns one channel; Following is set for viewerID.
func (s *Store) Channel(ctx context.Context, programID, channelID, viewerID string) (domain.Channel, error) {
	cs, err := s.channels(ctx, programID, viewerID, channelID)
	if err != nil {
		return domain.Channel{}, wrap("Channel", err)
	}
	if len(cs) == 0 {
		return domain.Channel{}, wrap("Channel", domain.NotFound("channel"))
	}
	return cs[0], nil
}

func (s *Store) channels(ctx context.Context, programID, viewerID, only string) ([]domain.Channel, error) {
	query := `SELECT c.id, c.name, c.visibility,
		CASE WHEN c.visibility = 'public' THEN (SELECT COUNT(*) FROM channel_follows f WHERE f.channel_id = c.id)
		     ELSE (SELECT COUNT(*) FROM channel_members m WHERE m.channel_id = c.id) END,
		CASE WHEN c.visibility = 'public' THEN (SELECT COUNT(*) FROM channel_follows f WHERE f.channel_id = c.id AND f.user_id = ?)
		     ELSE (SELECT COUNT(*) FROM channel_members m WHERE m.channel_id = c.id AND m.user_id = ?) END
		FROM channels c WHERE c.program_id = ?`
	args := []any{viewerID, viewerID, programID}
	if only != "" {
		query += " AND c.id = ?"
		args = append(args, only)
	}
	rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY c.name, c.id"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Channel{}
	for rows.Next() {
		c := domain.Channel{ProgramID: programID}
		var mine int
		if err := rows.Scan(&c.ID, &c.Name, &c.Visibility, &c.MemberCount, &mine); err != nil {
			return nil, err
		}
		c.Following = mine > 0
		out = append(out, c)
	}
	return out, rows.Err()
}

// PrivateMembers lists who is in each private channel of a program.
func (s *Store) PrivateMembers(ctx context.Context, programID string) (map[string][]string, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT channel_id, user_id FROM channel_members WHERE program_id = ? ORDER BY channel_id, user_id"), programID)
	if err != nil {
		return nil, wrap("PrivateMembers", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var cid, uid string
		if err := rows.Scan(&cid, &uid); err != nil {
			return nil, wrap("PrivateMembers", err)
		}
		out[cid] = append(out[cid], uid)
	}
	return out, wrap("PrivateMembers", rows.Err())
}

// UpdateChannel saves a channel's name and visibility.
func (s *Store) UpdateChannel(ctx context.Context, c domain.Channel) error {
	return wrap("UpdateChannel", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE channels SET name = ?, visibility = ? WHERE program_id = ? AND id = ?"), c.Name, string(c.Visibility), c.ProgramID, c.ID)
		if err := nameConflict(err, "channel"); err != nil {
			return err
		}
		if err := mustAffect(res, nil, "channel"); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, c.ProgramID)
	}))
}

// DeleteChannel deletes a channel unless a live or scheduled activity posts to it.
func (s *Store) DeleteChannel(ctx context.Context, programID, channelID string, now time.Time) error {
	return wrap("DeleteChannel", s.tx(ctx, func(tx *sql.Tx) error {
		if err := refuseIfTargeted(ctx, s, tx, "activity_channels", "channel_id", channelID, now, "channel"); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM channels WHERE program_id = ? AND id = ?"), programID, channelID)
		if err := mustAffect(res, err, "channel"); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

// SetChannelMembers replaces who is in a private channel.
func (s *Store) SetChannelMembers(ctx context.Context, programID, channelID string, userIDs []string) error {
	return wrap("SetChannelMembers", s.tx(ctx, func(tx *sql.Tx) error {
		var vis string
		err := tx.QueryRowContext(ctx, s.q("SELECT visibility FROM channels WHERE program_id = ? AND id = ?"), programID, channelID).Scan(&vis)
		if err != nil {
			return translate(err, "channel")
		}
		if vis != string(domain.VisibilityPrivate) {
			return domain.Errorf(domain.CodeConflict, "members choose to follow a public channel; make the channel private to choose who is in it")
		}
		if err := checkMembers(ctx, s, tx, programID, userIDs); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM channel_members WHERE channel_id = ?"), channelID); err != nil {
			return err
		}
		if err := insertMembers(ctx, s, tx, "channel_members", "channel_id", channelID, programID, userIDs); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

// SetFollow makes a member follow or unfollow a public channel; idempotent.
func (s *Store) SetFollow(ctx context.Context, programID, channelID, userID string, follow bool) error {
	return wrap("SetFollow", s.tx(ctx, func(tx *sql.Tx) error {
		var vis string
		err := tx.QueryRowContext(ctx, s.q("SELECT visibility FROM channels WHERE program_id = ? AND id = ?"), programID, channelID).Scan(&vis)
		if err != nil {
			return translate(err, "channel")
		}
		if vis != string(domain.VisibilityPublic) {
			// Same answer as for a channel that does not exist: members
			// outside a private channel should not learn it is there.
			return domain.NotFound("channel")
		}
		if follow {
			_, err = tx.ExecContext(ctx, s.q("INSERT INTO channel_follows (channel_id, user_id, program_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"), channelID, userID, programID)
		} else {
			_, err = tx.ExecContext(ctx, s.q("DELETE FROM channel_follows WHERE channel_id = ? AND user_id = ?"), channelID, userID)
		}
		if err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}
