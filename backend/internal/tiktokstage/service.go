// Package tiktokstage connects members' TikTok accounts and stages TikTok
// activities' videos in their TikTok inboxes: a durable job per member and
// activity that initialises the inbox upload, sends the chunks and follows
// TikTok's processing to the end. Its progress is saved after every step, so
// a retry or a restart continues the same upload instead of starting another.
package tiktokstage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/secret"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktok"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// JobKind is the kind of staging jobs.
const JobKind = "tiktok.stage"

// Network is the social_accounts network name.
const Network = "tiktok"

// Media is a stored video, read in ranges.
type Media interface {
	io.ReaderAt
	io.Closer
	Size() int64
	ContentType() string
}

// MediaSource opens a program's stored media.
type MediaSource interface {
	OpenMedia(ctx context.Context, programID, mediaID string) (Media, error)
}

// Notifier tells the member how staging ended: pushes through jobs queued
// in the transaction that records the end (so a crash never loses one),
// then a live event to their open apps.
type Notifier interface {
	TikTokStatusJobs(programID, activityID, userID string, staged bool, reason string) []store.NewJob
	Event(ctx context.Context, userID, kind string, data any)
}

// Service is TikTok for Chorus.
type Service struct {
	st     *store.Store
	keys   *secret.Keys
	client atomic.Pointer[tiktok.Client]
	media  MediaSource
	notify Notifier
	log    *slog.Logger
	// PollEvery is the wait between status checks while TikTok processes;
	// TikTok allows 30 status requests a minute per member.
	PollEvery time.Duration
	Now       func() time.Time
}

// New makes the service.
func New(st *store.Store, keys *secret.Keys, c *tiktok.Client, media MediaSource, n Notifier, log *slog.Logger) *Service {
	s := &Service{st: st, keys: keys, media: media, notify: n, log: log, PollEvery: 5 * time.Second, Now: time.Now}
	s.client.Store(c)
	return s
}

// SetClient replaces the TikTok client (new credentials from a config reload).
func (s *Service) SetClient(c *tiktok.Client) { s.client.Store(c) }

func (s *Service) api() *tiktok.Client { return s.client.Load() }

// StartConnect begins a member's consent and returns its signed state. The
// member's browser opens our start link with it (BindBrowser), which binds
// the consent to that browser and sends it on to TikTok.
func (s *Service) StartConnect(ctx context.Context, userID string) (string, error) {
	verifier, _ := tiktok.NewPKCE()
	now := s.Now()
	nonce := domain.NewID("st")
	state := tiktok.SignState(s.keys.StateKey(), tiktok.StateData{UserID: userID, Nonce: nonce}, now)
	if err := s.st.SaveOAuthState(ctx, nonce, userID, verifier, now.Add(tiktok.StateTTL)); err != nil {
		return "", err
	}
	return state, nil
}

// BindBrowser binds a started consent to the browser that opened the start
// link, once: it returns TikTok's authorize URL to send the browser to and
// the secret to keep in that browser's cookie, which the callback must bring
// back (FinishConnect).
func (s *Service) BindBrowser(ctx context.Context, rawState, redirectURI string) (authorizeURL, browserKey string, err error) {
	now := s.Now()
	data, err := tiktok.VerifyState(s.keys.StateKey(), rawState, now)
	if err != nil {
		return "", "", &ConnectError{"This connection link has expired or was already used. Go back to Chorus and connect again."}
	}
	browserKey = rand.Text()
	verifier, err := s.st.BindOAuthState(ctx, data.Nonce, data.UserID, browserBinding(browserKey), now)
	if isNotFound(err) {
		return "", "", &ConnectError{"This connection link has expired or was already used. Go back to Chorus and connect again."}
	}
	if err != nil {
		return "", "", err
	}
	return s.api().AuthorizeURL(rawState, redirectURI, tiktok.ChallengeS256(verifier)), browserKey, nil
}

// browserBinding is what is stored of a browser's key.
func browserBinding(key string) string {
	sum := sha256.Sum256([]byte("chorus tiktok browser:" + key))
	return hex.EncodeToString(sum[:])
}

// ConnectError is a connect failure with a message for the member.
type ConnectError struct{ Message string }

func (e *ConnectError) Error() string { return e.Message }

