package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

const programCols = "id, name, timezone, leaderboard_enabled, rewards_enabled, created_at"

func scanProgram(row interface{ Scan(...any) error }) (domain.Program, error) {
	var p domain.Program
	var created int64
	err := row.Scan(&p.ID, &p.Name, &p.Timezone, &p.LeaderboardEnabled, &p.RewardsEnabled, &created)
	p.CreatedAt = fromMS(created)
	return p, err
}

// CreateProgram inserts a program and makes manager its first manager.
func (s *Store) CreateProgram(ctx context.Context, p domain.Program, managerID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO programs ("+programCols+") VALUES (?, ?, ?, ?, ?, ?)"),
			p.ID, p.Name, p.Timezone, p.LeaderboardEnabled, p.RewardsEnabled, ms(p.CreatedAt)); err != nil {
			return translate(err, "program")
		}
		return addMember(ctx, s, tx, p.ID, managerID, domain.RoleManager, p.CreatedAt)
	})
}

// Program returns a program.
func (s *Store) Program(ctx context.Context, id string) (domain.Program, error) {
	p, err := scanProgram(s.r.QueryRowContext(ctx, s.q("SELECT "+programCols+" FROM programs WHERE id = ?"), id))
	return p, translate(err, "program")
}

// ProgramByName finds a program by its exact name (for idempotent seeding).
func (s *Store) ProgramByName(ctx context.Context, name string) (domain.Program, error) {
	p, err := scanProgram(s.r.QueryRowContext(ctx, s.q("SELECT "+programCols+" FROM programs WHERE name = ? ORDER BY created_at LIMIT 1"), name))
	return p, translate(err, "program")
}

// UpdateProgram saves a program's settings.
func (s *Store) UpdateProgram(ctx context.Context, p domain.Program) error {
	res, err := s.w.ExecContext(ctx, s.q("UPDATE programs SET name = ?, timezone = ?, leaderboard_enabled = ?, rewards_enabled = ? WHERE id = ?"),
		p.Name, p.Timezone, p.LeaderboardEnabled, p.RewardsEnabled, p.ID)
	return mustAffect(res, err, "program")
}

