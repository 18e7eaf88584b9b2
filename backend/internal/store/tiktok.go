package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// Social account states.
const (
	AccountConnected       = "connected"
	AccountReconnectNeeded = "reconnect_needed"
)

// SocialAccount is a member's connected account on a network; tokens are
// sealed by the caller.
type SocialAccount struct {
	UserID, Network, OpenID       string
	DisplayName, AvatarURL        string
	AccessToken, RefreshToken     string // sealed
	AccessExpires, RefreshExpires time.Time
	Scopes                        []string
	Status                        string
	ConnectedAt, UpdatedAt        time.Time
}

const accountCols = "user_id, network, open_id, display_name, avatar_url, access_token, refresh_token, access_expires_at, refresh_expires_at, scopes, status, connected_at, updated_at"

func scanAccount(row rowScanner) (SocialAccount, error) {
	var a SocialAccount
	var ae, re, ca, ua int64
	var scopes string
	err := row.Scan(&a.UserID, &a.Network, &a.OpenID, &a.DisplayName, &a.AvatarURL, &a.AccessToken, &a.RefreshToken, &ae, &re, &scopes, &a.Status, &ca, &ua)
	a.AccessExpires, a.RefreshExpires, a.ConnectedAt, a.UpdatedAt = fromMS(ae), fromMS(re), fromMS(ca), fromMS(ua)
	if scopes != "" {
		a.Scopes = strings.Split(scopes, ",")
	}
	return a, err
}

// SaveAccount creates or replaces a member's account on a network.
func (s *Store) SaveAccount(ctx context.Context, a SocialAccount) error {
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO social_accounts (`+accountCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, network) DO UPDATE SET open_id = excluded.open_id, display_name = excluded.display_name, avatar_url = excluded.avatar_url,
		access_token = excluded.access_token, refresh_token = excluded.refresh_token, access_expires_at = excluded.access_expires_at,
		refresh_expires_at = excluded.refresh_expires_at, scopes = excluded.scopes, status = excluded.status,
		connected_at = excluded.connected_at, updated_at = excluded.updated_at`),
		a.UserID, a.Network, a.OpenID, a.DisplayName, a.AvatarURL, a.AccessToken, a.RefreshToken, ms(a.AccessExpires), ms(a.RefreshExpires),
		strings.Join(a.Scopes, ","), a.Status, ms(a.ConnectedAt), ms(a.UpdatedAt))
	return wrap("SaveAccount", err)
}

// UpdateAccountTokens keeps refreshed (rotated) tokens.
func (s *Store) UpdateAccountTokens(ctx context.Context, a SocialAccount) error {
	res, err := s.w.ExecContext(ctx, s.q(`UPDATE social_accounts SET access_token = ?, refresh_token = ?, access_expires_at = ?, refresh_expires_at = ?, status = ?, updated_at = ?
		WHERE user_id = ? AND network = ?`), a.AccessToken, a.RefreshToken, ms(a.AccessExpires), ms(a.RefreshExpires), a.Status, ms(a.UpdatedAt), a.UserID, a.Network)
	return wrap("UpdateAccountTokens", mustAffect(res, err, "account"))
}

// SetAccountStatus marks an account (e.g. reconnect needed).
func (s *Store) SetAccountStatus(ctx context.Context, userID, network, status string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, s.q("UPDATE social_accounts SET status = ?, updated_at = ? WHERE user_id = ? AND network = ?"), status, ms(at), userID, network)
	return wrap("SetAccountStatus", err)
}

// Account returns a member's account on a network.
func (s *Store) Account(ctx context.Context, userID, network string) (SocialAccount, error) {
	a, err := scanAccount(s.r.QueryRowContext(ctx, s.q("SELECT "+accountCols+" FROM social_accounts WHERE user_id = ? AND network = ?"), userID, network))
	return a, wrap("Account", translate(err, "account"))
}

// Accounts lists a member's accounts.
func (s *Store) Accounts(ctx context.Context, userID string) ([]SocialAccount, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT "+accountCols+" FROM social_accounts WHERE user_id = ? ORDER BY network"), userID)
	if err != nil {
		return nil, wrap("Accounts", err)
	}
	defer rows.Close()
	out := []SocialAccount{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, wrap("Accounts", err)
		}
		out = append(out, a)
	}
	return out, wrap("Accounts", rows.Err())
}

// DeleteAccount forgets a member's account.
func (s *Store) DeleteAccount(ctx context.Context, userID, network string) error {
	_, err := s.w.ExecContext(ctx, s.q("DELETE FROM social_accounts WHERE user_id = ? AND network = ?"), userID, network)
	return wrap("DeleteAccount", err)
}

// SaveOAuthState remembers a consent in progress.
func (s *Store) SaveOAuthState(ctx context.Context, nonce, userID, verifier string, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, s.q("INSERT INTO oauth_states (nonce, user_id, code_verifier, expires_at) VALUES (?, ?, ?, ?)"), nonce, userID, verifier, ms(expires))
	return wrap("SaveOAuthState", err)
}

// BindOAuthState ties a consent in progress to the browser that opened it:
// binding is the hash of a secret kept in that browser's cookie. A consent
// is bound once, before it expires. It returns the PKCE verifier.
func (s *Store) BindOAuthState(ctx context.Context, nonce, userID, binding string, now time.Time) (string, error) {
	var verifier string
	err := s.w.QueryRowContext(ctx, s.q("UPDATE oauth_states SET binding = ? WHERE nonce = ? AND user_id = ? AND binding = '' AND expires_at > ? RETURNING code_verifier"),
		binding, nonce, userID, ms(now)).Scan(&verifier)
	return verifier, wrap("BindOAuthState", translate(err, "sign-in attempt"))
}

