package tiktok

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Default base URLs ([login-kit-web], [token-management]).
const (
	DefaultAuthBaseURL = "https://www.tiktok.com"
	DefaultAPIBaseURL  = "https://open.tiktokapis.com"
)

// Scopes Chorus asks for: the member's name and avatar to show which TikTok
// account is connected, and inbox uploads. Not video.publish: we stage, the
// member posts.
const (
	ScopeUserInfoBasic = "user.info.basic"
	ScopeVideoUpload   = "video.upload"
)

// RequiredScopes is what AuthorizeURL requests and what a working
// connection needs.
var RequiredScopes = []string{ScopeUserInfoBasic, ScopeVideoUpload}

// API paths, shared with nothing: tiktoktest spells them out on its own so
// a typo here fails the tests.
const (
	pathAuthorize = "/v2/auth/authorize/"
	pathToken     = "/v2/oauth/token/"
	pathRevoke    = "/v2/oauth/revoke/"
	pathUserInfo  = "/v2/user/info/"
	pathInit      = "/v2/post/publish/inbox/video/init/"
	pathStatus    = "/v2/post/publish/status/fetch/"
)

// maxResponseBody bounds what we read from any JSON answer; TikTok's are a
// few hundred bytes, and a proxy's error page must not fill memory.
const maxResponseBody = 1 << 20

// Config is the client's configuration. ClientKey and ClientSecret come from
// the app's page on developers.tiktok.com.
type Config struct {
	ClientKey, ClientSecret string
	// AuthBaseURL serves /v2/auth/authorize/ (default DefaultAuthBaseURL).
	AuthBaseURL string
	// APIBaseURL serves /v2/... APIs (default DefaultAPIBaseURL).
	APIBaseURL string
	// HTTPClient defaults to one without an overall timeout, because a 64 MB
	// chunk on a slow link can legitimately take minutes; bound calls with
	// the context instead.
	HTTPClient *http.Client
}

// Client talks to TikTok. It is safe for concurrent use.
type Client struct {
	cfg     Config
	authURL *url.URL
	apiURL  *url.URL
	hc      *http.Client
	now     func() time.Time
}

// New checks cfg and fills in defaults.
func New(cfg Config) (*Client, error) {
	if cfg.ClientKey == "" || cfg.ClientSecret == "" {
		return nil, errors.New("tiktok: client key and client secret are required (from the app's page on developers.tiktok.com)")
	}
	if cfg.AuthBaseURL == "" {
		cfg.AuthBaseURL = DefaultAuthBaseURL
	}
	if cfg.APIBaseURL == "" {
		cfg.APIBaseURL = DefaultAPIBaseURL
	}
	c := &Client{cfg: cfg, hc: cfg.HTTPClient, now: time.Now}
	var err error
	if c.authURL, err = parseBase(cfg.AuthBaseURL); err != nil {
		return nil, fmt.Errorf("tiktok: auth base URL: %w", err)
	}
	if c.apiURL, err = parseBase(cfg.APIBaseURL); err != nil {
		return nil, fmt.Errorf("tiktok: API base URL: %w", err)
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: defaultTransport()}
	}
	return c, nil
}

func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q must be an absolute http(s) URL", s)
	}
	return u, nil
}

// defaultTransport bounds the phases that should be quick (connect, TLS,
// waiting for response headers after the body is sent) without bounding the
// body upload itself.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 15 * time.Second
	t.ResponseHeaderTimeout = 2 * time.Minute
	return t
}

func (c *Client) endpoint(base *url.URL, path string) string {
	u := *base
	u.Path = strings.TrimRight(u.Path, "/") + path
	return u.String()
}

// Token is a member's TikTok grant ([token-management], response struct).
type Token struct {
	AccessToken      string
	RefreshToken     string
	OpenID           string
	Scopes           []string
	ExpiresAt        time.Time
	RefreshExpiresAt time.Time
}

// MissingScopes lists RequiredScopes the member did not grant: TikTok's
// consent screen lets a member untick scopes ([token-management],
// "Authorization scopes"), and a grant without video.upload cannot stage.
func (t Token) MissingScopes() []string {
	var missing []string
	for _, s := range RequiredScopes {
		if !slices.Contains(t.Scopes, s) {
			missing = append(missing, s)
		}
	}
	return missing
}

// User is the connected TikTok account as shown to the member.
type User struct {
	OpenID      string
	UnionID     string
	DisplayName string
	AvatarURL   string
}

