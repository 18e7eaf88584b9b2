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

// CreateProgram inserts a program and makes manager its first owner.
func (s *Store) CreateProgram(ctx context.Context, p domain.Program, managerID string) error {
	return wrap("CreateProgram", s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO programs ("+programCols+") VALUES (?, ?, ?, ?, ?, ?)"),
			p.ID, p.Name, p.Timezone, p.LeaderboardEnabled, p.RewardsEnabled, ms(p.CreatedAt)); err != nil {
			return translate(err, "program")
		}
		return addMember(ctx, s, tx, p.ID, NewMember{User: domain.User{ID: managerID}, Role: domain.RoleOwner}, p.CreatedAt)
	}))
}

// Program returns a program.
func (s *Store) Program(ctx context.Context, id string) (domain.Program, error) {
	p, err := scanProgram(s.r.QueryRowContext(ctx, s.q("SELECT "+programCols+" FROM programs WHERE id = ?"), id))
	return p, wrap("Program", translate(err, "program"))
}

// ProgramByName finds a program by its exact name (for idempotent seeding).
func (s *Store) ProgramByName(ctx context.Context, name string) (domain.Program, error) {
	p, err := scanProgram(s.r.QueryRowContext(ctx, s.q("SELECT "+programCols+" FROM programs WHERE name = ? ORDER BY created_at LIMIT 1"), name))
	return p, wrap("ProgramByName", translate(err, "program"))
}

// UpdateProgram saves a program's settings.
func (s *Store) UpdateProgram(ctx context.Context, p domain.Program) error {
	return wrap("UpdateProgram", s.execOne(ctx, "program", "UPDATE programs SET name = ?, timezone = ?, leaderboard_enabled = ?, rewards_enabled = ? WHERE id = ?",
		p.Name, p.Timezone, p.LeaderboardEnabled, p.RewardsEnabled, p.ID))
}

// Memberships lists the programs a user belongs to.
func (s *Store) Memberships(ctx context.Context, userID string) ([]domain.Membership, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT m.program_id, p.name, m.role FROM memberships m JOIN programs p ON p.id = m.program_id WHERE m.user_id = ? AND NOT m.pending ORDER BY p.name, p.id"), userID)
	if err != nil {
		return nil, wrap("Memberships", err)
	}
	defer rows.Close()
	out := []domain.Membership{}
	for rows.Next() {
		m := domain.Membership{UserID: userID}
		if err := rows.Scan(&m.ProgramID, &m.ProgramName, &m.Role); err != nil {
			return nil, wrap("Memberships", err)
		}
		out = append(out, m)
	}
	return out, wrap("Memberships", rows.Err())
}

// Membership returns a user's role in a program. A pending membership (an
// invite not yet accepted) is not one: it gives nothing.
func (s *Store) Membership(ctx context.Context, programID, userID string) (domain.Membership, error) {
	m := domain.Membership{ProgramID: programID, UserID: userID}
	err := s.hotRow(ctx, "SELECT p.name, m.role FROM memberships m JOIN programs p ON p.id = m.program_id WHERE m.program_id = ? AND m.user_id = ? AND NOT m.pending", programID, userID).
		Scan(&m.ProgramName, &m.Role)
	return m, wrap("Membership", translate(err, "membership"))
}

func addMember(ctx context.Context, s *Store, q querier, programID string, nm NewMember, now time.Time) error {
	pending := nm.InviteHash != ""
	_, err := q.ExecContext(ctx, s.q("INSERT INTO memberships (program_id, user_id, role, created_at, pending, invited_name, invited_timezone) VALUES (?, ?, ?, ?, ?, ?, ?)"),
		programID, nm.User.ID, string(nm.Role), ms(now), pending, nm.User.Name, nm.User.Timezone)
	if isUniqueViolation(err) {
		return &domain.Error{Code: domain.CodeConflict, Message: "this person is already a member of the program", Fields: map[string]string{"email": "is already a member"}}
	}
	return err
}

// NewMember is a person to add to a program.
type NewMember struct {
	// User is created when CreateUser is set, else it must exist. Its Name
	// and Timezone are what the manager typed: the pending membership shows
	// them, never the account's own.
	User       domain.User
	CreateUser bool
	Role       domain.Role
	GroupIDs   []string
	// InviteHash non-empty: the membership is pending until the person
	// accepts the invite stored under this code hash.
	InviteHash string
	InviteTTL  time.Duration
}

