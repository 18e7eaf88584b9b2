// Package tiktoktest is a fake TikTok that speaks, over real HTTP on
// loopback, the endpoints Chorus uses: Login Kit's authorize page, the OAuth
// token and revoke endpoints, user info, and the Content Posting API's inbox
// upload (init, chunked PUT, status fetch). It enforces TikTok's documented
// rules (PKCE, single-use codes, refresh-token rotation, chunk restrictions,
// sequential Content-Range, per-token rate limits) so a client that breaks
// one fails here first, and it has switches to make TikTok refuse in each
// documented way.
//
// It is a normal package because `chorus-server serve --demo` runs it. It
// deliberately shares no code or constants with package tiktok: the rules
// are written out a second time, from the same doc pages, so a mistake in
// the client is not mirrored here.
package tiktoktest

import (
	"crypto/rand"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Endpoint names one of the fake's endpoints for faults, limits and counts.
type Endpoint string

// The endpoints. Token covers both the code exchange and refresh, as on
// TikTok, where both are POST /v2/oauth/token/.
const (
	Authorize Endpoint = "authorize"
	Token     Endpoint = "token"
	Revoke    Endpoint = "revoke"
	UserInfo  Endpoint = "user_info"
	Init      Endpoint = "init"
	Upload    Endpoint = "upload"
	Status    Endpoint = "status"
)

// Credentials the fake accepts unless WithCredentials says otherwise.
const (
	DefaultClientKey    = "chorus-fake-client-key"
	DefaultClientSecret = "chorus-fake-client-secret"
)

// Token lifetimes: expires_in as the older token-management page states
// (24 hours); refresh_expires_in 365 days, as the same page states.
const (
	AccessTokenTTL  = 24 * time.Hour
	RefreshTokenTTL = 365 * 24 * time.Hour
	codeTTL         = 10 * time.Minute
)

// Fault is a canned refusal for FailNext. Zero fields get defaults that fit
// Status: 429 → rate_limit_exceeded, 401 → access_token_invalid,
// 5xx → internal_error, other → invalid_params.
type Fault struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration
}

// Option configures New.
type Option func(*Server)

// WithLog receives one line per request the fake handled, in log/slog's
// key/value style, so a demo can pass logger.Info. It is called while the
// fake holds its lock: it must not call the Server's methods.
func WithLog(fn func(msg string, args ...any)) Option { return func(s *Server) { s.logFn = fn } }

// WithClock replaces time.Now, for tests of expiry and rate-limit windows.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithCredentials sets the client key and secret the fake accepts.
func WithCredentials(key, secret string) Option {
	return func(s *Server) { s.clientKey, s.clientSecret = key, secret }
}

// WithRedirectURIs registers the only redirect URIs the authorize page
// accepts, as TikTok's app settings do. Without it any static absolute
// http(s) URI is accepted, because the demo's port is not known in advance.
func WithRedirectURIs(uris ...string) Option {
	return func(s *Server) { s.redirectURIs = uris }
}

type limit struct {
	n      int
	window time.Duration
}

// Server is the fake. All methods are safe for concurrent use.
type Server struct {
	ts           *httptest.Server
	logFn        func(string, ...any)
	now          func() time.Time
	clientKey    string
	clientSecret string
	redirectURIs []string
	dir          string // temp files for large uploads

	mu           sync.Mutex
	logSeq       int
	userSeq      int
	publishSeq   int
	users        map[string]*user
	consentAs    string
	denyConsent  bool
	grantScopes  []string // nil: grant what was asked
	codes        map[string]*authCode
	access       map[string]*accessToken
	refresh      map[string]*refreshToken
	uploads      map[string]*upload
	faults       map[Endpoint][]Fault
	limits       map[Endpoint]limit
	hits         map[Endpoint]map[string][]time.Time
	calls        map[Endpoint]int
	inits        int
	refuseInit   string
	failAll      string
	statusPolls  int
	memThreshold int64
}

