package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// SSO is a program's single sign-on settings. ClientSecret is sealed.
type SSO struct {
	ProgramID      string
	ProgramName    string
	Enabled        bool
	DisplayName    string
	IssuerURL      string
	ClientID       string
	ClientSecret   string
	AllowedDomains []string
	PasswordLogin  bool
	UpdatedAt      time.Time
}

const ssoCols = "s.program_id, p.name, s.enabled, s.display_name, s.issuer_url, s.client_id, s.client_secret_sealed, s.allowed_domains, s.password_login, s.updated_at"

func scanSSO(row interface{ Scan(...any) error }) (SSO, error) {
	var c SSO
	var domains string
	var updated int64
	err := row.Scan(&c.ProgramID, &c.ProgramName, &c.Enabled, &c.DisplayName, &c.IssuerURL, &c.ClientID, &c.ClientSecret, &domains, &c.PasswordLogin, &updated)
	c.UpdatedAt = fromMS(updated)
	c.AllowedDomains = []string{}
	for _, d := range strings.Split(domains, ",") {
		if d != "" {
			c.AllowedDomains = append(c.AllowedDomains, d)
		}
	}
	return c, err
}

// ProgramSSO returns a program's settings (not found: none saved).
func (s *Store) ProgramSSO(ctx context.Context, programID string) (SSO, error) {
	c, err := scanSSO(s.r.QueryRowContext(ctx, s.q("SELECT "+ssoCols+" FROM program_sso s JOIN programs p ON p.id = s.program_id WHERE s.program_id = ?"), programID))
	return c, wrap("ProgramSSO", translate(err, "sign-on settings"))
}

// EnabledSSO lists the programs whose single sign-on is on, by name.
func (s *Store) EnabledSSO(ctx context.Context, limit int) ([]SSO, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT "+ssoCols+" FROM program_sso s JOIN programs p ON p.id = s.program_id WHERE s.enabled ORDER BY p.name, p.id LIMIT ?"), limit)
	if err != nil {
		return nil, wrap("EnabledSSO", err)
	}
	defer rows.Close()
	out := []SSO{}
	for rows.Next() {
		c, err := scanSSO(rows)
		if err != nil {
			return nil, wrap("EnabledSSO", err)
		}
		out = append(out, c)
	}
	return out, wrap("EnabledSSO", rows.Err())
}

