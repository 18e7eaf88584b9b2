// Package webpushtest is a fake Web Push service (RFC 8030) on loopback. It
// checks VAPID (RFC 8292) authorization and the request headers, and each
// subscription it hands out comes with a Receiver holding the browser's
// side of the keys, so tests read the decrypted (RFC 8291) messages.
package webpushtest

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/push/pushtest"
)

// Delivery is one message the fake accepted.
type Delivery struct {
	Endpoint string
	TTL      int
	Urgency  string
	Topic    string
	// Subscriber is the VAPID sub claim (mailto: or https: contact).
	Subscriber string
	// Body is the encrypted request body; Plaintext its decryption, or
	// DecryptErr why that failed.
	Body       []byte
	Plaintext  []byte
	DecryptErr error
	At         time.Time
}

// Receiver is the browser's side of one subscription.
type Receiver struct {
	priv *ecdh.PrivateKey
	auth []byte

	mu   sync.Mutex
	msgs [][]byte
	errs []error
}

// Messages returns the decrypted payloads received so far.
func (r *Receiver) Messages() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.msgs...)
}

// Errors returns decryption failures; a correct sender causes none.
func (r *Receiver) Errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// Decrypt opens body with this receiver's keys.
func (r *Receiver) Decrypt(body []byte) ([]byte, error) { return Decrypt(body, r.priv, r.auth) }

// Option configures a Server.
type Option func(*Server)

// WithLog calls fn for every accepted message, outside the lock.
func WithLog(fn func(Delivery)) Option { return func(s *Server) { s.rec.SetLog(fn) } }

// WithMaxRecorded bounds how many recent deliveries are kept (default
// 10000); n <= 0 keeps all.
func WithMaxRecorded(n int) Option { return func(s *Server) { s.rec.SetMax(n) } }

// WithApplicationServerKey makes the fake accept only VAPID JWTs signed by
// this key (base64url, uncompressed point), answering 403 otherwise, as a
// push service does for subscriptions made with applicationServerKey.
func WithApplicationServerKey(publicKey string) Option {
	return func(s *Server) { s.appServerKey = publicKey }
}

// Server is the fake. It is safe for concurrent use.
type Server struct {
	srv          *httptest.Server
	appServerKey string
	rec          pushtest.Recorder[Delivery]
	faults       pushtest.Faults

	mu        sync.Mutex
	receivers map[string]*Receiver // subscription id → receiver
	gone      map[string]bool      // endpoint → 410
	seq       int
}