// ErrOtherBrowser is the ConnectError of a callback in a browser that did
// not start the consent: nothing is linked.
var ErrOtherBrowser = &ConnectError{"This TikTok connection was started in another browser, so nothing was linked. " +
	"If you want to connect your own TikTok account, open Chorus, choose Connect TikTok and finish in the browser it opens."}

// FinishConnect handles TikTok's redirect back: checks the state (signed,
// unexpired, used once, started in this browser: browserKey is the secret
// from its cookie), exchanges the code with the PKCE verifier, reads the
// profile and keeps the sealed tokens. It returns the member's id.
func (s *Service) FinishConnect(ctx context.Context, q url.Values, browserKey, redirectURI string) (string, error) {
	now := s.Now()
	code, rawState, err := tiktok.ParseCallback(q)
	if err != nil {
		if errors.Is(err, tiktok.ErrAccessDenied) {
			return "", &ConnectError{"You did not allow Chorus to use your TikTok account. Go back to Chorus and try again when you are ready."}
		}
		return "", &ConnectError{"TikTok did not complete the connection. Go back to Chorus and try again."}
	}
	data, err := tiktok.VerifyState(s.keys.StateKey(), rawState, now)
	if err != nil {
		return "", &ConnectError{"This connection link has expired or was already used. Go back to Chorus and connect again."}
	}
	binding := ""
	if browserKey != "" {
		binding = browserBinding(browserKey)
	}
	verifier, err := s.st.TakeOAuthState(ctx, data.Nonce, data.UserID, binding, now)
	if errors.Is(err, store.ErrOAuthOtherBrowser) {
		s.log.Warn("tiktok callback from a browser that did not start the consent", "user", data.UserID)
		return "", ErrOtherBrowser
	}
	if err != nil {
		return "", &ConnectError{"This connection link has expired or was already used. Go back to Chorus and connect again."}
	}
	tok, err := s.api().ExchangeCode(ctx, code, redirectURI, verifier)
	if err != nil {
		s.log.Warn("tiktok code exchange", "err", err)
		return "", &ConnectError{"TikTok did not accept the connection: " + tiktok.UserMessage(err)}
	}
	if missing := tok.MissingScopes(); len(missing) > 0 {
		return "", &ConnectError{"Chorus needs permission to upload videos to your TikTok inbox. Connect again and leave every permission ticked."}
	}
	user, err := s.api().UserInfo(ctx, tok.AccessToken)
	if err != nil {
		s.log.Warn("tiktok user info", "err", err)
		user = tiktok.User{OpenID: tok.OpenID}
	}
	acct := store.SocialAccount{UserID: data.UserID, Network: Network, OpenID: tok.OpenID, DisplayName: user.DisplayName, AvatarURL: user.AvatarURL,
		AccessToken: s.keys.Seal(tok.AccessToken), RefreshToken: s.keys.Seal(tok.RefreshToken),
		AccessExpires: tok.ExpiresAt, RefreshExpires: tok.RefreshExpiresAt, Scopes: tok.Scopes,
		Status: store.AccountConnected, ConnectedAt: now, UpdatedAt: now}
	if err := s.st.SaveAccount(ctx, acct); err != nil {
		return "", err
	}
	s.notify.Event(ctx, data.UserID, wire.EventTikTokConnected, wire.TikTokConnected{DisplayName: user.DisplayName})
	return data.UserID, nil
}

// Connected reports whether a member can stage videos now.
func (s *Service) Connected(ctx context.Context, userID string) (bool, error) {
	a, err := s.st.Account(ctx, userID, Network)
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, err
	}
	return a.Status == store.AccountConnected, nil
}

// Disconnect revokes the grant at TikTok (best effort) and forgets it.
func (s *Service) Disconnect(ctx context.Context, userID string) error {
	a, err := s.st.Account(ctx, userID, Network)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if tok, err := s.keys.Open(a.AccessToken); err == nil {
		if err := s.api().Revoke(ctx, tok); err != nil {
			s.log.Warn("tiktok revoke", "err", err)
		}
	}
	return s.st.DeleteAccount(ctx, userID, Network)
}

type payload struct {
	ProgramID, ActivityID, UserID string
}

// Job is the staging job for a member's perform of an activity.
func Job(programID, activityID, userID string, at time.Time) store.NewJob {
	b, _ := json.Marshal(payload{programID, activityID, userID})
	// Polling TikTok's processing counts attempts too: allow enough of them.
	return store.NewJob{Kind: JobKind, Payload: string(b), RunAt: at, MaxAttempts: 200, DedupeKey: "tiktok:" + activityID + ":" + userID}
}