// New starts a fake TikTok on 127.0.0.1 with an ephemeral port.
func New(opts ...Option) *Server {
	s := &Server{
		now:          time.Now,
		clientKey:    DefaultClientKey,
		clientSecret: DefaultClientSecret,
		users:        map[string]*user{},
		codes:        map[string]*authCode{},
		access:       map[string]*accessToken{},
		refresh:      map[string]*refreshToken{},
		uploads:      map[string]*upload{},
		faults:       map[Endpoint][]Fault{},
		hits:         map[Endpoint]map[string][]time.Time{},
		calls:        map[Endpoint]int{},
		statusPolls:  1,
		memThreshold: 16 << 20,
		// Documented per-access-token limits: init 6/min (upload page),
		// status fetch 30/min (get-post-status page). user info: the Display
		// API's 600/min is per app and endpoint on TikTok; per token here is
		// looser than that and never hit by Chorus.
		limits: map[Endpoint]limit{
			Init:     {6, time.Minute},
			Status:   {30, time.Minute},
			UserInfo: {600, time.Minute},
		},
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/auth/authorize/", s.handleAuthorize)
	mux.HandleFunc("POST /v2/oauth/token/", s.handleToken)
	mux.HandleFunc("POST /v2/oauth/revoke/", s.handleRevoke)
	mux.HandleFunc("GET /v2/user/info/", s.handleUserInfo)
	mux.HandleFunc("POST /v2/post/publish/inbox/video/init/", s.handleInit)
	mux.HandleFunc("PUT /upload/{$}", s.handleUpload)
	mux.HandleFunc("POST /v2/post/publish/status/fetch/", s.handleStatus)
	mux.HandleFunc("GET /avatar/{id}", s.handleAvatar)
	s.ts = httptest.NewServer(mux)
	return s
}

// URL serves both the authorize page and the APIs: use it as AuthBaseURL
// and APIBaseURL.
func (s *Server) URL() string { return s.ts.URL }

// ClientKey is the client key the fake accepts.
func (s *Server) ClientKey() string { return s.clientKey }

// ClientSecret is the client secret the fake accepts.
func (s *Server) ClientSecret() string { return s.clientSecret }

// Close stops the server and deletes staged uploads kept on disk.
func (s *Server) Close() {
	s.ts.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.uploads {
		if u.file != nil {
			u.file.Close()
		}
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// --- switches -------------------------------------------------------------

// FailNext makes the next request to ep fail with f, before any validation.
// Several calls queue several faults, used in order.
func (s *Server) FailNext(ep Endpoint, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[ep] = append(s.faults[ep], f)
}

// ExpireAccessTokens makes every access token issued so far expire now, as
// if a day had passed; refresh tokens keep working.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.now().Add(-time.Second)
	for _, t := range s.access {
		t.expires = past
	}
}

// RefuseInit makes every init answer with code (e.g.
// "spam_risk_too_many_pending_share") until called with "".
func (s *Server) RefuseInit(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseInit = code
}

// FailStatus makes the status fetch of publishID report FAILED with reason.
// publishID "*" fails every upload not yet in the inbox, until called with
// reason "".
func (s *Server) FailStatus(publishID, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if publishID == "*" {
		s.failAll = reason
		return
	}
	if u := s.uploads[publishID]; u != nil {
		u.failReason = reason
	}
}

// DenyConsent makes the authorize page answer as if the member tapped
// Cancel: a redirect with error=access_denied.
func (s *Server) DenyConsent(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyConsent = deny
}

// GrantOnly makes later consents grant only these scopes (of those asked),
// as a member who unticks a box on TikTok's consent screen. No arguments
// restores granting everything asked.
func (s *Server) GrantOnly(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(scopes) == 0 {
		s.grantScopes = nil
		return
	}
	s.grantScopes = slices.Clone(scopes)
}

// ConsentAs makes later consents come from this TikTok account (registered
// with SetUser, or created bare). With "" each consent creates a new
// account, so every demo member gets their own TikTok identity.
func (s *Server) ConsentAs(openID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consentAs = openID
	if openID != "" && s.users[openID] == nil {
		s.users[openID] = &user{openID: openID, unionID: "union-" + openID, displayName: openID}
	}
}

// SetUser registers or updates a TikTok account.
func (s *Server) SetUser(openID, displayName, avatarURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[openID]
	if u == nil {
		u = &user{openID: openID, unionID: "union-" + openID}
		s.users[openID] = u
	}
	u.displayName, u.avatarURL = displayName, avatarURL
}

// SetRateLimit allows n requests per access token per window on ep;
// n <= 0 removes the limit. Tests shrink limits to reach them quickly.
func (s *Server) SetRateLimit(ep Endpoint, n int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		delete(s.limits, ep)
		return
	}
	s.limits[ep] = limit{n, window}
	delete(s.hits, ep)
}

// SetStatusPolls sets how many status fetches after the last chunk answer
// PROCESSING_DOWNLOAD before SEND_TO_USER_INBOX (default 1).
func (s *Server) SetStatusPolls(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statusPolls = max(n, 0)
}

// Publish simulates the member posting the staged draft in the TikTok app:
// later status fetches answer PUBLISH_COMPLETE.
func (s *Server) Publish(publishID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.uploads[publishID]; u != nil {
		u.published = true
	}
}

// --- what happened --------------------------------------------------------

// Calls counts requests to ep, refused ones included.
func (s *Server) Calls(ep Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[ep]
}

// InitCount counts successful inits, i.e. uploads created.
func (s *Server) InitCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inits
}

