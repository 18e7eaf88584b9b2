// Package fcmtest is a fake Firebase Cloud Messaging service on loopback:
// the OAuth 2.0 token endpoint of a Google service account (JWT bearer
// grant) and the FCM HTTP v1 messages:send method, with their error
// answers. Tests and `chorus-server serve --demo` point the fcm sender at it.
package fcmtest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chorus-advocacy/chorus/backend/internal/push/pushtest"
)

// Scope is the OAuth scope FCM requires.
const Scope = "https://www.googleapis.com/auth/firebase.messaging"

// Delivery is one message the fake accepted.
type Delivery struct {
	ProjectID string
	Token     string
	Title     string
	Body      string
	Data      map[string]string
	// Request is the request body as received: {"message": {...}}.
	Request json.RawMessage
	Name    string // projects/{p}/messages/{id}, as returned to the sender
	At      time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithLog calls fn for every accepted message, outside the server's lock.
func WithLog(fn func(Delivery)) Option { return func(s *Server) { s.rec.SetLog(fn) } }

// WithMaxRecorded bounds how many recent deliveries Deliveries returns, so a
// long-running demo or benchmark does not grow without end. n <= 0 keeps all.
func WithMaxRecorded(n int) Option { return func(s *Server) { s.rec.SetMax(n) } }

// WithTokenLifetime sets expires_in of issued access tokens (default 1h).
func WithTokenLifetime(d time.Duration) Option { return func(s *Server) { s.tokenLifetime = d } }

// Server is the fake. It is safe for concurrent use.
type Server struct {
	srv           *httptest.Server
	key           *rsa.PrivateKey
	keyID         string
	clientEmail   string
	tokenLifetime time.Duration
	rec           pushtest.Recorder[Delivery]
	faults        pushtest.Faults
	memo          atomic.Pointer[sendMemo]

	mu           sync.Mutex
	tokens       map[string]time.Time // access token → expiry
	grants       int
	unregistered map[string]bool
	seq          int
}

// New starts a fake on 127.0.0.1 with a fresh service-account key.
func New(opts ...Option) *Server {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("fcmtest: " + err.Error())
	}
	s := &Server{
		key:           key,
		keyID:         randomHex(20),
		clientEmail:   "chorus-push@fake-project.iam.gserviceaccount.com",
		tokenLifetime: time.Hour,
		tokens:        make(map[string]time.Time),
		unregistered:  make(map[string]bool),
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.handleToken)
	mux.HandleFunc("POST /v1/projects/{project}/messages:send", s.handleSend)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the base URL to use instead of https://fcm.googleapis.com.
func (s *Server) URL() string { return s.srv.URL }

// TokenURL is the fake's OAuth token endpoint.
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// ServiceAccountJSON returns credentials in the format of a downloaded
// Google service-account key, with token_uri pointing at the fake.
func (s *Server) ServiceAccountJSON(projectID string) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		panic("fcmtest: " + err.Error())
	}
	b, _ := json.MarshalIndent(map[string]string{
		"type":                        "service_account",
		"project_id":                  projectID,
		"private_key_id":              s.keyID,
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                s.clientEmail,
		"client_id":                   "100000000000000000000",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   s.TokenURL(),
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
	}, "", "  ")
	return b
}

// Deliveries returns the most recent accepted messages, oldest first.
func (s *Server) Deliveries() []Delivery { return s.rec.Deliveries() }

// Count is the number of messages accepted since start.
func (s *Server) Count() int { return s.rec.Count() }

// TokenGrants is the number of access tokens issued.
func (s *Server) TokenGrants() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants
}

// Unregister makes sends to token fail with 404 UNREGISTERED.
func (s *Server) Unregister(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unregistered[token] = true
}

// QuotaExceeded makes the next n sends fail with 429 QUOTA_EXCEEDED and a
// Retry-After header of retryAfter (whole seconds; omitted when zero).
func (s *Server) QuotaExceeded(n int, retryAfter time.Duration) { s.faults.TooMany(n, retryAfter) }

// Throttle makes every send to token fail with 429 QUOTA_EXCEEDED (the
// device message rate, which FCM limits per device) and a Retry-After of
// retryAfter (whole seconds; omitted when zero), until Unthrottle.
func (s *Server) Throttle(token string, retryAfter time.Duration) {
	s.faults.Throttle(token, retryAfter)
}

// Unthrottle ends Throttle for token.
func (s *Server) Unthrottle(token string) { s.faults.Unthrottle(token) }