// AddMember adds a person (creating them if new) to a program with groups, and
// stores their invite, in one transaction with the jobs it causes (the
// invitation email).
func (s *Store) AddMember(ctx context.Context, programID string, nm NewMember, now time.Time, jobs ...NewJob) error {
	return wrap("AddMember", s.tx(ctx, func(tx *sql.Tx) error {
		if nm.CreateUser {
			if err := createUser(ctx, s, tx, nm.User); err != nil {
				return err
			}
		}
		if err := addMember(ctx, s, tx, programID, nm, now); err != nil {
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
		if err := enqueueAll(ctx, s, tx, jobs); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

// Members lists a program's members with their groups.
func (s *Store) Members(ctx context.Context, programID string) ([]domain.Member, error) {
	v, err := s.members(ctx, programID, "")
	return v, wrap("Members", err)
}

// Member returns one member of a program.
func (s *Store) Member(ctx context.Context, programID, userID string) (domain.Member, error) {
	ms, err := s.members(ctx, programID, userID)
	if err != nil {
		return domain.Member{}, wrap("Member", err)
	}
	if len(ms) == 0 {
		return domain.Member{}, wrap("Member", domain.NotFound("member"))
	}
	return ms[0], nil
}

func (s *Store) members(ctx context.Context, programID, onlyUser string) ([]domain.Member, error) {
	query := "SELECT m.role, m.pending, m.invited_name, m.invited_timezone, " + qualify("u", userCols) + " FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.program_id = ?"
	args := []any{programID}
	if onlyUser != "" {
		query += " AND m.user_id = ?"
		args = append(args, onlyUser)
	}
	rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY CASE WHEN m.pending THEN m.invited_name ELSE u.name END, u.id"), args...)
	if err != nil {
		return nil, err
	}
	out := []domain.Member{}
	index := map[string]int{}
	for rows.Next() {
		var m domain.Member
		var created int64
		var name, zone string
		if err := rows.Scan(&m.Role, &m.Invited, &name, &zone, &m.User.ID, &m.User.Email, &m.User.Name, &m.User.PasswordHash, &m.User.Timezone, &m.User.Locale, &m.User.TrackingOptOut, &m.User.QuietHoursStart, &m.User.QuietHoursEnd, &created); err != nil {
			rows.Close()
			return nil, err
		}
		m.User.CreatedAt = fromMS(created)
		m.User.PasswordHash = ""
		if m.Invited {
			// Until the person says yes, the program knows only what its
			// manager typed.
			m.User.Name, m.User.Timezone = name, zone
		}
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
	return wrap("UpdateMember", s.tx(ctx, func(tx *sql.Tx) error {
		if err := lockManagers(ctx, s, tx, programID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE memberships SET role = ? WHERE program_id = ? AND user_id = ?"), string(role), programID, userID)
		if err := mustAffect(res, err, "member"); err != nil {
			return err
		}
		if role != domain.RoleOwner {
			if err := keepOneOwner(ctx, s, tx, programID); err != nil {
				return err
			}
		}
		if groupIDs != nil {
			if err := setUserGroups(ctx, s, tx, programID, userID, groupIDs); err != nil {
				return err
			}
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

// RemoveMember takes a person out of a program, with their groups, channels,
// follows and unused invites there.
func (s *Store) RemoveMember(ctx context.Context, programID, userID string) error {
	return wrap("RemoveMember", s.tx(ctx, func(tx *sql.Tx) error {
		if err := lockManagers(ctx, s, tx, programID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM memberships WHERE program_id = ? AND user_id = ?"), programID, userID)
		if err := mustAffect(res, err, "member"); err != nil {
			return err
		}
		if err := keepOneOwner(ctx, s, tx, programID); err != nil {
			return err
		}
		for _, q := range []string{
			"DELETE FROM group_members WHERE user_id = ? AND program_id = ?",
			"DELETE FROM channel_members WHERE user_id = ? AND program_id = ?",
			"DELETE FROM channel_follows WHERE user_id = ? AND program_id = ?",
			"DELETE FROM invites WHERE user_id = ? AND program_id = ? AND accepted_at IS NULL",
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), userID, programID); err != nil {
				return err
			}
		}
		// Their share pages end with their membership (kept, revoked, so
		// an old link says it was withdrawn rather than never existed).
		if err := revokeShareTokens(ctx, s, tx, time.Now(), "user_id = ? AND program_id = ?", userID, programID); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

// lockManagers makes "at least one manager" a real invariant: every change
// of a program's roles or members takes the program's row first, so two
// managers removing each other at once run one after the other and the
// second finds itself the last one. (SQLite has one writer: already so.)
func lockManagers(ctx context.Context, s *Store, tx *sql.Tx, programID string) error {
	if s.d.name != "postgres" {
		return nil
	}
	var id string
	err := tx.QueryRowContext(ctx, s.q("SELECT id FROM programs WHERE id = ? FOR UPDATE"), programID).Scan(&id)
	return translate(err, "program")
}

// AddManager makes a person a manager (or, with role owner, an owner) of a
// program, adding them if they are not in it and activating a pending
// membership: the installation admin's way back into a program
// (chorus-server admin add-manager). It never demotes: an owner stays one.
func (s *Store) AddManager(ctx context.Context, programID, userID string, role domain.Role, now time.Time) error {
	if role != domain.RoleOwner {
		role = domain.RoleManager
	}
	return wrap("AddManager", s.tx(ctx, func(tx *sql.Tx) error {
		if err := lockManagers(ctx, s, tx, programID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE memberships SET role = CASE WHEN role = 'owner' THEN 'owner' ELSE ? END, pending = FALSE WHERE program_id = ? AND user_id = ?"), string(role), programID, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if err := addMember(ctx, s, tx, programID, NewMember{User: domain.User{ID: userID}, Role: role}, now); err != nil {
				return err
			}
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
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
	return inv, wrap("Invite", translate(err, "invite"))
}

// AcceptInvite marks an invite used and makes its membership active, once: a
// second accept of the same code finds nothing to update. With first set, the
// account gets its name and first password, only while it has none, and
// every session it had ends. The person's other programs stay as they were:
// a pending membership there needs that program's own invite.
func (s *Store) AcceptInvite(ctx context.Context, codeHash string, inv Invite, first *domain.User, now time.Time) error {
	return wrap("AcceptInvite", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE invites SET accepted_at = ? WHERE code_hash = ? AND accepted_at IS NULL AND expires_at > ?"), ms(now), codeHash, ms(now))
		if err := mustAffect(res, err, "invite"); err != nil {
			return err
		}
		if first != nil {
			res, err = tx.ExecContext(ctx, s.q("UPDATE users SET name = ?, password_hash = ? WHERE id = ? AND password_hash = ''"), first.Name, first.PasswordHash, inv.UserID)
			if err := mustAffect(res, err, "user"); err != nil {
				if domain.HasCode(err, domain.CodeNotFound) {
					return domain.Errorf(domain.CodeConflict, "this account already has a password; enter it to accept the invite")
				}
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM sessions WHERE user_id = ?"), inv.UserID); err != nil {
				return err
			}
		}
		res, err = tx.ExecContext(ctx, s.q("UPDATE memberships SET pending = FALSE WHERE program_id = ? AND user_id = ?"), inv.ProgramID, inv.UserID)
		if err := mustAffect(res, err, "membership"); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, inv.ProgramID)
	}))
}

// SetPassword gives an account a new password hash and ends every session
// it had, in one transaction (an installation admin's reset). Open reset
// links of the account stop working.
func (s *Store) SetPassword(ctx context.Context, userID, hash string) error {
	return wrap("SetPassword", s.tx(ctx, func(tx *sql.Tx) error {
		if err := setPassword(ctx, s, tx, userID, hash, time.Now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q("DELETE FROM sessions WHERE user_id = ?"), userID)
		return err
	}))
}

// bumpVersion tells every feed cache of the program to reload.
func bumpVersion(ctx context.Context, s *Store, q querier, programID string) error {
	_, err := q.ExecContext(ctx, s.q("UPDATE programs SET content_version = content_version + 1 WHERE id = ?"), programID)
	if err == nil {
		s.touched(q, "")
	}
	return err
}