// ErrOAuthOtherBrowser is returned by TakeOAuthState when the consent was
// not started in the browser that finished it.
var ErrOAuthOtherBrowser = errors.New("the consent was started in another browser")

// TakeOAuthState returns and deletes a consent's verifier: a state works
// once. The consent must have been bound to binding (BindOAuthState), else
// it is deleted all the same and ErrOAuthOtherBrowser returned.
func (s *Store) TakeOAuthState(ctx context.Context, nonce, userID, binding string, now time.Time) (string, error) {
	var verifier, bound string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var exp int64
		err := tx.QueryRowContext(ctx, s.q("SELECT code_verifier, expires_at, binding FROM oauth_states WHERE nonce = ? AND user_id = ?"), nonce, userID).Scan(&verifier, &exp, &bound)
		if err != nil {
			return translate(err, "sign-in attempt")
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM oauth_states WHERE nonce = ? OR expires_at < ?"), nonce, ms(now)); err != nil {
			return err
		}
		if exp <= ms(now) {
			return domain.NotFound("sign-in attempt")
		}
		return nil
	})
	if err != nil {
		return "", wrap("TakeOAuthState", err)
	}
	if bound == "" || binding == "" || subtle.ConstantTimeCompare([]byte(bound), []byte(binding)) != 1 {
		return "", wrap("TakeOAuthState", ErrOAuthOtherBrowser)
	}
	return verifier, nil
}

// Staging is the progress of staging one member's TikTok video.
type Staging struct {
	ActivityID, UserID, ProgramID string
	Status                        string
	PublishID, UploadURL          string
	ChunkSize                     int64
	TotalChunks                   int
	UploadedBytes                 int64
	FailCode, FailReason          string
	CreatedAt, UpdatedAt          time.Time
}

const stagingCols = "activity_id, user_id, program_id, status, publish_id, upload_url, chunk_size, total_chunks, uploaded_bytes, fail_code, fail_reason, created_at, updated_at"

func scanStaging(row rowScanner) (Staging, error) {
	var st Staging
	var ca, ua int64
	err := row.Scan(&st.ActivityID, &st.UserID, &st.ProgramID, &st.Status, &st.PublishID, &st.UploadURL, &st.ChunkSize, &st.TotalChunks,
		&st.UploadedBytes, &st.FailCode, &st.FailReason, &ca, &ua)
	st.CreatedAt, st.UpdatedAt = fromMS(ca), fromMS(ua)
	return st, err
}

// Staging returns one staging.
func (s *Store) Staging(ctx context.Context, activityID, userID string) (Staging, error) {
	st, err := scanStaging(s.r.QueryRowContext(ctx, s.q("SELECT "+stagingCols+" FROM tiktok_stagings WHERE activity_id = ? AND user_id = ?"), activityID, userID))
	return st, wrap("Staging", translate(err, "staging"))
}

// Stagings lists an activity's stagings (reports).
func (s *Store) Stagings(ctx context.Context, programID, activityID string) ([]Staging, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT "+stagingCols+" FROM tiktok_stagings WHERE program_id = ? AND activity_id = ?"), programID, activityID)
	if err != nil {
		return nil, wrap("Stagings", err)
	}
	defer rows.Close()
	var out []Staging
	for rows.Next() {
		st, err := scanStaging(rows)
		if err != nil {
			return nil, wrap("Stagings", err)
		}
		out = append(out, st)
	}
	return out, wrap("Stagings", rows.Err())
}

// SaveStaging writes a staging's progress, and queues the jobs it causes
// (the push telling the member how it ended) in the same transaction.
func (s *Store) SaveStaging(ctx context.Context, st Staging, jobs ...NewJob) error {
	const q = `UPDATE tiktok_stagings SET status = ?, publish_id = ?, upload_url = ?, chunk_size = ?, total_chunks = ?,
		uploaded_bytes = ?, fail_code = ?, fail_reason = ?, updated_at = ? WHERE activity_id = ? AND user_id = ?`
	args := []any{st.Status, st.PublishID, st.UploadURL, st.ChunkSize, st.TotalChunks, st.UploadedBytes, st.FailCode, st.FailReason, ms(st.UpdatedAt), st.ActivityID, st.UserID}
	if len(jobs) == 0 {
		res, err := s.w.ExecContext(ctx, s.q(q), args...)
		if err == nil {
			s.touched(s.w, st.UserID)
		}
		return wrap("SaveStaging", mustAffect(res, err, "staging"))
	}
	return wrap("SaveStaging", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(q), args...)
		if err := mustAffect(res, err, "staging"); err != nil {
			return err
		}
		s.touched(tx, st.UserID)
		return enqueueAll(ctx, s, tx, jobs)
	}))
}

// RestartStaging resets a failed staging and queues it again, in one
// transaction; it refuses a staging that is not failed.
func (s *Store) RestartStaging(ctx context.Context, activityID, userID string, now time.Time, job NewJob) error {
	return wrap("RestartStaging", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE tiktok_stagings SET status = 'pending', publish_id = '', upload_url = '', chunk_size = 0, total_chunks = 0,
			uploaded_bytes = 0, fail_code = '', fail_reason = '', updated_at = ? WHERE activity_id = ? AND user_id = ? AND status = 'failed'`), ms(now), activityID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.CodeConflict, "only a failed staging can be retried")
		}
		s.touched(tx, userID)
		return enqueue(ctx, s, tx, job)
	}))
}

func insertStaging(ctx context.Context, s *Store, tx *sql.Tx, programID, activityID, userID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO tiktok_stagings (activity_id, user_id, program_id, status, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)
		ON CONFLICT (activity_id, user_id) DO NOTHING`), activityID, userID, programID, ms(now), ms(now))
	if err == nil {
		s.touched(tx, userID)
	}
	return err
}