// FailNext makes the next n sends fail with status (400, 401, 403, 404,
// 500, 503 …) and the FCM error code FCM uses for it.
func (s *Server) FailNext(n int, status int) { s.faults.FailNext(n, status) }

// ExpireAccessTokens invalidates every access token issued so far, as if
// they had expired or been revoked.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", "malformed form body")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		oauthError(w, "unsupported_grant_type", "Invalid grant_type: "+gt)
		return
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), claims,
		func(t *jwt.Token) (any, error) {
			if kid, _ := t.Header["kid"].(string); kid != "" && kid != s.keyID {
				return nil, fmt.Errorf("unknown key id %q", kid)
			}
			return &s.key.PublicKey, nil
		},
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience(s.TokenURL()),
		jwt.WithIssuer(s.clientEmail),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
	)
	if err != nil || !tok.Valid {
		oauthError(w, "invalid_grant", "Invalid JWT Signature or claims: "+errString(err))
		return
	}
	// Google refuses assertions valid for more than an hour.
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if iat == nil || exp.Sub(iat.Time) > time.Hour {
		oauthError(w, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
		return
	}
	scope, _ := claims["scope"].(string)
	if !hasScope(scope, Scope) {
		oauthError(w, "invalid_scope", "scope must include "+Scope)
		return
	}
	access := "ya29.fake-" + randomHex(24)
	s.mu.Lock()
	s.tokens[access] = time.Now().Add(s.tokenLifetime)
	s.grants++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": access,
		"expires_in":   int(s.tokenLifetime / time.Second),
		"token_type":   "Bearer",
	})
}

func hasScope(scopes, want string) bool {
	for _, sc := range strings.Fields(scopes) {
		if sc == want {
			return true
		}
	}
	return false
}

// The subset of the FCM v1 Message resource the fake understands. Unknown
// fields are refused, as FCM does ("Invalid JSON payload received. Unknown
// name"), so a typo in the sender cannot pass the tests.
type sendRequest struct {
	ValidateOnly bool         `json:"validate_only"`
	Message      *wireMessage `json:"message"`
}

type wireMessage struct {
	Name         string            `json:"name"`
	Token        string            `json:"token"`
	Topic        string            `json:"topic"`
	Condition    string            `json:"condition"`
	Notification *wireNotification `json:"notification"`
	Data         map[string]string `json:"data"`
	Android      *wireAndroid      `json:"android"`
	APNS         *wireAPNS         `json:"apns"`
	Webpush      json.RawMessage   `json:"webpush"`
	FCMOptions   json.RawMessage   `json:"fcm_options"`
}

type wireNotification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Image string `json:"image"`
}

type wireAndroid struct {
	CollapseKey           string                   `json:"collapse_key"`
	Priority              string                   `json:"priority"`
	TTL                   string                   `json:"ttl"`
	RestrictedPackageName string                   `json:"restricted_package_name"`
	Data                  map[string]string        `json:"data"`
	Notification          *wireAndroidNotification `json:"notification"`
	FCMOptions            json.RawMessage          `json:"fcm_options"`
	DirectBootOK          bool                     `json:"direct_boot_ok"`
}

// wireAndroidNotification is FCM's AndroidNotification, every field of it, so
// an unknown one is refused as FCM refuses it. Typed fields also spare the
// fake a map per request, which the fan-out benchmark would count.
type wireAndroidNotification struct {
	Title                 string          `json:"title"`
	Body                  string          `json:"body"`
	Icon                  string          `json:"icon"`
	Color                 string          `json:"color"`
	Sound                 string          `json:"sound"`
	Tag                   string          `json:"tag"`
	ClickAction           string          `json:"click_action"`
	BodyLocKey            string          `json:"body_loc_key"`
	BodyLocArgs           []string        `json:"body_loc_args"`
	TitleLocKey           string          `json:"title_loc_key"`
	TitleLocArgs          []string        `json:"title_loc_args"`
	ChannelID             string          `json:"channel_id"`
	Ticker                string          `json:"ticker"`
	Sticky                bool            `json:"sticky"`
	EventTime             string          `json:"event_time"`
	LocalOnly             bool            `json:"local_only"`
	NotificationPriority  string          `json:"notification_priority"`
	DefaultSound          bool            `json:"default_sound"`
	DefaultVibrateTimings bool            `json:"default_vibrate_timings"`
	DefaultLightSettings  bool            `json:"default_light_settings"`
	VibrateTimings        []string        `json:"vibrate_timings"`
	Visibility            string          `json:"visibility"`
	NotificationCount     int             `json:"notification_count"`
	LightSettings         json.RawMessage `json:"light_settings"`
	Image                 string          `json:"image"`
	BypassProxy           bool            `json:"bypass_proxy_notification"`
	Proxy                 string          `json:"proxy"`
}

