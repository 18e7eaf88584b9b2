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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

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
	// The data as delivered is m.FlatData(); its keys are gathered here
	// without building that map, since this runs once per device.
	var keyBuf [8]string
	keys := keyBuf[:0]
	size := len(m.Title) + len(m.Body)
	for k, v := range m.Data {
		if (k == push.DataKind && m.Kind != "") || (k == push.DataDeepLink && m.DeepLink != "") {
			continue // replaced by the message's own
		}
		if reservedKey(k) {
			return nil, fmt.Errorf("%w: fcm: data key %q is reserved", push.ErrRejected, k)
		}
		keys = append(keys, k)
		size += len(k) + len(v)
	}
	if m.Kind != "" {
		keys = append(keys, push.DataKind)
		size += len(push.DataKind) + len(m.Kind)
	}
	if m.DeepLink != "" {
		keys = append(keys, push.DataDeepLink)
		size += len(push.DataDeepLink) + len(m.DeepLink)
	}
	if size > maxPayload {
		return nil, fmt.Errorf("%w: fcm: payload is %d bytes, FCM allows %d", push.ErrRejected, size, maxPayload)
	}
	slices.Sort(keys)
	ttl := m.EffectiveTTL()
	if ttl > maxTTL {
		ttl = maxTTL
	}

	// The body is written directly rather than through encoding/json: a
	// fan-out builds one per device, and reflection over maps was a large
	// share of a send's CPU and garbage. build_test.go holds the same
	// message as Go types encoded by encoding/json, and compares the two.
	b := make([]byte, 0, 384+2*(size+len(d.Token)+len(m.CollapseKey)))
	b = append(b, `{"message":{"token":`...)
	b = appendJSONString(b, d.Token)
	if m.Title != "" || m.Body != "" {
		b = append(b, `,"notification":{`...)
		sep := byte(0)
		if m.Title != "" {
			b = append(b, `"title":`...)
			b = appendJSONString(b, m.Title)
			sep = ','
		}
		if m.Body != "" {
			if sep != 0 {
				b = append(b, sep)
			}
			b = append(b, `"body":`...)
			b = appendJSONString(b, m.Body)
		}
		b = append(b, '}')
	}
	if len(keys) > 0 {
		b = append(b, `,"data":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			switch {
			case k == push.DataKind && m.Kind != "":
				b = appendJSONString(b, m.Kind)
			case k == push.DataDeepLink && m.DeepLink != "":
				b = appendJSONString(b, m.DeepLink)
			default:
				b = appendJSONString(b, m.Data[k])
			}
		}
		b = append(b, '}')
	}
	// Notifications are shown at once and tapped; normal priority may be
	// delayed by Doze for minutes.
	b = append(b, `,"android":{`...)
	if m.CollapseKey != "" {
		b = append(b, `"collapse_key":`...)
		b = appendJSONString(b, m.CollapseKey)
		b = append(b, ',')
	}
	b = append(b, `"priority":"HIGH","ttl":"`...)
	b = strconv.AppendInt(b, int64(ttl/time.Second), 10)
	b = append(b, `s"`...)
	if m.CollapseKey != "" {
		// The tag makes a newer notification replace the shown one with
		// the same tag, so a retried push does not appear twice.
		b = append(b, `,"notification":{"tag":`...)
		b = appendJSONString(b, m.CollapseKey)
		b = append(b, '}')
	}
	b = append(b, `},"apns":{"headers":{"apns-push-type":"alert","apns-priority":"10","apns-expiration":"`...)
	b = strconv.AppendInt(b, now.Add(ttl).Unix(), 10)
	b = append(b, '"')
	if m.CollapseKey != "" {
		b = append(b, `,"apns-collapse-id":`...)
		b = appendJSONString(b, push.APNsCollapseID(m.CollapseKey))
	}
	b = append(b, `},"payload":{"aps":{"sound":"default"`...)
	if tid := threadID(m); tid != "" {
		b = append(b, `,"thread-id":`...)
		b = appendJSONString(b, tid)
	}
	b = append(b, `}}}}}`...)
	return b, nil
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it (HTML characters, U+2028/9 and invalid UTF-8 included).
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += n
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += n
			start = i
			continue
		}
		i += n
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