// Retry queues a failed staging again.
func (s *Service) Retry(ctx context.Context, programID, activityID, userID string) error {
	return s.st.RestartStaging(ctx, activityID, userID, s.Now(), Job(programID, activityID, userID, s.Now()))
}

func isNotFound(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.CodeNotFound
}

var errProcessing = errors.New("TikTok is still processing the video")

// Handle is the job handler: one step, or several, of a staging.
func (s *Service) Handle(ctx context.Context, j store.Job) error {
	var p payload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	st, err := s.st.Staging(ctx, p.ActivityID, p.UserID)
	if isNotFound(err) {
		return nil // the activity or member is gone
	}
	if err != nil {
		return err
	}
	if st.Status == wire.StagingStaged || st.Status == wire.StagingFailed {
		return nil
	}
	acct, err := s.st.Account(ctx, p.UserID, Network)
	if isNotFound(err) {
		return s.fail(ctx, &st, "not_connected", "Connect your TikTok account in Chorus, then retry.")
	}
	if err != nil {
		return err
	}
	token, err := s.accessToken(ctx, &acct)
	if err != nil {
		return s.failOrRetry(ctx, &st, &acct, err)
	}
	for {
		var err error
		switch st.Status {
		case wire.StagingPending:
			err = s.initUpload(ctx, &st, token)
		case wire.StagingUploading:
			err = s.upload(ctx, &st)
		case wire.StagingProcessing:
			return s.poll(ctx, &st, token, &acct)
		default:
			return jobs.Permanent(fmt.Errorf("staging in unknown state %q", st.Status))
		}
		if err != nil {
			return s.failOrRetry(ctx, &st, &acct, err)
		}
	}
}