type wireAPNS struct {
	Headers map[string]string `json:"headers"`
	// Payload is the APNs JSON, which may carry any custom keys beside
	// "aps": kept raw, and only its aps dictionary checked.
	Payload           json.RawMessage `json:"payload"`
	FCMOptions        json.RawMessage `json:"fcm_options"`
	LiveActivityToken string          `json:"live_activity_token"`
}

var ttlPattern = regexp.MustCompile(`^\d+(\.\d{1,9})?s$`)

func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	project := r.PathValue("project")
	access, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	exp, known := s.tokens[access]
	s.mu.Unlock()
	if !ok || !known || time.Now().After(exp) {
		fcmError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "",
			"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", 0)
		return
	}

	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		fcmError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "", "request body too large", 0)
		return
	}
	req, known := s.sameAsLast(raw)
	if !known {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			fcmError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "", "Invalid JSON payload received. "+err.Error(), 0)
			return
		}
		if msg := validate(req.Message); msg != "" {
			code := ""
			if strings.Contains(msg, "registration token") {
				code = "INVALID_ARGUMENT"
			}
			fcmError(w, http.StatusBadRequest, "INVALID_ARGUMENT", code, msg, 0)
			return
		}
		s.remember(raw, req)
	}
	m := req.Message

	switch f := s.faults.Next(m.Token); f.Kind {
	case pushtest.Fail:
		failWith(w, f.Status)
		return
	case pushtest.TooMany:
		fcmError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED",
			"Quota exceeded for quota metric 'Send requests'.", f.RetryAfter)
		return
	case pushtest.Throttled:
		fcmError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED",
			"Device message rate exceeded.", f.RetryAfter)
		return
	}
	s.mu.Lock()
	switch {
	case s.unregistered[m.Token]:
		s.mu.Unlock()
		fcmError(w, http.StatusNotFound, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.", 0)
		return
	}
	if req.ValidateOnly {
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"name": "projects/" + project + "/messages/fake_message_id"})
		return
	}
	s.seq++
	d := Delivery{
		ProjectID: project,
		Token:     m.Token,
		Data:      m.Data,
		Request:   raw,
		Name:      "projects/" + project + "/messages/0:" + strconv.Itoa(s.seq),
		At:        time.Now(),
	}
	if m.Notification != nil {
		d.Title, d.Body = m.Notification.Title, m.Notification.Body
	}
	s.mu.Unlock()
	s.rec.Record(d)
	// What writeJSON would write, without a map and an encoder per message.
	w.Header()["Content-Type"] = []string{"application/json; charset=UTF-8"}
	name, _ := json.Marshal(d.Name)
	w.Write(append(append([]byte(`{"name":`), name...), "}\n"...))
}

// sendMemo is the last valid request, decoded, and its body after the
// token. A fan-out sends one message to many tokens: the bodies differ in
// the token only, and decoding each again would make the fake, which shares
// the machine with the server in the benchmark, the larger part of the
// cost measured.
type sendMemo struct {
	rest []byte
	req  sendRequest
}

// tokenPrefix is how the fcm sender begins a body.
const tokenPrefix = `{"message":{"token":"`

// splitToken returns the token of a body that begins as the fcm sender's
// do, and what follows it; ok is false for any other body and for tokens
// JSON would have to unescape or refuse, which are decoded in full.
func splitToken(raw []byte) (token string, rest []byte, ok bool) {
	body, found := bytes.CutPrefix(raw, []byte(tokenPrefix))
	if !found {
		return "", nil, false
	}
	end := bytes.IndexByte(body, '"')
	if end <= 0 || !utf8.Valid(body[:end]) {
		return "", nil, false
	}
	for _, c := range body[:end] {
		if c < 0x20 || c == '\\' {
			return "", nil, false
		}
	}
	return string(body[:end]), body[end+1:], true
}

// sameAsLast returns the request raw decodes to if it is the last valid
// one but for a token that needs no checking beyond validate's.
func (s *Server) sameAsLast(raw []byte) (sendRequest, bool) {
	last := s.memo.Load()
	if last == nil {
		return sendRequest{}, false
	}
	token, rest, ok := splitToken(raw)
	if !ok || !bytes.Equal(rest, last.rest) || strings.ContainsAny(token, " \t\n") {
		return sendRequest{}, false
	}
	m := *last.req.Message
	m.Token = token
	m.Data = maps.Clone(m.Data) // each Delivery owns its map, as when decoded
	return sendRequest{ValidateOnly: last.req.ValidateOnly, Message: &m}, true
}