// New starts the fake on 127.0.0.1.
func New(opts ...Option) *Server {
	s := &Server{
		receivers: make(map[string]*Receiver),
		gone:      make(map[string]bool),
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /push/{id}", s.handlePush)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the push service's origin, the audience VAPID tokens must name.
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// NewSubscription creates a subscription with a real P-256 key pair and
// auth secret, as a browser's pushManager.subscribe would.
func (s *Server) NewSubscription() (push.WebPushSubscription, *Receiver) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic("webpushtest: " + err.Error())
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	id := make([]byte, 12)
	rand.Read(id)
	r := &Receiver{priv: priv, auth: auth}
	sid := hex.EncodeToString(id)
	s.mu.Lock()
	s.receivers[sid] = r
	s.mu.Unlock()
	return push.WebPushSubscription{
		Endpoint: s.srv.URL + "/push/" + sid,
		Keys: push.WebPushKeys{
			P256dh: base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
			Auth:   base64.RawURLEncoding.EncodeToString(auth),
		},
	}, r
}

// Gone makes pushes to endpoint fail with 410 Gone (the user unsubscribed).
func (s *Server) Gone(endpoint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone[endpoint] = true
}

// TooMany makes the next n pushes fail with 429 and Retry-After (omitted
// when retryAfter is zero).
func (s *Server) TooMany(n int, retryAfter time.Duration) { s.faults.TooMany(n, retryAfter) }

// Throttle makes every push to endpoint fail with 429 and Retry-After
// (omitted when retryAfter is zero), until Unthrottle.
func (s *Server) Throttle(endpoint string, retryAfter time.Duration) {
	s.faults.Throttle(endpoint, retryAfter)
}

// Unthrottle ends Throttle for endpoint.
func (s *Server) Unthrottle(endpoint string) { s.faults.Unthrottle(endpoint) }

// FailNext makes the next n pushes fail with status.
func (s *Server) FailNext(n int, status int) { s.faults.FailNext(n, status) }

// Deliveries returns the most recent accepted messages, oldest first.
func (s *Server) Deliveries() []Delivery { return s.rec.Deliveries() }

// Count is the number of messages accepted since start.
func (s *Server) Count() int { return s.rec.Count() }

var (
	topicRe   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	urgencies = map[string]bool{"very-low": true, "low": true, "normal": true, "high": true}
)

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	endpoint := s.srv.URL + r.URL.Path
	s.mu.Lock()
	recv := s.receivers[r.PathValue("id")]
	gone := s.gone[endpoint]
	s.mu.Unlock()
	if recv == nil {
		http.Error(w, "no such subscription", http.StatusNotFound)
		return
	}
	if gone {
		http.Error(w, "push subscription has unsubscribed or expired", http.StatusGone)
		return
	}
	sub, status, err := s.checkVAPID(r.Header.Get("Authorization"))
	if err != nil {
		http.Error(w, err.Error(), status)
		return
	}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		// RFC 8030 §5.2: TTL is mandatory.
		http.Error(w, "missing or invalid TTL header", http.StatusBadRequest)
		return
	}
	urgency := r.Header.Get("Urgency")
	if urgency != "" && !urgencies[urgency] {
		http.Error(w, "invalid Urgency header", http.StatusBadRequest)
		return
	}
	topic := r.Header.Get("Topic")
	if topic != "" && !topicRe.MatchString(topic) {
		http.Error(w, "Topic must be at most 32 characters of the URL-safe base64 alphabet", http.StatusBadRequest)
		return
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		http.Error(w, "Content-Encoding must be aes128gcm", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4097))
	if err != nil || len(body) == 0 {
		http.Error(w, "empty body", http.StatusBadRequest)
		return
	}
	if len(body) > 4096 {
		http.Error(w, "payload exceeds 4096 bytes", http.StatusRequestEntityTooLarge)
		return
	}

	switch f := s.faults.Next(endpoint); f.Kind {
	case pushtest.Fail:
		http.Error(w, http.StatusText(f.Status), f.Status)
		return
	case pushtest.TooMany, pushtest.Throttled:
		pushtest.SetRetryAfter(w, f.RetryAfter)
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	s.mu.Lock()
	s.seq++
	id := s.seq
	s.mu.Unlock()

	// A real push service cannot read the message; the fake decrypts it
	// as the browser would, and still answers 201 when that fails.
	plain, derr := recv.Decrypt(body)
	recv.mu.Lock()
	if derr != nil {
		recv.errs = append(recv.errs, derr)
	} else {
		recv.msgs = append(recv.msgs, plain)
	}
	recv.mu.Unlock()

	d := Delivery{Endpoint: endpoint, TTL: ttl, Urgency: urgency, Topic: topic, Subscriber: sub,
		Body: body, Plaintext: plain, DecryptErr: derr, At: time.Now()}
	s.rec.Record(d)
	w.Header().Set("Location", s.srv.URL+"/message/"+strconv.Itoa(id))
	w.WriteHeader(http.StatusCreated)
}

// checkVAPID verifies `vapid t=<jwt>, k=<key>` (RFC 8292 §3) and returns
// the sub claim, or the status to answer with.
func (s *Server) checkVAPID(authz string) (sub string, status int, err error) {
	params, ok := strings.CutPrefix(authz, "vapid ")
	if !ok {
		return "", http.StatusUnauthorized, errors.New("missing vapid authorization")
	}
	var t, k string
	for _, p := range strings.Split(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(name) {
		case "t":
			t = value
		case "k":
			k = value
		}
	}
	if t == "" || k == "" {
		return "", http.StatusUnauthorized, errors.New("vapid authorization needs t and k")
	}
	keyBytes, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return "", http.StatusUnauthorized, errors.New("k is not base64url")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), keyBytes)
	if err != nil {
		return "", http.StatusUnauthorized, errors.New("k is not an uncompressed P-256 key")
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(t, claims, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}),
		jwt.WithAudience(s.srv.URL),
		jwt.WithExpirationRequired(),
	)
	if err != nil {
		return "", http.StatusUnauthorized, fmt.Errorf("invalid VAPID token: %v", err)
	}
	exp, _ := claims.GetExpirationTime()
	if time.Until(exp.Time) > 24*time.Hour {
		// RFC 8292 §2: exp must be no more than 24 hours ahead.
		return "", http.StatusUnauthorized, errors.New("VAPID token expires more than 24 hours ahead")
	}
	sub, _ = claims["sub"].(string)
	if !strings.HasPrefix(sub, "mailto:") && !strings.HasPrefix(sub, "https:") {
		return "", http.StatusUnauthorized, errors.New("VAPID sub must be a mailto: or https: URI")
	}
	if want, err := push.DecodeBase64(s.appServerKey); s.appServerKey != "" && (err != nil || !bytes.Equal(want, keyBytes)) {
		return "", http.StatusForbidden, errors.New("VAPID key does not match the subscription's applicationServerKey")
	}
	return sub, 0, nil
}