// accessToken returns a usable access token, refreshing it (and keeping the
// rotated refresh token) when it is about to expire.
func (s *Service) accessToken(ctx context.Context, a *store.SocialAccount) (string, error) {
	if a.Status != store.AccountConnected {
		return "", &refusal{code: "reconnect_needed", msg: "Reconnect your TikTok account in Chorus, then retry."}
	}
	now := s.Now()
	if now.Add(5 * time.Minute).Before(a.AccessExpires) {
		return s.keys.Open(a.AccessToken)
	}
	refresh, err := s.keys.Open(a.RefreshToken)
	if err != nil {
		return "", err
	}
	tok, err := s.api().Refresh(ctx, refresh)
	if err != nil {
		if tiktok.NeedsReconnect(err) {
			_ = s.st.SetAccountStatus(ctx, a.UserID, Network, store.AccountReconnectNeeded, now)
			a.Status = store.AccountReconnectNeeded
			return "", &refusal{code: "reconnect_needed", msg: "Your TikTok connection has expired. Reconnect TikTok in Chorus, then retry."}
		}
		return "", err
	}
	a.AccessToken, a.RefreshToken = s.keys.Seal(tok.AccessToken), s.keys.Seal(tok.RefreshToken)
	a.AccessExpires, a.RefreshExpires, a.UpdatedAt = tok.ExpiresAt, tok.RefreshExpiresAt, now
	if err := s.st.UpdateAccountTokens(ctx, *a); err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// refusal is a final answer for the member.
type refusal struct{ code, msg string }

func (r *refusal) Error() string { return r.msg }

func (s *Service) openMedia(ctx context.Context, st *store.Staging) (Media, error) {
	a, err := s.st.Activity(ctx, st.ProgramID, st.ActivityID)
	if err != nil {
		return nil, err
	}
	m, err := s.media.OpenMedia(ctx, st.ProgramID, a.MediaID)
	if isNotFound(err) {
		return nil, &refusal{code: "media_missing", msg: "The activity's video is missing; ask your manager to fix the activity."}
	}
	return m, err
}

func (s *Service) initUpload(ctx context.Context, st *store.Staging, token string) error {
	m, err := s.openMedia(ctx, st)
	if err != nil {
		return err
	}
	size := m.Size()
	m.Close()
	plan, err := tiktok.PlanChunks(size)
	if err != nil {
		return &refusal{code: "too_large", msg: "The video is too large for TikTok."}
	}
	publishID, uploadURL, err := s.api().InitInboxUpload(ctx, token, size, plan)
	if err != nil {
		return err
	}
	// Saved before the first chunk: from here on a retry continues this
	// upload and never initialises a second one.
	st.Status, st.PublishID, st.UploadURL = wire.StagingUploading, publishID, uploadURL
	st.ChunkSize, st.TotalChunks, st.UploadedBytes = plan.ChunkSize, plan.TotalChunks, 0
	return s.save(ctx, st)
}

func (s *Service) upload(ctx context.Context, st *store.Staging) error {
	m, err := s.openMedia(ctx, st)
	if err != nil {
		return err
	}
	defer m.Close()
	plan := tiktok.ChunkPlan{ChunkSize: st.ChunkSize, TotalChunks: st.TotalChunks}
	for {
		rg, ok := plan.Next(m.Size(), st.UploadedBytes)
		if !ok {
			break
		}
		if err := s.api().UploadChunk(ctx, st.UploadURL, m, m.Size(), rg, m.ContentType()); err != nil {
			return err
		}
		st.UploadedBytes = rg.Last + 1
		if err := s.save(ctx, st); err != nil {
			return err
		}
	}
	st.Status = wire.StagingProcessing
	return s.save(ctx, st)
}

func (s *Service) poll(ctx context.Context, st *store.Staging, token string, acct *store.SocialAccount) error {
	status, err := s.api().FetchStatus(ctx, token, st.PublishID)
	if err != nil {
		return s.failOrRetry(ctx, st, acct, err)
	}
	switch {
	case status.Staged():
		st.Status = wire.StagingStaged
		return s.finish(ctx, st, true, "")
	case status.State == tiktok.StateFailed:
		return s.fail(ctx, st, status.FailReason, tiktok.FailReasonMessage(status.FailReason))
	}
	return jobs.RetryAfter(s.PollEvery, errProcessing)
}

// failOrRetry decides what an error means for the staging: wait and retry
// (rate limits, TikTok or network trouble), refresh and retry (expired
// token), or end it with a message for the member.
func (s *Service) failOrRetry(ctx context.Context, st *store.Staging, acct *store.SocialAccount, err error) error {
	var ref *refusal
	switch {
	case errors.As(err, &ref):
		return s.fail(ctx, st, ref.code, ref.msg)
	case tiktok.IsTokenInvalid(err) && !tiktok.NeedsReconnect(err):
		// Force a refresh on the next run.
		acct.AccessExpires, acct.UpdatedAt = s.Now(), s.Now()
		if uerr := s.st.UpdateAccountTokens(ctx, *acct); uerr != nil {
			return uerr
		}
		return jobs.RetryAfter(0, err)
	case tiktok.NeedsReconnect(err):
		_ = s.st.SetAccountStatus(ctx, acct.UserID, Network, store.AccountReconnectNeeded, s.Now())
		return s.fail(ctx, st, "reconnect_needed", "Reconnect your TikTok account in Chorus, then retry.")
	}
	if d, ok := tiktok.IsRateLimited(err); ok {
		return jobs.RetryAfter(d, err)
	}
	if tiktok.Retryable(err) {
		return err
	}
	var api *tiktok.APIError
	code := "refused"
	if errors.As(err, &api) {
		code = api.Code
	}
	return s.fail(ctx, st, code, tiktok.UserMessage(err))
}

func (s *Service) fail(ctx context.Context, st *store.Staging, code, reason string) error {
	st.Status, st.FailCode, st.FailReason = wire.StagingFailed, code, reason
	return s.finish(ctx, st, false, reason)
}

func (s *Service) save(ctx context.Context, st *store.Staging) error {
	st.UpdatedAt = s.Now()
	return s.st.SaveStaging(ctx, *st)
}

// finish records how a staging ended together with the push that tells the
// member, in one transaction, then tells their open apps.
func (s *Service) finish(ctx context.Context, st *store.Staging, staged bool, reason string) error {
	st.UpdatedAt = s.Now()
	if err := s.st.SaveStaging(ctx, *st, s.notify.TikTokStatusJobs(st.ProgramID, st.ActivityID, st.UserID, staged, reason)...); err != nil {
		return err
	}
	s.notify.Event(ctx, st.UserID, wire.EventTikTokStatus, wire.TikTokStatus{ProgramID: st.ProgramID, ActivityID: st.ActivityID, Status: st.Status, FailReason: st.FailReason})
	return nil
}