// remember keeps a request that decoded and validated for sameAsLast.
func (s *Server) remember(raw []byte, req sendRequest) {
	token, rest, ok := splitToken(raw)
	if !ok || req.Message == nil || req.Message.Token != token {
		return
	}
	m := *req.Message
	m.Token = ""
	m.Data = maps.Clone(m.Data)
	s.memo.Store(&sendMemo{rest: bytes.Clone(rest), req: sendRequest{ValidateOnly: req.ValidateOnly, Message: &m}})
}

// validate returns FCM's complaint about m, or "".
func validate(m *wireMessage) string {
	if m == nil {
		return "Request contains an invalid argument: message is required."
	}
	targets := 0
	for _, t := range []string{m.Token, m.Topic, m.Condition} {
		if t != "" {
			targets++
		}
	}
	if targets != 1 {
		return "Exactly one of message.token, message.topic or message.condition must be set."
	}
	if m.Token == "" {
		return "The fake only delivers to registration tokens."
	}
	if strings.ContainsAny(m.Token, " \t\n") {
		return "The registration token is not a valid FCM registration token"
	}
	for k := range m.Data {
		lk := strings.ToLower(k)
		if k == "" || lk == "from" || lk == "notification" || lk == "message_type" ||
			strings.HasPrefix(lk, "google") || strings.HasPrefix(lk, "gcm") {
			return fmt.Sprintf("Invalid data payload key: %s", k)
		}
	}
	size := 0
	if n := m.Notification; n != nil {
		size += len(n.Title) + len(n.Body)
	}
	for k, v := range m.Data {
		size += len(k) + len(v)
	}
	if size > 4096 {
		return "Message is too big"
	}
	if a := m.Android; a != nil {
		if a.Priority != "" && a.Priority != "NORMAL" && a.Priority != "HIGH" {
			return fmt.Sprintf("Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), %q", a.Priority)
		}
		if a.TTL != "" && !ttlPattern.MatchString(a.TTL) {
			return fmt.Sprintf("Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), %q", a.TTL)
		}
	}
	if a := m.APNS; a != nil {
		if p := a.Headers["apns-priority"]; p != "" && p != "5" && p != "10" && p != "1" {
			return "Invalid apns-priority header"
		}
		if e := a.Headers["apns-expiration"]; e != "" {
			if _, err := strconv.ParseInt(e, 10, 64); err != nil {
				return "Invalid apns-expiration header"
			}
		}
		if c := a.Headers["apns-collapse-id"]; len(c) > 64 {
			return "apns-collapse-id must not exceed 64 bytes"
		}
		if len(a.Payload) > 0 && string(a.Payload) != "null" {
			var p struct {
				APS json.RawMessage `json:"aps"`
			}
			if json.Unmarshal(a.Payload, &p) != nil || !isObject(p.APS) {
				return "Invalid APNs payload: aps dictionary is required"
			}
		}
	}
	return ""
}

// isObject reports whether raw JSON is an object.
func isObject(raw json.RawMessage) bool {
	b := bytes.TrimLeft(raw, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// failWith answers with the status and FCM error code FCM pairs with it.
func failWith(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusBadRequest:
		fcmError(w, status, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Request contains an invalid argument.", 0)
	case http.StatusUnauthorized:
		fcmError(w, status, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "Auth error from APNS or Web Push Service", 0)
	case http.StatusForbidden:
		fcmError(w, status, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch", 0)
	case http.StatusNotFound:
		fcmError(w, status, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.", 0)
	case http.StatusTooManyRequests:
		fcmError(w, status, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded.", 0)
	case http.StatusServiceUnavailable:
		fcmError(w, status, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.", 0)
	default:
		fcmError(w, status, "INTERNAL", "INTERNAL", "Internal error encountered.", 0)
	}
}

// fcmError writes a google.rpc.Status error body as FCM does, with an
// FcmError detail when errorCode is set.
func fcmError(w http.ResponseWriter, status int, rpcStatus, errorCode, message string, retryAfter time.Duration) {
	body := map[string]any{"code": status, "message": message, "status": rpcStatus}
	if errorCode != "" {
		body["details"] = []map[string]string{{
			"@type":     "type.googleapis.com/google.firebase.fcm.v1.FcmError",
			"errorCode": errorCode,
		}}
	}
	pushtest.SetRetryAfter(w, retryAfter)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/"`)
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func oauthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func errString(err error) string {
	if err == nil {
		return "invalid token"
	}
	return err.Error()
}
