package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// CreateGroup inserts a member group.
func (s *Store) CreateGroup(ctx context.Context, g domain.Group, now time.Time) error {
	err := s.execOne(ctx, "", "INSERT INTO member_groups (id, program_id, name, created_at) VALUES (?, ?, ?, ?)", g.ID, g.ProgramID, g.Name, ms(now))
	return wrap("CreateGroup", nameConflict(err, "group"))
}

func nameConflict(err error, what string) error {
	if isUniqueViolation(err) {
		return &domain.Error{Code: domain.CodeConflict, Message: "a " + what + " with this name already exists", Fields: map[string]string{"name": "is already used by another " + what}}
	}
	return err
}

// Groups lists a program's groups with member counts.
func (s *Store) Groups(ctx context.Context, programID string) ([]domain.Group, error) {
	v, err := s.groups(ctx, programID, "")
	return v, wrap("Groups", err)
}

// Group returns one group of a program.
func (s *Store) Group(ctx context.Context, programID, groupID string) (domain.Group, error) {
	gs, err := s.groups(ctx, programID, groupID)
	if err != nil {
		return domain.Group{}, wrap("Group", err)
	}
	if len(gs) == 0 {
		return domain.Group{}, wrap("Group", domain.NotFound("group"))
	}
	return gs[0], nil
}

func (s *Store) groups(ctx context.Context, programID, only string) ([]domain.Group, error) {
	query := "SELECT g.id, g.name, (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = g.id) FROM member_groups g WHERE g.program_id = ?"
	args := []any{programID}
	if only != "" {
		query += " AND g.id = ?"
		args = append(args, only)
	}
	rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY g.name, g.id"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Group{}
	for rows.Next() {
		g := domain.Group{ProgramID: programID}
		if err := rows.Scan(&g.ID, &g.Name, &g.MemberCount); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// GroupExists reports not_found unless the group is the program's.
func (s *Store) GroupExists(ctx context.Context, programID, groupID string) error {
	return wrap("GroupExists", exists(ctx, s, s.r, "member_groups", programID, groupID, "group"))
}

// RenameGroup changes a group's name.
func (s *Store) RenameGroup(ctx context.Context, programID, groupID, name string) error {
	err := s.execOne(ctx, "group", "UPDATE member_groups SET name = ? WHERE program_id = ? AND id = ?", name, programID, groupID)
	return wrap("RenameGroup", nameConflict(err, "group"))
}

// DeleteGroup deletes a group unless a live or scheduled activity targets it:
// silently dropping the target would show that activity to everyone.
func (s *Store) DeleteGroup(ctx context.Context, programID, groupID string, now time.Time) error {
	return wrap("DeleteGroup", s.tx(ctx, func(tx *sql.Tx) error {
		if err := refuseIfTargeted(ctx, s, tx, "activity_groups", "group_id", groupID, now, "group"); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM member_groups WHERE program_id = ? AND id = ?"), programID, groupID)
		if err := mustAffect(res, err, "group"); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

func refuseIfTargeted(ctx context.Context, s *Store, tx *sql.Tx, table, col, id string, now time.Time, what string) error {
	var n int
	err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM "+table+" t JOIN activities a ON a.id = t.activity_id WHERE t."+col+" = ? AND a.removed_at IS NULL AND (a.ends_at IS NULL OR a.ends_at > ?)"), id, ms(now)).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return domain.Errorf(domain.CodeConflict, "%d live or scheduled activities are sent to this %s; change or remove them first", n, what)
	}
	return nil
}

// SetGroupMembers replaces a group's members; each must belong to the program.
func (s *Store) SetGroupMembers(ctx context.Context, programID, groupID string, userIDs []string) error {
	return wrap("SetGroupMembers", s.tx(ctx, func(tx *sql.Tx) error {
		if err := exists(ctx, s, tx, "member_groups", programID, groupID, "group"); err != nil {
			return err
		}
		if err := checkMembers(ctx, s, tx, programID, userIDs); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM group_members WHERE group_id = ?"), groupID); err != nil {
			return err
		}
		if err := insertMembers(ctx, s, tx, "group_members", "group_id", groupID, programID, userIDs); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

// insertMembers adds a (owner, user_id, program_id) row for each user to
// table, many rows per statement: a group or private channel may hold a
// whole company (domain.MaxMembers), far more rows than one statement can
// bind parameters for, and far too many for one round trip each.
func insertMembers(ctx context.Context, s *Store, tx *sql.Tx, table, ownerCol, ownerID, programID string, userIDs []string) error {
	rows := make([][]any, len(userIDs))
	for i, uid := range userIDs {
		rows[i] = []any{ownerID, uid, programID}
	}
	return insertMany(ctx, s, tx, table, []string{ownerCol, "user_id", "program_id"}, rows)
}

// setUserGroups replaces one member's groups inside a program.
func setUserGroups(ctx context.Context, s *Store, tx *sql.Tx, programID, userID string, groupIDs []string) error {
	if groupIDs == nil {
		return nil
	}
	if missing, err := missingIDs(ctx, s, tx, "member_groups", programID, groupIDs); err != nil {
		return err
	} else if len(missing) > 0 {
		return unknownIDs("group_ids", "group", missing)
	}
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM group_members WHERE user_id = ? AND program_id = ?"), userID, programID); err != nil {
		return err
	}
	for _, gid := range groupIDs {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO group_members (group_id, user_id, program_id) VALUES (?, ?, ?)"), gid, userID, programID); err != nil {
			return err
		}
	}
	return nil
}

// exists checks that a row of a program-owned table belongs to the program.
func exists(ctx context.Context, s *Store, q querier, table, programID, id, what string) error {
	var one int
	err := q.QueryRowContext(ctx, s.q("SELECT 1 FROM "+table+" WHERE program_id = ? AND id = ?"), programID, id).Scan(&one)
	return translate(err, what)
}

// missingIDs returns the ids that are not rows of table in the program.
func missingIDs(ctx context.Context, s *Store, q querier, table, programID string, ids []string) ([]string, error) {
	found, err := foundIDs(ctx, s, q, "SELECT id FROM "+table+" WHERE program_id = ? AND id IN ", programID, ids)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	return missing, nil
}

// foundIDs runs query (ending in "IN ") for ids, in chunks of maxInList, and
// returns the ids it answers.
func foundIDs(ctx context.Context, s *Store, q querier, query, programID string, ids []string) (map[string]bool, error) {
	found := map[string]bool{}
	for _, chunk := range chunks(ids, maxInList) {
		rows, err := q.QueryContext(ctx, s.rebind(query+"("+placeholders(len(chunk))+")"), append([]any{programID}, anySlice(chunk)...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			found[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return found, nil
}

func checkMembers(ctx context.Context, s *Store, q querier, programID string, userIDs []string) error {
	found, err := foundIDs(ctx, s, q, "SELECT user_id FROM memberships WHERE program_id = ? AND user_id IN ", programID, userIDs)
	if err != nil {
		return err
	}
	var missing []string
	for _, id := range userIDs {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return unknownIDs("user_ids", "member", missing)
	}
	return nil
}

func unknownIDs(field, what string, ids []string) error {
	list := strings.Join(ids[:min(len(ids), 10)], ", ")
	if len(ids) > 10 {
		list += fmt.Sprintf(" and %d more", len(ids)-10)
	}
	return &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention",
		Fields: map[string]string{field: "no such " + what + " in this program: " + list}}
}
