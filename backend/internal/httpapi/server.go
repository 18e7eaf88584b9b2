// Package httpapi serves the Chorus HTTP API (v1). Routes are declared once in
// routes.go; the mux, the authorization checks and the OpenAPI document are
// all made from that one table.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/links"
	"github.com/chorus-advocacy/chorus/backend/internal/mail"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktokstage"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// MaxBodyBytes caps JSON request bodies, unless their type's lists need
// more (bodyLimit).
const MaxBodyBytes = 1 << 20

// Options configure the API server.
type Options struct {
	Store     *store.Store
	Log       *slog.Logger
	PublicURL string
	Now       func() time.Time // for tests; time.Now by default
	// PasswordParams are argon2id costs; tests lower them.
	PasswordParams auth.Params
	SessionTTL     time.Duration
	InviteTTL      time.Duration
	// Failed logins allowed per account and per address before a pause.
	AccountFailures, AddressFailures int
	// Jobs runs durable background work (push, TikTok staging); handlers
	// register their kinds on it. Nil: the API enqueues nothing.
	Jobs *jobs.Runner
	// Notify tells members about changes: pushes and live events. Nil:
	// nobody is told.
	Notify Notifier
	// Events feeds GET /api/v1/events. Nil: streams carry heartbeats only.
	Events Events
	// EventHeartbeat is the idle event stream's comment interval
	// (DefaultHeartbeat).
	EventHeartbeat time.Duration
	// TikTok connects accounts and stages videos. Nil: TikTok activities
	// cannot be performed.
	TikTok *tiktokstage.Service
	// Media stores uploads and serves media; it also holds the media limits
	// and the link-preview settings. Nil: media routes answer 500.
	Media *media.Service
	// Clicks records tracked-link clicks. Nil: clicks are not counted.
	Clicks *links.Recorder
	// TrustedProxies are reverse proxies whose X-Forwarded-For names the
	// client; from anywhere else the connection's address is the client.
	TrustedProxies []netip.Prefix
	// BodyIdle is how long a request body may stall between reads
	// (DefaultBodyIdle).
	BodyIdle time.Duration
	// VisitorKey derives the daily salts of visitor hashes; the same on
	// every instance. Nil: a random key (uniques then count per instance).
	VisitorKey []byte
	// ShareKey derives share page tokens (/s/{token}) from their rows'
	// nonces; the same on every instance. Nil: a random key (links are then
	// made again, with new tokens, after a restart).
	ShareKey []byte
	// WebPushLoopback lets device registrations name Web Push endpoints on
	// this machine, over http too: where the fake push service of `serve
	// --demo` and of tests listens. Off (production), an endpoint must be
	// https on a public host.
	WebPushLoopback bool
	// PushConfig is what GET /api/v1/push/config answers: the push services
	// configured now (they are reloadable) and the VAPID public key. Nil:
	// every platform off.
	PushConfig func() client.PushConfig
	// Mail sends email (invitations, password resets, password-changed
	// notices) through durable jobs. Nil, or without Jobs: no email is
	// queued, and "Forgot password?" says the server sends none.
	Mail mail.Sender
	// MailSealer encrypts queued emails at rest (they carry invite codes
	// and reset tokens). Nil: they are stored as they are (tests).
	MailSealer Sealer
	// ResetsPerAddress and ResetsPerEmail bound "Forgot password?"
	// requests: a burst, then one per ResetInterval (defaults 20 per
	// address, 3 per email, 10 minutes).
	ResetsPerAddress, ResetsPerEmail int
	ResetInterval                    time.Duration
	// SSOSealer encrypts single sign-on client secrets and PKCE verifiers
	// at rest. Nil: single sign-on cannot be set up.
	SSOSealer Sealer
	// SSOLoopback lets a program's OpenID provider be on this machine over
	// http (tests, a provider beside the server); off, the issuer must be
	// https on a public host.
	SSOLoopback bool
	// SSOFromConfig is the program whose single sign-on the server's
	// configuration sets (CHORUS_SSO_*): its owners see it, not change it.
	SSOFromConfig string
}

// Notifier is what the API needs from push notifications and live events.
type Notifier interface {
	// ActivityJobs are the jobs that tell eligible members about a created
	// or edited activity when it goes live; they are queued in the
	// activity's own transaction.
	ActivityJobs(a domain.Activity) []store.NewJob
	// ActivitySaved is called after an activity is created, edited or
	// removed: open apps reload.
	ActivitySaved(ctx context.Context, a domain.Activity) error
	// HandoffJobs are the pushes that ask the member's phones to open an
	// activity; they are queued in the handoff's own transaction.
	HandoffJobs(programID, activityID, userID string) []store.NewJob
	// Event sends a live event to a person's open apps.
	Event(ctx context.Context, userID, kind string, data any)
}

