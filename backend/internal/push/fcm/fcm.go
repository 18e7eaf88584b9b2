// Package fcm sends notifications to Android (and FCM-registered iOS)
// devices through the Firebase Cloud Messaging HTTP v1 API.
package fcm

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"

	"github.com/chorus-advocacy/chorus/backend/internal/push"
)

const (
	// DefaultBaseURL is FCM's production endpoint.
	DefaultBaseURL = "https://fcm.googleapis.com"
	// DefaultTokenURL is used when the credentials carry no token_uri.
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
	// Scope is the OAuth scope of the messages:send method.
	Scope = "https://www.googleapis.com/auth/firebase.messaging"

	// maxTTL is FCM's upper bound for android.ttl (4 weeks).
	maxTTL = 28 * 24 * time.Hour
	// defaultQuotaDelay applies to a 429 without Retry-After; FCM asks for
	// at least a minute before retrying after QUOTA_EXCEEDED.
	defaultQuotaDelay = time.Minute
	// maxPayload is FCM's limit for notification plus data.
	maxPayload = 4096
)

// Config configures a Sender.
type Config struct {
	// CredentialsJSON is a Google service-account key file.
	CredentialsJSON []byte
	// ProjectID overrides the credentials' project_id.
	ProjectID string
	// BaseURL defaults to DefaultBaseURL.
	BaseURL string
	// TokenURL overrides the credentials' token_uri.
	TokenURL string
	// HTTPClient is used for sends and token fetches. The default keeps
	// enough idle connections per host for a large fan-out.
	HTTPClient *http.Client
}

// Sender is safe for concurrent use; share one per process so the access
// token and connections are reused.
type Sender struct {
	projectID string
	sendURL   string
	client    *http.Client
	jwtConf   *jwt.Config
	tokenCtx  context.Context

	// ts is replaced when FCM refuses a cached token, so the next Token()
	// fetches a fresh one; tsMu serialises that replacement.
	ts   atomic.Pointer[tokenSource]
	tsMu sync.Mutex
}

type tokenSource struct{ oauth2.TokenSource }

var _ push.Sender = (*Sender)(nil)

