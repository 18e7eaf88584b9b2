// Package apnstest is a fake Apple Push Notification service: HTTP/2 over
// TLS on loopback, token (ES256 JWT) authentication against a key it
// generated, the provider API's header checks and its error answers.
package apnstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chorus-advocacy/chorus/backend/internal/push/pushtest"
)

// Delivery is one notification the fake accepted.
type Delivery struct {
	Token      string
	Topic      string
	PushType   string
	Priority   string
	Expiration string
	CollapseID string
	APNsID     string
	Title      string
	Body       string
	// Payload is the request body as received.
	Payload json.RawMessage
	Proto   string
	At      time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithLog calls fn for every accepted notification, outside the lock.
func WithLog(fn func(Delivery)) Option { return func(s *Server) { s.rec.SetLog(fn) } }

// WithMaxRecorded bounds how many recent deliveries are kept (default
// 10000); n <= 0 keeps all.
func WithMaxRecorded(n int) Option { return func(s *Server) { s.rec.SetMax(n) } }

// WithTopic makes the fake refuse other topics with 400 TopicDisallowed, as
// APNs does for bundle IDs outside the key's team.
func WithTopic(topic string) Option { return func(s *Server) { s.topic = topic } }

// Server is the fake. It is safe for concurrent use.
type Server struct {
	srv    *httptest.Server
	key    *ecdsa.PrivateKey
	keyP8  []byte
	keyID  string
	teamID string
	topic  string
	rec    pushtest.Recorder[Delivery]
	faults pushtest.Faults

	mu         sync.Mutex
	badTokens  map[string]bool
	gone       map[string]time.Time
	seenTokens map[string]bool // provider JWTs accepted
	expired    map[string]bool // provider JWTs declared expired
}

// New starts the fake with a fresh P-256 auth key.
func New(opts ...Option) *Server {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("apnstest: " + err.Error())
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic("apnstest: " + err.Error())
	}
	s := &Server{
		key:        key,
		keyP8:      pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		keyID:      randomID(10),
		teamID:     randomID(10),
		badTokens:  make(map[string]bool),
		gone:       make(map[string]time.Time),
		seenTokens: make(map[string]bool),
		expired:    make(map[string]bool),
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	s.srv.EnableHTTP2 = true
	// Clients closing surplus connections during the HTTP/2 handshake make
	// the server log noise that says nothing about the pushes.
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.StartTLS()
	return s
}

// URL is the base URL to use instead of https://api.push.apple.com.
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP/2 client that trusts the fake's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// KeyP8 is the auth key in the format of Apple's AuthKey_<KeyID>.p8 file.
func (s *Server) KeyP8() []byte { return append([]byte(nil), s.keyP8...) }

// KeyID is the key's identifier (the JWT kid).
func (s *Server) KeyID() string { return s.keyID }

// TeamID is the developer team (the JWT iss).
func (s *Server) TeamID() string { return s.teamID }

// BadDeviceToken makes pushes to token fail with 400 BadDeviceToken.
func (s *Server) BadDeviceToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.badTokens[token] = true
}

// Unregistered makes pushes to token fail with 410 Unregistered and the
// current time as the timestamp.
func (s *Server) Unregistered(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone[token] = time.Now()
}

// TooManyRequests makes the next n pushes fail with 429 TooManyRequests,
// with Retry-After when retryAfter > 0.
func (s *Server) TooManyRequests(n int, retryAfter time.Duration) { s.faults.TooMany(n, retryAfter) }

// Throttle makes every push to token fail with 429 TooManyRequests ("too
// many requests were made consecutively to the same device token"), with
// Retry-After when retryAfter > 0, until Unthrottle.
func (s *Server) Throttle(token string, retryAfter time.Duration) {
	s.faults.Throttle(token, retryAfter)
}

// Unthrottle ends Throttle for token.
func (s *Server) Unthrottle(token string) { s.faults.Unthrottle(token) }

// FailNext makes the next n pushes fail with status (500
// InternalServerError, 503 ServiceUnavailable, or any other).
func (s *Server) FailNext(n int, status int) { s.faults.FailNext(n, status) }

// ExpireProviderTokens makes every provider token seen so far fail with
// 403 ExpiredProviderToken, as an hour-old token would.
func (s *Server) ExpireProviderTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.seenTokens {
		s.expired[t] = true
	}
}

// ProviderTokens is the number of distinct provider tokens accepted.
func (s *Server) ProviderTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seenTokens)
}

// Deliveries returns the most recent accepted notifications, oldest first.
func (s *Server) Deliveries() []Delivery { return s.rec.Deliveries() }

// Count is the number of notifications accepted since start.
func (s *Server) Count() int { return s.rec.Count() }