// notify returns the notifier, or one that tells nobody.
func (s *Server) notify() Notifier {
	if s.o.Notify == nil {
		return nobody{}
	}
	return s.o.Notify
}

type nobody struct{}

func (nobody) ActivityJobs(domain.Activity) []store.NewJob          { return nil }
func (nobody) ActivitySaved(context.Context, domain.Activity) error { return nil }
func (nobody) HandoffJobs(string, string, string) []store.NewJob    { return nil }
func (nobody) Event(context.Context, string, string, any)           {}

// Server is the HTTP API.
type Server struct {
	o          Options
	store      *store.Store
	log        *slog.Logger
	now        func() time.Time
	accounts   *auth.Backoff
	addrs      *auth.Limiter
	hashes     *auth.Gate
	feeds      *feedCache
	caches     caches
	boards     boardCache
	linkCache  linkCache
	salts      visitorSalt
	visitorKey []byte
	shareKey   []byte
	routes     []route
	mux        *http.ServeMux
	streams    streams

	// "Forgot password?" limits, per client address and per email.
	resetAddrs, resetEmails *auth.Limiter
	// Single sign-on: providers by issuer, and starts per address.
	sso ssoProviders
}

// New builds the API server.
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PasswordParams == (auth.Params{}) {
		o.PasswordParams = auth.DefaultParams
	}
	if o.SessionTTL == 0 {
		o.SessionTTL = 30 * 24 * time.Hour
	}
	if o.InviteTTL == 0 {
		o.InviteTTL = 14 * 24 * time.Hour
	}
	if o.BodyIdle == 0 {
		o.BodyIdle = DefaultBodyIdle
	}
	if o.AccountFailures == 0 {
		o.AccountFailures = 10
	}
	if o.AddressFailures == 0 {
		o.AddressFailures = 50
	}
	s := &Server{
		o: o, store: o.Store, log: o.Log, now: o.Now,
		// An address gets its failures, then one try each 10 s; an account
		// gets its failures, then waits 2 s, 4 s, … at most a minute, so a
		// guesser on many addresses is slowed and the owner never locked out.
		accounts: auth.NewBackoff(o.AccountFailures, 2*time.Second, time.Minute),
		addrs:    auth.NewLimiter(10*time.Second, o.AddressFailures),
		// Hashing is CPU-bound: more at once than cores only adds heap.
		hashes: auth.NewGate(runtime.NumCPU(), 10*time.Second),
		feeds:  newFeedCache(),
		mux:    http.NewServeMux(),
	}
	s.boards.mine.max = maxKeptPoints
	if o.ResetsPerAddress == 0 {
		o.ResetsPerAddress = 20
	}
	if o.ResetsPerEmail == 0 {
		o.ResetsPerEmail = 3
	}
	if o.ResetInterval == 0 {
		o.ResetInterval = 10 * time.Minute
	}
	s.o = o
	s.resetAddrs = auth.NewLimiter(o.ResetInterval, o.ResetsPerAddress)
	s.resetEmails = auth.NewLimiter(o.ResetInterval, o.ResetsPerEmail)
	s.visitorKey = o.VisitorKey
	if s.visitorKey == nil {
		s.visitorKey = randomKey()
	}
	s.shareKey = o.ShareKey
	if s.shareKey == nil {
		s.shareKey = randomKey()
	}
	s.routes = s.routeTable()
	s.registerMediaJobs()
	s.registerMailJobs()
	for _, rt := range s.routes {
		pattern := rt.path
		if rt.pattern != "" {
			pattern = rt.pattern
		}
		s.mux.Handle(rt.method+" "+pattern, s.wrap(rt, pathNames(pattern)))
	}
	s.mux.HandleFunc("GET /api/v1/openapi.json", s.serveOpenAPI)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, domain.Errorf(domain.CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	return s
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return withBodyDeadlines(s.mux, s.o.BodyIdle) }

// Routes lists the API's routes (tests walk them all).
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, len(s.routes))
	for i, r := range s.routes {
		out[i] = RouteInfo{Method: r.method, Path: r.path, Access: r.access.String()}
	}
	return out
}

// RouteInfo describes one route.
type RouteInfo struct{ Method, Path, Access string }

// access says who may call a route.
type access int