type serviceAccount struct {
	Type         string `json:"type"`
	ProjectID    string `json:"project_id"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
}

// New validates cfg and returns a Sender. No network traffic happens until
// the first Send.
func New(cfg Config) (*Sender, error) {
	var sa serviceAccount
	if err := json.Unmarshal(cfg.CredentialsJSON, &sa); err != nil {
		return nil, fmt.Errorf("fcm: credentials are not a service-account JSON key: %w", err)
	}
	if sa.Type != "service_account" {
		return nil, fmt.Errorf("fcm: credentials type is %q, want \"service_account\" (download a key from IAM → Service accounts)", sa.Type)
	}
	if sa.ClientEmail == "" || sa.PrivateKey == "" {
		return nil, errors.New("fcm: credentials lack client_email or private_key")
	}
	if err := checkRSAKey([]byte(sa.PrivateKey)); err != nil {
		return nil, fmt.Errorf("fcm: credentials private_key: %w", err)
	}
	projectID := firstNonEmpty(cfg.ProjectID, sa.ProjectID)
	if projectID == "" {
		return nil, errors.New("fcm: no project ID in config or credentials")
	}
	base := strings.TrimRight(firstNonEmpty(cfg.BaseURL, DefaultBaseURL), "/")
	if _, err := url.Parse(base); err != nil {
		return nil, fmt.Errorf("fcm: base URL: %w", err)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = DefaultHTTPClient()
	}
	s := &Sender{
		projectID: projectID,
		sendURL:   base + "/v1/projects/" + url.PathEscape(projectID) + "/messages:send",
		client:    client,
		jwtConf: &jwt.Config{
			Email:        sa.ClientEmail,
			PrivateKey:   []byte(sa.PrivateKey),
			PrivateKeyID: sa.PrivateKeyID,
			Scopes:       []string{Scope},
			TokenURL:     firstNonEmpty(cfg.TokenURL, sa.TokenURI, DefaultTokenURL),
		},
		// Token fetches outlive any one Send's context: the token is shared.
		tokenCtx: context.WithValue(context.Background(), oauth2.HTTPClient, client),
	}
	s.ts.Store(&tokenSource{s.jwtConf.TokenSource(s.tokenCtx)})
	return s, nil
}

// DefaultHTTPClient is tuned for fan-out: FCM speaks HTTP/2, but a proxy or
// the HTTP/1.1 fake needs one idle connection per concurrent sender, which
// net/http's default of 2 per host would throw away after every request.
func DefaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 1024
	tr.MaxIdleConnsPerHost = 512
	tr.IdleConnTimeout = 90 * time.Second
	tr.ForceAttemptHTTP2 = true
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// ProjectID is the Firebase project messages are sent through.
func (s *Sender) ProjectID() string { return s.projectID }

// Send delivers m to d.Token. A 401 is answered once by fetching a new
// access token and resending, because cached tokens can be revoked early.
func (s *Sender) Send(ctx context.Context, d push.Device, m push.Message) error {
	body, err := buildRequest(s.projectID, d, m, time.Now())
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		ts := s.ts.Load()
		tok, err := ts.Token()
		if err != nil {
			return tokenError(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.sendURL, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("%w: fcm: %v", push.ErrRejected, err)
		}
		req.Header["Authorization"] = []string{"Bearer " + tok.AccessToken}
		req.Header["Content-Type"] = []string{"application/json; charset=UTF-8"}
		resp, err := s.client.Do(req)
		if err != nil {
			return fmt.Errorf("fcm: send: %w", err)
		}
		if resp.StatusCode == http.StatusOK {
			// Draining lets the connection be reused.
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			return nil
		}
		respBody, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 && !isThirdPartyAuth(respBody) {
			s.dropToken(ts, tok.AccessToken)
			continue
		}
		return classify(resp.StatusCode, resp.Header, respBody, time.Now())
	}
}

// dropToken replaces the token source if it still hands out the refused
// token; concurrent sends that saw the same 401 then share one new fetch.
func (s *Sender) dropToken(seen *tokenSource, refused string) {
	s.tsMu.Lock()
	defer s.tsMu.Unlock()
	if s.ts.Load() != seen {
		return
	}
	if cur, err := seen.Token(); err == nil && cur.AccessToken != refused {
		return
	}
	s.ts.Store(&tokenSource{s.jwtConf.TokenSource(s.tokenCtx)})
}

// fcmErrorBody is a google.rpc.Status as FCM returns it.
type fcmErrorBody struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Type      string `json:"@type"`
			ErrorCode string `json:"errorCode"`
		} `json:"details"`
	} `json:"error"`
}

func errorCode(body []byte) (code, status, message string) {
	var eb fcmErrorBody
	if json.Unmarshal(body, &eb) != nil {
		return "", "", strings.TrimSpace(string(body))
	}
	for _, d := range eb.Error.Details {
		if strings.HasSuffix(d.Type, "google.firebase.fcm.v1.FcmError") && d.ErrorCode != "" {
			code = d.ErrorCode
		}
	}
	return code, eb.Error.Status, eb.Error.Message
}

func isThirdPartyAuth(body []byte) bool {
	code, _, _ := errorCode(body)
	return code == "THIRD_PARTY_AUTH_ERROR"
}

// classify maps an FCM error answer onto the push error contract.
func classify(status int, h http.Header, body []byte, now time.Time) error {
	code, rpcStatus, message := errorCode(body)
	se := &push.StatusError{
		Platform:   push.PlatformFCM,
		StatusCode: status,
		Reason:     firstNonEmpty(code, rpcStatus),
		Message:    message,
	}
	after, hasAfter := push.ParseRetryAfter(h.Get("Retry-After"), now)
	switch {
	case code == "UNREGISTERED":
		se.Err = push.ErrUnregistered
	case status == http.StatusTooManyRequests || code == "QUOTA_EXCEEDED":
		if !hasAfter {
			after = defaultQuotaDelay
		}
		return &push.RetryAfterError{After: after, Err: se}
	case status >= 500:
		if hasAfter {
			return &push.RetryAfterError{After: after, Err: se}
		}
	default:
		// INVALID_ARGUMENT (which includes malformed tokens: FCM cannot
		// tell us the token is dead, so the device is kept),
		// SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR, PERMISSION_DENIED.
		se.Err = push.ErrRejected
	}
	return se
}

// tokenError classifies a failed OAuth token fetch: a refused grant is a
// configuration problem, anything else may pass.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		sc := re.Response.StatusCode
		if sc >= 400 && sc < 500 && sc != http.StatusTooManyRequests && sc != http.StatusRequestTimeout {
			return fmt.Errorf("%w: fcm: access token refused: %v", push.ErrRejected, err)
		}
	}
	return fmt.Errorf("fcm: access token: %w", err)
}

// BuildRequest returns the body of a messages:send request. projectID is
// validated only; the project is part of the URL, not of the body.
func BuildRequest(projectID string, d push.Device, m push.Message) ([]byte, error) {
	return buildRequest(projectID, d, m, time.Now())
}

type request struct {
	Message message `json:"message"`
}

type message struct {
	Token        string            `json:"token"`
	Notification *notification     `json:"notification,omitempty"`
	Data         map[string]string `json:"data,omitempty"`
	Android      *androidConfig    `json:"android,omitempty"`
	APNS         *apnsConfig       `json:"apns,omitempty"`
}

type notification struct {
	Title string `json:"title,omitempty"`
	Body  string `json:"body,omitempty"`
}

type androidConfig struct {
	CollapseKey  string               `json:"collapse_key,omitempty"`
	Priority     string               `json:"priority"`
	TTL          string               `json:"ttl"`
	Notification *androidNotification `json:"notification,omitempty"`
}

type androidNotification struct {
	// Tag makes a newer notification replace the shown one with the same
	// tag, so a retried push does not appear twice in the tray.
	Tag string `json:"tag,omitempty"`
}

type apnsConfig struct {
	Headers map[string]string `json:"headers"`
	Payload apnsPayload       `json:"payload"`
}

type apnsPayload struct {
	APS aps `json:"aps"`
}

type aps struct {
	Sound    string `json:"sound,omitempty"`
	ThreadID string `json:"thread-id,omitempty"`
}

func buildRequest(projectID string, d push.Device, m push.Message, now time.Time) ([]byte, error) {
	if projectID == "" {
		return nil, fmt.Errorf("%w: fcm: empty project ID", push.ErrRejected)
	}
	if d.Platform != "" && d.Platform != push.PlatformFCM {
		return nil, fmt.Errorf("%w: fcm: device %s is a %s device", push.ErrRejected, d.ID, d.Platform)
	}
	if strings.TrimSpace(d.Token) == "" {
		return nil, fmt.Errorf("%w: fcm: device %s has no token", push.ErrRejected, d.ID)
	}
	data := m.FlatData()
	size := len(m.Title) + len(m.Body)
	for k, v := range data {
		if reservedKey(k) {
			return nil, fmt.Errorf("%w: fcm: data key %q is reserved", push.ErrRejected, k)
		}
		size += len(k) + len(v)
	}
	if size > maxPayload {
		return nil, fmt.Errorf("%w: fcm: payload is %d bytes, FCM allows %d", push.ErrRejected, size, maxPayload)
	}
	ttl := m.EffectiveTTL()
	if ttl > maxTTL {
		ttl = maxTTL
	}
	msg := message{
		Token: d.Token,
		Data:  data,
		Android: &androidConfig{
			CollapseKey: m.CollapseKey,
			// Notifications are shown at once and tapped; normal priority
			// may be delayed by Doze for minutes.
			Priority: "HIGH",
			TTL:      strconv.FormatInt(int64(ttl/time.Second), 10) + "s",
		},
		APNS: &apnsConfig{
			Headers: map[string]string{
				"apns-push-type":  "alert",
				"apns-priority":   "10",
				"apns-expiration": strconv.FormatInt(now.Add(ttl).Unix(), 10),
			},
			Payload: apnsPayload{APS: aps{Sound: "default", ThreadID: threadID(m)}},
		},
	}
	if m.Title != "" || m.Body != "" {
		msg.Notification = &notification{Title: m.Title, Body: m.Body}
	}
	if m.CollapseKey != "" {
		msg.Android.Notification = &androidNotification{Tag: m.CollapseKey}
		msg.APNS.Headers["apns-collapse-id"] = push.APNsCollapseID(m.CollapseKey)
	}
	return json.Marshal(request{Message: msg})
}

// threadID groups notifications of one program in the iOS notification
// centre.
func threadID(m push.Message) string {
	if p := m.Data[push.DataProgramID]; p != "" {
		return "program-" + p
	}
	return m.Kind
}

// reservedKey reports data keys FCM refuses.
func reservedKey(k string) bool {
	lk := strings.ToLower(k)
	return k == "" || lk == "from" || lk == "notification" || lk == "message_type" ||
		strings.HasPrefix(lk, "google") || strings.HasPrefix(lk, "gcm")
}

func checkRSAKey(pemBytes []byte) error {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return errors.New("not PEM encoded")
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
		return errors.New("not an RSA private key")
	}
	return nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
