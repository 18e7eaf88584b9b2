package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// keepOneOwner refuses a change that leaves a program without an owner (a
// pending invite does not count). Callers hold lockManagers first, so two
// owners demoting or removing each other at once run one after the other
// and the second finds itself the last one.
func keepOneOwner(ctx context.Context, s *Store, tx *sql.Tx, programID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM memberships WHERE program_id = ? AND role = 'owner' AND NOT pending"), programID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return domain.Errorf(domain.CodeConflict, "a program needs at least one owner; make someone else an owner first")
	}
	return nil
}

// SetManagerScope limits a manager to some groups and channels (limited
// true) or lifts the limit (false: the lists are dropped). Every id must be
// one of the program's groups or channels.
func (s *Store) SetManagerScope(ctx context.Context, programID, userID string, limited bool, sc domain.Scope) error {
	return wrap("SetManagerScope", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE memberships SET limited = ? WHERE program_id = ? AND user_id = ?"), limited, programID, userID)
		if err := mustAffect(res, err, "member"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM manager_scopes WHERE program_id = ? AND user_id = ?"), programID, userID); err != nil {
			return err
		}
		if !limited {
			return nil
		}
		f := domain.Fields{}
		for _, part := range []struct {
			kind, table, field string
			ids                []string
		}{{"group", "member_groups", "scope_group_ids", sc.GroupIDs}, {"channel", "channels", "scope_channel_ids", sc.ChannelIDs}} {
			for _, id := range part.ids {
				var one int
				err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM "+part.table+" WHERE id = ? AND program_id = ?"), id, programID).Scan(&one)
				if errors.Is(err, sql.ErrNoRows) {
					f.Add(part.field, "has an id that is not one of this program's "+part.kind+"s: "+id)
					continue
				} else if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, s.q("INSERT INTO manager_scopes (program_id, user_id, kind, target_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"),
					programID, userID, part.kind, id); err != nil {
					return err
				}
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

// ManagerScopes returns the scope of every limited manager of a program.
func (s *Store) ManagerScopes(ctx context.Context, programID string) (map[string]domain.Scope, error) {
	out := map[string]domain.Scope{}
	if err := s.scopes(ctx, programID, "", out); err != nil {
		return nil, wrap("ManagerScopes", err)
	}
	return out, nil
}

// ManagerScope returns one member's scope, nil if they are not limited.
func (s *Store) ManagerScope(ctx context.Context, programID, userID string) (*domain.Scope, error) {
	out := map[string]domain.Scope{}
	if err := s.scopes(ctx, programID, userID, out); err != nil {
		return nil, wrap("ManagerScope", err)
	}
	sc, ok := out[userID]
	if !ok {
		return nil, nil
	}
	return &sc, nil
}

func (s *Store) scopes(ctx context.Context, programID, onlyUser string, out map[string]domain.Scope) error {
	query := "SELECT m.user_id, COALESCE(ms.kind, ''), COALESCE(ms.target_id, '') FROM memberships m LEFT JOIN manager_scopes ms ON ms.program_id = m.program_id AND ms.user_id = m.user_id WHERE m.program_id = ? AND m.limited AND m.role = 'manager'"
	args := []any{programID}
	if onlyUser != "" {
		query += " AND m.user_id = ?"
		args = append(args, onlyUser)
	}
	rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY m.user_id, ms.kind, ms.target_id"), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid, kind, id string
		if err := rows.Scan(&uid, &kind, &id); err != nil {
			return err
		}
		sc := out[uid]
		switch kind {
		case "group":
			sc.GroupIDs = append(sc.GroupIDs, id)
		case "channel":
			sc.ChannelIDs = append(sc.ChannelIDs, id)
		}
		out[uid] = sc
	}
	return rows.Err()
}