const (
	public   access = iota
	signedIn        // any signed-in person
	member          // a member (or manager) of {pid}
	manager         // a manager or owner of {pid} (limited managers: scoped routes only)
	owner           // an owner of {pid}
)

func (a access) String() string {
	return [...]string{"public", "signed_in", "member", "manager", "owner"}[a]
}

// call is one request as handlers see it.
type call struct {
	ctx       context.Context
	now       time.Time // when the request arrived
	r         *http.Request
	w         http.ResponseWriter
	user      domain.User
	session   string // token hash
	programID string
	role      domain.Role
	scope     *domain.Scope // a limited manager's groups and channels
	audit     *store.AuditEntry
}

func (c *call) path(name string) string { return c.r.PathValue(name) }
func (c *call) query(name string) string {
	return strings.TrimSpace(c.r.URL.Query().Get(name))
}

// pathNames are the names of a mux pattern's path values.
func pathNames(pattern string) []string {
	var names []string
	for _, m := range pathParam.FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	return names
}

// wrap checks the path and query are text, then authenticates, authorizes,
// decodes, calls and encodes.
func (s *Server) wrap(rt route, pathNames []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if de := checkText(r, pathNames); de != nil {
			s.refuse(w, rt, de)
			return
		}
		// The clock is read once per request: every rule in it (a blank
		// start is "now", is it live?) sees the same instant.
		c := &call{ctx: r.Context(), r: r, w: w, now: s.now()}
		out, err := s.serve(c, rt)
		if errors.Is(err, errHandled) {
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if out == nil { // handler wrote the response itself
			return
		}
		writeJSON(w, rt.status, out)
	})
}

func (s *Server) serve(c *call, rt route) (any, error) {
	if rt.access >= signedIn {
		if err := s.authenticate(c); err != nil {
			return nil, err
		}
	}
	if rt.access >= member {
		c.programID = c.path("pid")
		m, err := s.membership(c)
		if err != nil {
			if isCode(err, domain.CodeNotFound) {
				return nil, domain.Errorf(domain.CodeForbidden, "you are not a member of this program")
			}
			return nil, err
		}
		c.role, c.scope = m.Role, m.Scope
		if err := authorize(c, rt); err != nil {
			return nil, err
		}
	}
	if rt.audit != "" {
		s.startAudit(c, rt)
		out, err := rt.serve(c)
		if err == nil || errors.Is(err, errHandled) {
			// A change not saved through a transaction that could carry
			// the entry (or a handler that wrote its own answer) is
			// recorded now, after it succeeded.
			if aerr := s.store.RecordAudit(c.ctx); aerr != nil {
				s.log.Error("audit log", "action", rt.audit, "err", aerr)
			}
		}
		return out, err
	}
	return rt.serve(c)
}

func (s *Server) authenticate(c *call) error {
	h := c.r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return domain.Errorf(domain.CodeUnauthorized, "sign in first")
	}
	c.session = auth.HashToken(strings.TrimSpace(token))
	now := c.now
	if u, ok := s.caches.sessions.get(c.session, now); ok {
		c.user = u
		return nil
	}
	u, err := s.store.SessionUser(c.ctx, c.session, now)
	if err != nil {
		if isCode(err, domain.CodeNotFound) {
			return domain.Errorf(domain.CodeUnauthorized, "your session has ended; sign in again")
		}
		return err
	}
	s.caches.sessions.put(c.session, u, now)
	c.user = u
	return nil
}

func (s *Server) membership(c *call) (domain.Membership, error) {
	k, now := memberKey{c.programID, c.user.ID}, c.now
	if m, ok := s.caches.memberships.get(k, now); ok {
		return m, nil
	}
	m, err := s.store.Membership(c.ctx, c.programID, c.user.ID)
	if err != nil {
		return m, err
	}
	if m.Role == domain.RoleManager {
		if m.Scope, err = s.store.ManagerScope(c.ctx, c.programID, c.user.ID); err != nil {
			return m, err
		}
	}
	s.caches.memberships.put(k, m, now)
	return m, nil
}