// Memberships lists the programs a user belongs to.
func (s *Store) Memberships(ctx context.Context, userID string) ([]domain.Membership, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT m.program_id, p.name, m.role FROM memberships m JOIN programs p ON p.id = m.program_id WHERE m.user_id = ? ORDER BY p.name, p.id"), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Membership{}
	for rows.Next() {
		m := domain.Membership{UserID: userID}
		if err := rows.Scan(&m.ProgramID, &m.ProgramName, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Membership returns a user's role in a program.
func (s *Store) Membership(ctx context.Context, programID, userID string) (domain.Membership, error) {
	m := domain.Membership{ProgramID: programID, UserID: userID}
	err := s.hotRow(ctx, "SELECT p.name, m.role FROM memberships m JOIN programs p ON p.id = m.program_id WHERE m.program_id = ? AND m.user_id = ?", programID, userID).
		Scan(&m.ProgramName, &m.Role)
	return m, translate(err, "membership")
}

func addMember(ctx context.Context, s *Store, q querier, programID, userID string, role domain.Role, now time.Time) error {
	_, err := q.ExecContext(ctx, s.q("INSERT INTO memberships (program_id, user_id, role, created_at) VALUES (?, ?, ?, ?)"), programID, userID, string(role), ms(now))
	if isUniqueViolation(err) {
		return &domain.Error{Code: domain.CodeConflict, Message: "this person is already a member of the program", Fields: map[string]string{"email": "is already a member"}}
	}
	return err
}

// NewMember is a person to add to a program.
type NewMember struct {
	User       domain.User // created when CreateUser is set, else must exist
	CreateUser bool
	Role       domain.Role
	GroupIDs   []string
	InviteHash string // non-empty: store an invite for this code hash
	InviteTTL  time.Duration
}

// AddMember adds a person (creating them if new) to a program with groups, and
// stores their invite, in one transaction.
func (s *Store) AddMember(ctx context.Context, programID string, nm NewMember, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if nm.CreateUser {
			if err := createUser(ctx, s, tx, nm.User); err != nil {
				return err
			}
		}
		if err := addMember(ctx, s, tx, programID, nm.User.ID, nm.Role, now); err != nil {
			return err
		}
		if err := setUserGroups(ctx, s, tx, programID, nm.User.ID, nm.GroupIDs); err != nil {
			return err
		}
		if nm.InviteHash != "" {
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO invites (code_hash, program_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"),
				nm.InviteHash, programID, nm.User.ID, ms(now), ms(now.Add(nm.InviteTTL))); err != nil {
				return err
			}
		}
		return bumpVersion(ctx, s, tx, programID)
	})
}

// Members lists a program's members with their groups.
func (s *Store) Members(ctx context.Context, programID string) ([]domain.Member, error) {
	return s.members(ctx, programID, "")
}

// Member returns one member of a program.
func (s *Store) Member(ctx context.Context, programID, userID string) (domain.Member, error) {
	ms, err := s.members(ctx, programID, userID)
	if err != nil {
		return domain.Member{}, err
	}
	if len(ms) == 0 {
		return domain.Member{}, domain.NotFound("member")
	}
	return ms[0], nil
}

func (s *Store) members(ctx context.Context, programID, onlyUser string) ([]domain.Member, error) {
	query := "SELECT m.role, " + qualify("u", userCols) + " FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.program_id = ?"
	args := []any{programID}
	if onlyUser != "" {
		query += " AND m.user_id = ?"
		args = append(args, onlyUser)
	}
	rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY u.name, u.id"), args...)
	if err != nil {
		return nil, err
	}
	out := []domain.Member{}
	index := map[string]int{}
	for rows.Next() {
		var m domain.Member
		var created int64
		if err := rows.Scan(&m.Role, &m.User.ID, &m.User.Email, &m.User.Name, &m.User.PasswordHash, &m.User.Timezone, &m.User.Locale, &m.User.TrackingOptOut, &m.User.QuietHoursStart, &m.User.QuietHoursEnd, &created); err != nil {
			rows.Close()
			return nil, err
		}
		m.User.CreatedAt = fromMS(created)
		m.Invited = m.User.PasswordHash == ""
		m.User.PasswordHash = ""
		m.GroupIDs = []string{}
		index[m.User.ID] = len(out)
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	gq := "SELECT gm.user_id, gm.group_id FROM group_members gm WHERE gm.program_id = ?"
	if onlyUser != "" {
		gq += " AND gm.user_id = ?"
	}
	rows, err = s.r.QueryContext(ctx, s.q(gq+" ORDER BY gm.group_id"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid, gid string
		if err := rows.Scan(&uid, &gid); err != nil {
			return nil, err
		}
		if i, ok := index[uid]; ok {
			out[i].GroupIDs = append(out[i].GroupIDs, gid)
		}
	}
	return out, rows.Err()
}

// UpdateMember changes a member's role and, when groupIDs is non-nil, their groups.
func (s *Store) UpdateMember(ctx context.Context, programID, userID string, role domain.Role, groupIDs []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE memberships SET role = ? WHERE program_id = ? AND user_id = ?"), string(role), programID, userID)
		if err := mustAffect(res, err, "member"); err != nil {
			return err
		}
		if role != domain.RoleManager {
			if err := keepOneManager(ctx, s, tx, programID); err != nil {
				return err
			}
		}
		if groupIDs != nil {
			if err := setUserGroups(ctx, s, tx, programID, userID, groupIDs); err != nil {
				return err
			}
		}
		return bumpVersion(ctx, s, tx, programID)
	})
}

// RemoveMember takes a person out of a program, with their groups, channels
// and follows there.
func (s *Store) RemoveMember(ctx context.Context, programID, userID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM memberships WHERE program_id = ? AND user_id = ?"), programID, userID)
		if err := mustAffect(res, err, "member"); err != nil {
			return err
		}
		if err := keepOneManager(ctx, s, tx, programID); err != nil {
			return err
		}
		for _, q := range []string{
			"DELETE FROM group_members WHERE user_id = ? AND program_id = ?",
			"DELETE FROM channel_members WHERE user_id = ? AND program_id = ?",
			"DELETE FROM channel_follows WHERE user_id = ? AND program_id = ?",
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), userID, programID); err != nil {
				return err
			}
		}
		return bumpVersion(ctx, s, tx, programID)
	})
}

// keepOneManager refuses a change that leaves a program nobody can run.
func keepOneManager(ctx context.Context, s *Store, tx *sql.Tx, programID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM memberships WHERE program_id = ? AND role = 'manager'"), programID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return domain.Errorf(domain.CodeConflict, "a program needs at least one manager; make someone else a manager first")
	}
	return nil
}

// Invite is a pending invitation.
type Invite struct {
	ProgramID  string
	UserID     string
	ExpiresAt  time.Time
	AcceptedAt time.Time
}

// Invite returns the invite stored under a code hash.
func (s *Store) Invite(ctx context.Context, codeHash string) (Invite, error) {
	var inv Invite
	var exp int64
	var acc sql.NullInt64
	err := s.r.QueryRowContext(ctx, s.q("SELECT program_id, user_id, expires_at, accepted_at FROM invites WHERE code_hash = ?"), codeHash).Scan(&inv.ProgramID, &inv.UserID, &exp, &acc)
	inv.ExpiresAt, inv.AcceptedAt = fromMS(exp), fromNullMS(acc)
	return inv, translate(err, "invite")
}

// AcceptInvite marks an invite used and saves the person's name and password,
// once: a second accept of the same code finds nothing to update.
func (s *Store) AcceptInvite(ctx context.Context, codeHash string, u domain.User, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE invites SET accepted_at = ? WHERE code_hash = ? AND accepted_at IS NULL AND expires_at > ?"), ms(now), codeHash, ms(now))
		if err := mustAffect(res, err, "invite"); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, s.q("UPDATE users SET name = ?, password_hash = ? WHERE id = ?"), u.Name, u.PasswordHash, u.ID)
		return mustAffect(res, err, "user")
	})
}

// bumpVersion tells every feed cache of the program to reload.
func bumpVersion(ctx context.Context, s *Store, q querier, programID string) error {
	_, err := q.ExecContext(ctx, s.q("UPDATE programs SET content_version = content_version + 1 WHERE id = ?"), programID)
	return err
}