var (
	hexToken = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	uuidRe   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// Push types of the provider API; alert needs an aps.alert.
	pushTypes = map[string]bool{"alert": true, "background": true, "location": true, "voip": true,
		"complication": true, "fileprovider": true, "mdm": true, "liveactivity": true, "pushtotalk": true}
)

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor != 2 {
		// APNs negotiates h2 only; HTTP/1.1 never reaches it.
		http.Error(w, "HTTP/2 required", http.StatusHTTPVersionNotSupported)
		return
	}
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	if !ok || token == "" || strings.Contains(token, "/") {
		reject(w, http.StatusNotFound, "BadPath")
		return
	}
	if r.Method != http.MethodPost {
		reject(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
		return
	}
	if reason := s.checkAuth(r.Header.Get("Authorization")); reason != "" {
		reject(w, http.StatusForbidden, reason)
		return
	}
	h := r.Header
	topic := h.Get("apns-topic")
	switch {
	case topic == "":
		reject(w, http.StatusBadRequest, "MissingTopic")
		return
	case s.topic != "" && topic != s.topic:
		reject(w, http.StatusBadRequest, "TopicDisallowed")
		return
	case !pushTypes[h.Get("apns-push-type")]:
		reject(w, http.StatusBadRequest, "InvalidPushType")
		return
	}
	if p := h.Get("apns-priority"); p != "" && p != "10" && p != "5" && p != "1" {
		reject(w, http.StatusBadRequest, "BadPriority")
		return
	}
	if e := h.Get("apns-expiration"); e != "" {
		if _, err := strconv.ParseInt(e, 10, 64); err != nil {
			reject(w, http.StatusBadRequest, "BadExpirationDate")
			return
		}
	}
	if c := h.Get("apns-collapse-id"); len(c) > 64 {
		reject(w, http.StatusBadRequest, "BadCollapseId")
		return
	}
	apnsID := h.Get("apns-id")
	if apnsID != "" && !uuidRe.MatchString(apnsID) {
		reject(w, http.StatusBadRequest, "BadMessageId")
		return
	}
	if apnsID == "" {
		apnsID = newUUID()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 5000))
	if err != nil {
		reject(w, http.StatusBadRequest, "PayloadEmpty")
		return
	}
	if len(body) > 4096 {
		reject(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge")
		return
	}
	var payload struct {
		APS *struct {
			Alert json.RawMessage `json:"alert"`
		} `json:"aps"`
	}
	if len(body) == 0 || json.Unmarshal(body, &payload) != nil || payload.APS == nil {
		// APNs has no reason for unparsable JSON; PayloadEmpty is the
		// closest it documents.
		reject(w, http.StatusBadRequest, "PayloadEmpty")
		return
	}
	if h.Get("apns-push-type") == "alert" && len(payload.APS.Alert) == 0 {
		reject(w, http.StatusBadRequest, "PayloadEmpty")
		return
	}
	if !hexToken.MatchString(token) {
		reject(w, http.StatusBadRequest, "BadDeviceToken")
		return
	}

	switch f := s.faults.Next(token); f.Kind {
	case pushtest.Fail:
		reason := "InternalServerError"
		if f.Status == http.StatusServiceUnavailable {
			reason = "ServiceUnavailable"
		}
		reject(w, f.Status, reason)
		return
	case pushtest.TooMany, pushtest.Throttled:
		pushtest.SetRetryAfter(w, f.RetryAfter)
		reject(w, http.StatusTooManyRequests, "TooManyRequests")
		return
	}
	s.mu.Lock()
	switch {
	case s.badTokens[token]:
		s.mu.Unlock()
		reject(w, http.StatusBadRequest, "BadDeviceToken")
		return
	}
	if at, dead := s.gone[token]; dead {
		s.mu.Unlock()
		w.Header().Set("apns-id", apnsID)
		writeJSON(w, http.StatusGone, map[string]any{"reason": "Unregistered", "timestamp": at.UnixMilli()})
		return
	}
	d := Delivery{
		Token: token, Topic: topic, PushType: h.Get("apns-push-type"), Priority: h.Get("apns-priority"),
		Expiration: h.Get("apns-expiration"), CollapseID: h.Get("apns-collapse-id"), APNsID: apnsID,
		Payload: body, Proto: r.Proto, At: time.Now(),
	}
	var alert struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	if json.Unmarshal(payload.APS.Alert, &alert) == nil {
		d.Title, d.Body = alert.Title, alert.Body
	} else {
		json.Unmarshal(payload.APS.Alert, &d.Body) // alert may be a plain string
	}
	s.mu.Unlock()
	s.rec.Record(d)
	w.Header().Set("apns-id", apnsID)
	w.WriteHeader(http.StatusOK)
}

// checkAuth verifies the provider token and returns APNs' 403 reason, or "".
func (s *Server) checkAuth(authz string) string {
	raw, ok := strings.CutPrefix(authz, "bearer ")
	if !ok {
		if authz == "" {
			return "MissingProviderToken"
		}
		return "InvalidProviderToken"
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != s.keyID {
			return nil, fmt.Errorf("unknown kid %q", kid)
		}
		return &s.key.PublicKey, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(s.teamID), jwt.WithIssuedAt())
	if err != nil {
		return "InvalidProviderToken"
	}
	iat, err := claims.GetIssuedAt()
	if err != nil || iat == nil {
		return "InvalidProviderToken"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expired[raw] || time.Since(iat.Time) > time.Hour {
		return "ExpiredProviderToken"
	}
	s.seenTokens[raw] = true
	return ""
}

func reject(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, map[string]string{"reason": reason})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func randomID(n int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := strings.ToUpper(hex.EncodeToString(b))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