// statusOf maps error codes to HTTP statuses: the one table.
var statusOf = map[string]int{
	wire.CodeBadRequest:           http.StatusBadRequest,
	wire.CodeValidation:           http.StatusUnprocessableEntity,
	wire.CodeUnauthorized:         http.StatusUnauthorized,
	wire.CodeForbidden:            http.StatusForbidden,
	wire.CodeNotFound:             http.StatusNotFound,
	wire.CodeConflict:             http.StatusConflict,
	wire.CodeTooLarge:             http.StatusRequestEntityTooLarge,
	wire.CodeUnsupportedMedia:     http.StatusUnsupportedMediaType,
	wire.CodeRateLimited:          http.StatusTooManyRequests,
	wire.CodeInternal:             http.StatusInternalServerError,
	wire.CodeActivityNotStarted:   http.StatusConflict,
	wire.CodeActivityExpired:      http.StatusConflict,
	wire.CodeActivityRemoved:      http.StatusConflict,
	wire.CodeTikTokNotConnected:   http.StatusConflict,
	wire.CodeTikTokUnavailable:    http.StatusNotFound,
	wire.CodeLeaderboardDisabled:  http.StatusForbidden,
	wire.CodeRewardsDisabled:      http.StatusForbidden,
	wire.CodeSSORequired:          http.StatusForbidden,
	wire.CodeInsufficientPoints:   http.StatusConflict,
	wire.CodeOutOfStock:           http.StatusConflict,
	wire.CodeRewardUnavailable:    http.StatusConflict,
	wire.CodeMediaRefused:         http.StatusUnprocessableEntity,
	wire.CodeOffsetMismatch:       http.StatusConflict,
	wire.CodeUploadIncomplete:     http.StatusConflict,
	wire.CodeThumbnailUnavailable: http.StatusNotFound,
}

// StatusOf is the HTTP status for an error code (500 for unknown codes).
func StatusOf(code string) int {
	if st, ok := statusOf[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

func isCode(err error, code string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == code
}

// errHandled tells wrap that the handler wrote the response itself.
var errHandled = errors.New("response written by handler")

// retryAfter is attached to rate-limit errors.
type retryAfter struct {
	err   *domain.Error
	after time.Duration
}

func (r retryAfter) Error() string { return r.err.Error() }

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ra retryAfter
	if errors.As(err, &ra) {
		w.Header().Set("Retry-After", fmt.Sprint(int(ra.after.Seconds())+1))
		err = ra.err
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		// Only internal errors are logged: the rest are the caller's.
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		de = domain.Errorf(domain.CodeInternal, "something went wrong on the server; try again")
	}
	writeError(w, de)
}

func writeError(w http.ResponseWriter, de *domain.Error) {
	writeJSON(w, StatusOf(de.Code), client.ErrorBody{Error: client.Error{Code: de.Code, Message: de.Message, Fields: de.Fields}})
}

// writeJSON answers with v as JSON in one write with a Content-Length: a
// large body then leaves in one system call instead of many chunks.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	raw, ok := v.(rawJSON)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		raw = append(b, '\n')
	}
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

// rawJSON is a response already encoded.
type rawJSON []byte

// appendJSONString appends s as a JSON string, for answers assembled from
// parts already encoded (feed, leaderboard).
func appendJSONString(b []byte, s string) []byte {
	enc, _ := json.Marshal(s)
	return append(b, enc...)
}

// decode reads a JSON body of at most limit bytes into v with errors a
// person can act on.
func decode(r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return domain.Errorf(domain.CodeUnsupportedMedia, "send JSON with Content-Type: application/json")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return domain.Errorf(domain.CodeBadRequest, "could not read the request body")
	}
	if int64(len(body)) > limit {
		return domain.Errorf(domain.CodeTooLarge, "the request body is larger than %d MiB", (limit+(1<<20)-1)>>20)
	}
	// encoding/json would quietly turn bytes that are not UTF-8 into U+FFFD.
	if !utf8.Valid(body) {
		return domain.Errorf(domain.CodeBadRequest, "the body must be UTF-8 text")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return domain.Errorf(domain.CodeBadRequest, "the body must hold one JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return domain.Errorf(domain.CodeBadRequest, "the body must be a JSON object")
		}
		return &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention",
			Fields: map[string]string{field: "must be " + jsonKind(te.Type)}}
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return domain.Errorf(domain.CodeBadRequest, "the body is not valid JSON: %v", err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention",
			Fields: map[string]string{f: "is not a field of this request"}}
	}
	return domain.Errorf(domain.CodeBadRequest, "the body could not be read as JSON: %v", err)
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

// clientIP is the address a request came from: the connection's, or, when
// that is a trusted proxy, the last address in X-Forwarded-For that is not
// one (addresses further left are the client's own claims, never trusted).
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(s.o.TrustedProxies) == 0 || !s.trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break
		}
		if !s.trusted(hop) {
			return hop
		}
		host = hop
	}
	return host
}

func (s *Server) trusted(addr string) bool {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	for _, p := range s.o.TrustedProxies {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}