// SaveSSO stores a program's settings (in the transaction that carries
// the audit entry, if ctx has one).
func (s *Store) SaveSSO(ctx context.Context, c SSO) error {
	return wrap("SaveSSO", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO program_sso (program_id, enabled, display_name, issuer_url, client_id, client_secret_sealed, allowed_domains, password_login, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (program_id) DO UPDATE SET enabled = excluded.enabled, display_name = excluded.display_name, issuer_url = excluded.issuer_url,
			client_id = excluded.client_id, client_secret_sealed = excluded.client_secret_sealed, allowed_domains = excluded.allowed_domains,
			password_login = excluded.password_login, updated_at = excluded.updated_at`),
			c.ProgramID, c.Enabled, c.DisplayName, c.IssuerURL, c.ClientID, c.ClientSecret, strings.Join(c.AllowedDomains, ","), c.PasswordLogin, ms(c.UpdatedAt))
		return err
	}))
}

// SSOFlow is a sign-in under way.
type SSOFlow struct {
	ProgramID string
	Nonce     string
	Verifier  string // sealed
	ReturnTo  string
	ExpiresAt time.Time
}

// StartSSOFlow saves a flow under its state's hash, and forgets flows
// and codes that ended a day ago.
func (s *Store) StartSSOFlow(ctx context.Context, stateHash string, f SSOFlow, now time.Time) error {
	return wrap("StartSSOFlow", s.tx(ctx, func(tx *sql.Tx) error {
		old := ms(now.Add(-24 * time.Hour))
		for _, q := range []string{"DELETE FROM sso_flows WHERE expires_at < ?", "DELETE FROM sso_codes WHERE expires_at < ?"} {
			if _, err := tx.ExecContext(ctx, s.q(q), old); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO sso_flows (state_hash, program_id, nonce, verifier_sealed, return_to, expires_at) VALUES (?, ?, ?, ?, ?, ?)"),
			stateHash, f.ProgramID, f.Nonce, f.Verifier, f.ReturnTo, ms(f.ExpiresAt))
		return err
	}))
}

// TakeSSOFlow returns a flow and marks it used, once, while it lasts: a
// state replayed or too old finds nothing.
func (s *Store) TakeSSOFlow(ctx context.Context, stateHash string, now time.Time) (SSOFlow, error) {
	var f SSOFlow
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE sso_flows SET used_at = ? WHERE state_hash = ? AND used_at IS NULL AND expires_at > ?"), ms(now), stateHash, ms(now))
		if err := mustAffect(res, err, "sign-in"); err != nil {
			return err
		}
		var exp int64
		err = tx.QueryRowContext(ctx, s.q("SELECT program_id, nonce, verifier_sealed, return_to, expires_at FROM sso_flows WHERE state_hash = ?"), stateHash).
			Scan(&f.ProgramID, &f.Nonce, &f.Verifier, &f.ReturnTo, &exp)
		f.ExpiresAt = fromMS(exp)
		return err
	})
	return f, wrap("TakeSSOFlow", err)
}

// SSOIdentity returns the account a provider's subject signed in as before.
func (s *Store) SSOIdentity(ctx context.Context, issuer, subject string) (domain.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q("SELECT "+qualify("u", userCols)+" FROM sso_identities i JOIN users u ON u.id = i.user_id WHERE i.issuer = ? AND i.subject = ?"), issuer, subject))
	return u, wrap("SSOIdentity", translate(err, "user"))
}

// SSOSignIn is what a verified sign-in saves in one transaction: the
// account (created when new), its link to the provider's subject, its
// membership (joined as a member when new, or an invite accepted), and
// the one-time code for the app.
type SSOSignIn struct {
	ProgramID  string
	User       domain.User
	CreateUser bool
	Issuer     string
	Subject    string
	CodeHash   string
	CodeTTL    time.Duration
}

// CompleteSSO saves a sign-in.
func (s *Store) CompleteSSO(ctx context.Context, in SSOSignIn, now time.Time) error {
	return wrap("CompleteSSO", s.tx(ctx, func(tx *sql.Tx) error {
		if in.CreateUser {
			if err := createUser(ctx, s, tx, in.User); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO sso_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (issuer, subject) DO NOTHING"),
			in.Issuer, in.Subject, in.User.ID, ms(now)); err != nil {
			return err
		}
		// Just-in-time: a person the company's provider vouches for is a
		// member; a pending invite of theirs is accepted by signing in.
		res, err := tx.ExecContext(ctx, s.q("UPDATE memberships SET pending = FALSE WHERE program_id = ? AND user_id = ?"), in.ProgramID, in.User.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if err := addMember(ctx, s, tx, in.ProgramID, NewMember{User: in.User, Role: domain.RoleMember}, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE invites SET accepted_at = ? WHERE program_id = ? AND user_id = ? AND accepted_at IS NULL"), ms(now), in.ProgramID, in.User.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO sso_codes (code_hash, user_id, expires_at) VALUES (?, ?, ?)"), in.CodeHash, in.User.ID, ms(now.Add(in.CodeTTL))); err != nil {
			return err
		}
		return bumpVersion(ctx, s, tx, in.ProgramID)
	}))
}

// TakeSSOCode spends a one-time code: its account, once, while it lasts.
func (s *Store) TakeSSOCode(ctx context.Context, codeHash string, now time.Time) (domain.User, error) {
	var u domain.User
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE sso_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?"), ms(now), codeHash, ms(now))
		if err := mustAffect(res, err, "sign-in code"); err != nil {
			return err
		}
		u, err = scanUser(tx.QueryRowContext(ctx, s.q("SELECT "+qualify("u", userCols)+" FROM sso_codes c JOIN users u ON u.id = c.user_id WHERE c.code_hash = ?"), codeHash))
		return err
	})
	return u, wrap("TakeSSOCode", err)
}

// PasswordLoginBlocked names a program that asks this person to sign in
// with its provider instead of a password ("" if none). Owners keep their
// password: the way in when the provider is down or misconfigured.
func (s *Store) PasswordLoginBlocked(ctx context.Context, userID string) (string, error) {
	var name string
	err := s.r.QueryRowContext(ctx, s.q(`SELECT ps.display_name FROM memberships m JOIN program_sso ps ON ps.program_id = m.program_id
		WHERE m.user_id = ? AND NOT m.pending AND m.role <> 'owner' AND ps.enabled AND NOT ps.password_login ORDER BY ps.display_name LIMIT 1`), userID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, wrap("PasswordLoginBlocked", err)
}