// AuthorizeURL is where the member's browser goes to consent ([login-kit-web]).
// state must be unguessable and tied to the member (see SignState);
// redirectURI must be registered with TikTok, byte for byte.
func (c *Client) AuthorizeURL(state, redirectURI, codeChallenge string) string {
	q := url.Values{
		"client_key":    {c.cfg.ClientKey},
		"scope":         {strings.Join(RequiredScopes, ",")},
		"response_type": {"code"},
		"redirect_uri":  {redirectURI},
		"state":         {state},
	}
	if codeChallenge != "" {
		q.Set("code_challenge", codeChallenge)
		q.Set("code_challenge_method", "S256")
	}
	return c.endpoint(c.authURL, pathAuthorize) + "?" + q.Encode()
}

// ParseCallback reads the query TikTok appends to the redirect URI: either
// code and state, or error and error_description ([login-kit-web],
// [oauth-errors]). The state must still be verified by the caller.
func ParseCallback(q url.Values) (code, state string, err error) {
	state = q.Get("state")
	if e := q.Get("error"); e != "" {
		return "", state, &APIError{Endpoint: "authorize", HTTPStatus: http.StatusFound, Code: e, Message: q.Get("error_description")}
	}
	code = q.Get("code")
	if code == "" {
		return "", state, &APIError{Endpoint: "authorize", HTTPStatus: http.StatusFound, Code: CodeInvalidRequest, Message: "callback has neither code nor error"}
	}
	return code, state, nil
}

// ExchangeCode trades the callback's code for a token ([token-management],
// "Fetch an access token using an authorization code").
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI, codeVerifier string) (Token, error) {
	form := url.Values{
		"client_key":    {c.cfg.ClientKey},
		"client_secret": {c.cfg.ClientSecret},
		"code":          {code},
		"grant_type":    {"authorization_code"},
		"redirect_uri":  {redirectURI},
	}
	if codeVerifier != "" {
		form.Set("code_verifier", codeVerifier)
	}
	return c.tokenRequest(ctx, "token", form)
}

// Refresh renews the access token. TikTok rotates refresh tokens: the one
// passed in stops working once this succeeds, so the caller must store the
// returned RefreshToken before anything else ([token-management], "Refresh
// token rotation").
func (c *Client) Refresh(ctx context.Context, refreshToken string) (Token, error) {
	form := url.Values{
		"client_key":    {c.cfg.ClientKey},
		"client_secret": {c.cfg.ClientSecret},
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
	}
	return c.tokenRequest(ctx, "refresh", form)
}

// Revoke disconnects Chorus from the member's TikTok account
// ([token-management], "Revoke a User Access Token").
func (c *Client) Revoke(ctx context.Context, accessToken string) error {
	form := url.Values{
		"client_key":    {c.cfg.ClientKey},
		"client_secret": {c.cfg.ClientSecret},
		"token":         {accessToken},
	}
	resp, body, err := c.postForm(ctx, "revoke", pathRevoke, form)
	if err != nil {
		return err
	}
	return c.checkOAuth("revoke", resp, body)
}