// PublishIDs lists the uploads created, oldest first.
func (s *Server) PublishIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.uploads))
	for id := range s.uploads {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return s.uploads[a].seq - s.uploads[b].seq })
	return ids
}

// Uploaded returns the bytes received so far for publishID (all of them
// once the last chunk is in), or nil for an unknown upload.
func (s *Server) Uploaded(publishID string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.uploads[publishID]
	if u == nil {
		return nil
	}
	if u.file == nil {
		return slices.Clone(u.mem[:u.received])
	}
	b := make([]byte, u.received)
	if _, err := u.file.ReadAt(b, 0); err != nil {
		return nil
	}
	return b
}

// UploadContentType is the Content-Type the chunks of publishID came with.
func (s *Server) UploadContentType(publishID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.uploads[publishID]; u != nil {
		return u.contentType
	}
	return ""
}

// --- helpers --------------------------------------------------------------

func (s *Server) log(msg string, args ...any) {
	if s.logFn != nil {
		s.logFn("tiktoktest: "+msg, args...)
	}
}

// logID mimics TikTok's timestamped log_id; callers hold s.mu.
func (s *Server) logID() string {
	s.logSeq++
	return fmt.Sprintf("%s%08d", s.now().UTC().Format("20060102150405"), s.logSeq)
}

// takeFault pops the next queued fault for ep and counts the call; callers
// hold s.mu.
func (s *Server) takeFault(ep Endpoint) (Fault, bool) {
	s.calls[ep]++
	q := s.faults[ep]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	s.faults[ep] = q[1:]
	if f.Status == 0 {
		f.Status = http.StatusInternalServerError
	}
	if f.Code == "" {
		switch {
		case f.Status == http.StatusTooManyRequests:
			f.Code = "rate_limit_exceeded"
		case f.Status == http.StatusUnauthorized:
			f.Code = "access_token_invalid"
		case f.Status >= 500:
			f.Code = "internal_error"
		default:
			f.Code = "invalid_params"
		}
	}
	if f.Message == "" {
		f.Message = "injected fault"
	}
	return f, true
}

// allow applies ep's sliding-window limit to key; callers hold s.mu. When
// refused it returns how long until the oldest request leaves the window.
func (s *Server) allow(ep Endpoint, key string) (time.Duration, bool) {
	l, ok := s.limits[ep]
	if !ok {
		return 0, true
	}
	now := s.now()
	if s.hits[ep] == nil {
		s.hits[ep] = map[string][]time.Time{}
	}
	hs := s.hits[ep][key]
	i := 0
	for i < len(hs) && !hs[i].After(now.Add(-l.window)) {
		i++
	}
	hs = hs[i:]
	if len(hs) >= l.n {
		s.hits[ep][key] = hs
		return hs[0].Add(l.window).Sub(now), false
	}
	s.hits[ep][key] = append(hs, now)
	return 0, true
}

func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d <= 0 {
		return
	}
	secs := int((d + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
}

func randomToken(prefix string) string { return prefix + rand.Text() }

func hasScope(scopes []string, want ...string) bool {
	for _, w := range want {
		if slices.Contains(scopes, w) {
			return true
		}
	}
	return false
}

// handleAvatar serves a small solid-colour PNG so the demo can show the
// connected account's avatar without reaching the internet.
func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var h uint32 = 2166136261
	for _, c := range []byte(id) {
		h = (h ^ uint32(c)) * 16777619
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	c := color.RGBA{R: uint8(h), G: uint8(h >> 8), B: uint8(h >> 16), A: 255}
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, c)
		}
	}
	w.Header().Set("Content-Type", "image/png")
	_ = png.Encode(w, img)
}

func trimBearer(h string) (string, bool) {
	const p = "Bearer "
	if len(h) <= len(p) || !strings.EqualFold(h[:len(p)], p) {
		return "", false
	}
	return strings.TrimSpace(h[len(p):]), true
}
