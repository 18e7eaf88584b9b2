package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

const userCols = "id, email, name, password_hash, timezone, locale, tracking_opt_out, quiet_hours_start, quiet_hours_end, created_at"

func scanUser(row rowScanner) (domain.User, error) {
	var u domain.User
	var created int64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Timezone, &u.Locale, &u.TrackingOptOut, &u.QuietHoursStart, &u.QuietHoursEnd, &created)
	u.CreatedAt = fromMS(created)
	return u, err
}

// CreateUser inserts a user; an email already in use is a conflict.
func (s *Store) CreateUser(ctx context.Context, u domain.User) error {
	return wrap("CreateUser", createUser(ctx, s, s.w, u))
}

func createUser(ctx context.Context, s *Store, q querier, u domain.User) error {
	_, err := q.ExecContext(ctx, s.q("INSERT INTO users ("+userCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		u.ID, u.Email, u.Name, u.PasswordHash, u.Timezone, u.Locale, u.TrackingOptOut, u.QuietHoursStart, u.QuietHoursEnd, ms(u.CreatedAt))
	if isUniqueViolation(err) {
		return &domain.Error{Code: domain.CodeConflict, Message: "a person with this email already exists", Fields: map[string]string{"email": "is already in use"}}
	}
	return err
}

// UserByID returns a user.
func (s *Store) UserByID(ctx context.Context, id string) (domain.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM users WHERE id = ?"), id))
	return u, wrap("UserByID", translate(err, "user"))
}

// UserByEmail returns a user by normalized email.
func (s *Store) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM users WHERE email = ?"), email))
	return u, wrap("UserByEmail", translate(err, "user"))
}

// UpdateUser saves a user's profile fields and password hash.
func (s *Store) UpdateUser(ctx context.Context, u domain.User) error {
	res, err := s.w.ExecContext(ctx, s.q("UPDATE users SET name = ?, password_hash = ?, timezone = ?, locale = ?, tracking_opt_out = ?, quiet_hours_start = ?, quiet_hours_end = ? WHERE id = ?"),
		u.Name, u.PasswordHash, u.Timezone, u.Locale, u.TrackingOptOut, u.QuietHoursStart, u.QuietHoursEnd, u.ID)
	return wrap("UpdateUser", mustAffect(res, err, "user"))
}

// CreateSession stores a session under the hash of its token.
func (s *Store) CreateSession(ctx context.Context, tokenHash, userID string, now, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, s.q("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"),
		tokenHash, userID, ms(now), ms(expires))
	return wrap("CreateSession", err)
}

var sessionUserSQL = "SELECT " + qualify("u", userCols) + " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?"

// SessionUser returns the user of an unexpired session.
func (s *Store) SessionUser(ctx context.Context, tokenHash string, now time.Time) (domain.User, error) {
	u, err := scanUser(s.hotRow(ctx, sessionUserSQL, tokenHash, ms(now)))
	return u, wrap("SessionUser", translate(err, "session"))
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.w.ExecContext(ctx, s.q("DELETE FROM sessions WHERE token_hash = ?"), tokenHash)
	return wrap("DeleteSession", err)
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.q("DELETE FROM sessions WHERE expires_at <= ?"), ms(now))
	if err != nil {
		return 0, wrap("DeleteExpiredSessions", err)
	}
	v, err := res.RowsAffected()
	return v, wrap("DeleteExpiredSessions", err)
}

func mustAffect(res sql.Result, err error, what string) error {
	if err != nil {
		return translate(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.NotFound(what)
	}
	return nil
}

// qualify prefixes each column of a list with a table alias.
func qualify(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = alias + "." + c
	}
	return strings.Join(parts, ", ")
}