type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        int64  `json:"expires_in"`
	OpenID           string `json:"open_id"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	RefreshToken     string `json:"refresh_token"`
	Scope            string `json:"scope"`
	TokenType        string `json:"token_type"`
}

func (c *Client) tokenRequest(ctx context.Context, name string, form url.Values) (Token, error) {
	resp, body, err := c.postForm(ctx, name, pathToken, form)
	if err != nil {
		return Token{}, err
	}
	if err := c.checkOAuth(name, resp, body); err != nil {
		return Token{}, err
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return Token{}, &networkError{endpoint: name, err: fmt.Errorf("decoding token response: %w", err)}
	}
	if tr.AccessToken == "" || tr.RefreshToken == "" || tr.OpenID == "" {
		return Token{}, &APIError{Endpoint: name, HTTPStatus: resp.StatusCode, Code: CodeInvalidRequest, Message: "token response lacks access_token, refresh_token or open_id"}
	}
	now := c.now()
	t := Token{
		AccessToken:      tr.AccessToken,
		RefreshToken:     tr.RefreshToken,
		OpenID:           tr.OpenID,
		ExpiresAt:        now.Add(time.Duration(tr.ExpiresIn) * time.Second),
		RefreshExpiresAt: now.Add(time.Duration(tr.RefreshExpiresIn) * time.Second),
	}
	// "A comma-separated list (,) of the scopes the user has agreed to authorize."
	for s := range strings.SplitSeq(tr.Scope, ",") {
		if s = strings.TrimSpace(s); s != "" {
			t.Scopes = append(t.Scopes, s)
		}
	}
	return t, nil
}

func (c *Client) postForm(ctx context.Context, name, path string, form url.Values) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(c.apiURL, path), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cache-Control", "no-cache")
	return c.do(name, req)
}

// checkOAuth maps an OAuth endpoint's answer to an error. These endpoints
// may answer an error with HTTP 200, so the body decides ([oauth-errors]).
func (c *Client) checkOAuth(name string, resp *http.Response, body []byte) error {
	if ae := decodeError(name, resp, body, c.now()); ae != nil {
		return ae
	}
	if resp.StatusCode/100 != 2 {
		return httpError(name, resp, body, c.now())
	}
	return nil
}

// UserInfo fetches the connected account's name and avatar ([user-info]).
func (c *Client) UserInfo(ctx context.Context, accessToken string) (User, error) {
	var data struct {
		User struct {
			OpenID      string `json:"open_id"`
			UnionID     string `json:"union_id"`
			AvatarURL   string `json:"avatar_url"`
			DisplayName string `json:"display_name"`
		} `json:"user"`
	}
	// Commas left unescaped, as in the documented example request.
	path := pathUserInfo + "?fields=open_id,union_id,avatar_url,display_name"
	if err := c.apiCall(ctx, "user_info", http.MethodGet, path, accessToken, nil, &data); err != nil {
		return User{}, err
	}
	u := data.User
	return User{OpenID: u.OpenID, UnionID: u.UnionID, DisplayName: u.DisplayName, AvatarURL: u.AvatarURL}, nil
}

// apiCall performs one v2 API request and decodes the "data" member of
// TikTok's {"data": …, "error": {…}} envelope ([api-errors]).
func (c *Client) apiCall(ctx context.Context, name, method, pathAndQuery, accessToken string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	u := c.endpoint(c.apiURL, "")
	req, err := http.NewRequestWithContext(ctx, method, u+pathAndQuery, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	if in != nil {
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	}
	resp, respBody, err := c.do(name, req)
	if err != nil {
		return err
	}
	if ae := decodeError(name, resp, respBody, c.now()); ae != nil {
		return ae
	}
	if resp.StatusCode/100 != 2 {
		return httpError(name, resp, respBody, c.now())
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(respBody, &env); err != nil {
		return &networkError{endpoint: name, err: fmt.Errorf("decoding response: %w", err)}
	}
	if out == nil || len(env.Data) == 0 {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return &networkError{endpoint: name, err: fmt.Errorf("decoding response data: %w", err)}
	}
	return nil
}

// do sends req and reads a bounded body. Transport failures and truncated
// bodies become networkError, which Retryable treats as transient.
func (c *Client) do(name string, req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		// Cancellation means the caller gave up: final. A deadline is a
		// per-attempt timeout, as transient as any other slow network.
		if errors.Is(err, context.Canceled) {
			return nil, nil, fmt.Errorf("tiktok %s: %w", name, err)
		}
		return nil, nil, &networkError{endpoint: name, err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return nil, nil, &networkError{endpoint: name, err: fmt.Errorf("reading response: %w", err)}
	}
	return resp, body, nil
}

// decodeError recognises both of TikTok's error shapes: the v2 APIs'
// {"error":{"code","message","log_id"}} where code "ok" means success
// ([api-errors]), and OAuth's {"error":"…","error_description","log_id"}
// ([oauth-errors]). It returns nil when the body reports no error.
func decodeError(name string, resp *http.Response, body []byte, now time.Time) *APIError {
	var raw struct {
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
		LogID            string          `json:"log_id"`
	}
	if json.Unmarshal(body, &raw) != nil || len(raw.Error) == 0 || string(raw.Error) == "null" {
		return nil
	}
	ae := &APIError{Endpoint: name, HTTPStatus: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now)}
	var s string
	if json.Unmarshal(raw.Error, &s) == nil {
		if s == "" {
			return nil
		}
		ae.Code, ae.Message, ae.LogID = s, raw.ErrorDescription, raw.LogID
		return ae
	}
	var obj struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		LogID   string `json:"log_id"`
	}
	if json.Unmarshal(raw.Error, &obj) != nil || obj.Code == "" || obj.Code == CodeOK {
		return nil
	}
	ae.Code, ae.Message, ae.LogID = obj.Code, obj.Message, obj.LogID
	return ae
}

// httpError describes a non-2xx answer whose body is not TikTok's JSON (a
// proxy or load balancer page). The code stays empty: only the status is
// known.
func httpError(name string, resp *http.Response, body []byte, now time.Time) *APIError {
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &APIError{
		Endpoint:   name,
		HTTPStatus: resp.StatusCode,
		Message:    msg,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now),
	}
}
