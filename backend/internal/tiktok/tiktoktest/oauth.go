package tiktoktest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

type user struct {
	openID, unionID, displayName, avatarURL string
}

type authCode struct {
	clientKey, redirectURI, challenge, openID string
	scopes                                    []string
	expires                                   time.Time
	used                                      bool
	issued                                    []string // access tokens, revoked if the code is replayed
}

type accessToken struct {
	openID  string
	scopes  []string
	expires time.Time
	revoked bool
}

type refreshToken struct {
	openID  string
	scopes  []string
	expires time.Time
	// dead once rotated by a refresh or revoked with the grant.
	dead bool
}

// Scopes the authorize page knows (Login Kit / Content Posting / Display).
var knownScopes = []string{"user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish"}

// --- authorize -------------------------------------------------------------

// handleAuthorize consents at once, after checking the request as Login Kit
// for Web and Desktop describe it: client_key, scope, response_type=code,
// redirect_uri, state, code_challenge with code_challenge_method=S256.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	if f, ok := s.takeFault(Authorize); ok {
		s.log("authorize refused by injected fault", "status", f.Status, "code", f.Code)
		s.writeOAuthError(w, f.Status, f.Code, f.Message, f.RetryAfter)
		return
	}
	// RFC 6749 §4.1.2.1: with an unknown client or a bad redirect URI the
	// error is shown, never redirected, or the page would be an open redirector.
	if q.Get("client_key") != s.clientKey {
		s.log("authorize: unknown client_key", "client_key", q.Get("client_key"))
		http.Error(w, "TikTok: this app is not registered (client_key)", http.StatusBadRequest)
		return
	}
	redirectURI := q.Get("redirect_uri")
	if msg := s.checkRedirectURI(redirectURI); msg != "" {
		s.log("authorize: bad redirect_uri", "redirect_uri", redirectURI, "reason", msg)
		http.Error(w, "TikTok: redirect_uri "+msg, http.StatusBadRequest)
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) {
		s.log("authorize: refused", "error", code, "description", desc)
		v := url.Values{"error": {code}, "error_description": {desc}, "state": {state}}
		http.Redirect(w, r, redirectURI+"?"+v.Encode(), http.StatusFound)
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "response_type must be code")
		return
	}
	requested := splitScopes(q.Get("scope"))
	if len(requested) == 0 {
		fail("invalid_scope", "scope is required")
		return
	}
	for _, sc := range requested {
		if !slices.Contains(knownScopes, sc) {
			fail("invalid_scope", "unknown scope "+sc)
			return
		}
	}
	if state == "" {
		fail("invalid_request", "state is required")
		return
	}
	challenge := q.Get("code_challenge")
	if q.Get("code_challenge_method") != "S256" {
		fail("invalid_request", "code_challenge_method must be S256")
		return
	}
	// S256 challenge: base64url of a SHA-256 digest, 43 chars, no padding.
	if b, err := base64.RawURLEncoding.DecodeString(challenge); err != nil || len(b) != sha256.Size {
		fail("invalid_request", "code_challenge must be BASE64URL(SHA256(code_verifier))")
		return
	}
	if s.denyConsent {
		fail("access_denied", "The user denied the authorization request")
		return
	}
	u := s.consentUser()
	granted := requested
	if s.grantScopes != nil {
		granted = slices.DeleteFunc(slices.Clone(requested), func(sc string) bool { return !slices.Contains(s.grantScopes, sc) })
	}
	code := randomToken("code.")
	s.codes[code] = &authCode{
		clientKey: s.clientKey, redirectURI: redirectURI, challenge: challenge,
		openID: u.openID, scopes: granted, expires: s.now().Add(codeTTL),
	}
	s.log("authorize: consented", "open_id", u.openID, "scopes", strings.Join(granted, ","))
	v := url.Values{"code": {code}, "scopes": {strings.Join(granted, ",")}, "state": {state}}
	http.Redirect(w, r, redirectURI+"?"+v.Encode(), http.StatusFound)
}

// checkRedirectURI applies Login Kit's redirect URI rules (absolute, http or
// https, static: no query, no fragment) and the registered list if any.
func (s *Server) checkRedirectURI(raw string) string {
	if raw == "" {
		return "is required"
	}
	if len(raw) >= 512 {
		return "must be shorter than 512 characters"
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "must be an absolute http(s) URL"
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.Contains(raw, "#") {
		return "must be static (no query or fragment)"
	}
	if len(s.redirectURIs) > 0 && !slices.Contains(s.redirectURIs, raw) {
		return "is not registered for this app"
	}
	return ""
}

// consentUser is the account consenting now; callers hold s.mu.
func (s *Server) consentUser() *user {
	if u := s.users[s.consentAs]; s.consentAs != "" && u != nil {
		return u
	}
	// Named by a random tag, not a count: the fake starts again with every
	// serve --demo while the accounts linked before stay in the database,
	// so a count gave two members the same "TikTok Member 1" (and open_id).
	s.userSeq++
	tag := rand.Text()[:8]
	id := "fake-open-id-" + tag
	u := &user{
		openID:      id,
		unionID:     "fake-union-id-" + tag,
		displayName: "TikTok Member " + tag,
		avatarURL:   s.ts.URL + "/avatar/" + id,
	}
	s.users[id] = u
	return u
}

func splitScopes(v string) []string {
	var out []string
	for sc := range strings.SplitSeq(v, ",") {
		if sc = strings.TrimSpace(sc); sc != "" && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// --- token and revoke -----------------------------------------------------

// handleToken serves grant_type authorization_code and refresh_token as the
// token-management pages describe: form-encoded, client_key and
// client_secret in the body, single-use codes bound to redirect_uri and the
// PKCE challenge, refresh tokens rotated on every use.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.takeFault(Token); ok {
		s.log("token refused by injected fault", "status", f.Status, "code", f.Code)
		s.writeOAuthError(w, f.Status, f.Code, f.Message, f.RetryAfter)
		return
	}
	form, ok := s.readForm(w, r)
	if !ok {
		return
	}
	if !s.clientOK(form) {
		s.log("token: bad client credentials")
		s.writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client key or secret is invalid.", 0)
		return
	}
	switch gt := form.Get("grant_type"); gt {
	case "authorization_code":
		s.exchangeCode(w, form)
	case "refresh_token":
		s.refreshGrant(w, form)
	default:
		s.log("token: unsupported grant_type", "grant_type", gt)
		s.writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token", 0)
	}
}

func (s *Server) exchangeCode(w http.ResponseWriter, form url.Values) {
	code := form.Get("code")
	ac := s.codes[code]
	switch {
	case ac == nil || s.now().After(ac.expires):
		s.log("token: unknown or expired code")
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "Authorization code is expired or invalid.", 0)
		return
	case ac.used:
		// RFC 6749 §4.1.2: a replayed code revokes what it issued.
		for _, at := range ac.issued {
			if t := s.access[at]; t != nil {
				t.revoked = true
			}
		}
		s.log("token: code replayed; revoking its tokens", "open_id", ac.openID)
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "Authorization code has been used.", 0)
		return
	}
	// Any attempt consumes the code, so a wrong verifier cannot be retried
	// against it.
	ac.used = true
	if form.Get("redirect_uri") != ac.redirectURI {
		s.log("token: redirect_uri differs from the authorize request")
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request.", 0)
		return
	}
	verifier := form.Get("code_verifier")
	if !validVerifier(verifier) || !challengeMatches(ac.challenge, verifier) {
		// TikTok answers a PKCE mismatch with invalid_request and this text
		// (as reported by developers; RFC 7636 §4.6 would say invalid_grant).
		s.log("token: PKCE verification failed")
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Code verifier or code challenge is invalid.", 0)
		return
	}
	at, _ := s.issue(w, ac.openID, ac.scopes, "authorization_code")
	ac.issued = append(ac.issued, at)
}

func (s *Server) refreshGrant(w http.ResponseWriter, form url.Values) {
	rt := s.refresh[form.Get("refresh_token")]
	if rt == nil || rt.dead || s.now().After(rt.expires) {
		s.log("token: refresh token refused")
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "Refresh token is invalid or expired.", 0)
		return
	}
	// Rotation: "The previous refresh token stops working once a new one is
	// issued."
	rt.dead = true
	s.issue(w, rt.openID, rt.scopes, "refresh_token")
}

// issue writes a token response; callers hold s.mu.
func (s *Server) issue(w http.ResponseWriter, openID string, scopes []string, grant string) (access, refresh string) {
	now := s.now()
	access, refresh = randomToken("act."), randomToken("rft.")
	s.access[access] = &accessToken{openID: openID, scopes: scopes, expires: now.Add(AccessTokenTTL)}
	s.refresh[refresh] = &refreshToken{openID: openID, scopes: scopes, expires: now.Add(RefreshTokenTTL)}
	s.log("token: issued", "grant_type", grant, "open_id", openID)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":       access,
		"expires_in":         int64(AccessTokenTTL / time.Second),
		"open_id":            openID,
		"refresh_expires_in": int64(RefreshTokenTTL / time.Second),
		"refresh_token":      refresh,
		"scope":              strings.Join(scopes, ","),
		"token_type":         "Bearer",
	})
	return access, refresh
}

// handleRevoke disconnects the app from the token's account: every access
// and refresh token of that account stops working. An unknown token still
// answers success (RFC 7009 §2.2), with the documented empty body.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.takeFault(Revoke); ok {
		s.log("revoke refused by injected fault", "status", f.Status, "code", f.Code)
		s.writeOAuthError(w, f.Status, f.Code, f.Message, f.RetryAfter)
		return
	}
	form, ok := s.readForm(w, r)
	if !ok {
		return
	}
	if !s.clientOK(form) {
		s.writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client key or secret is invalid.", 0)
		return
	}
	if form.Get("token") == "" {
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "token is required", 0)
		return
	}
	if t := s.access[form.Get("token")]; t != nil {
		for _, a := range s.access {
			if a.openID == t.openID {
				a.revoked = true
			}
		}
		for _, rt := range s.refresh {
			if rt.openID == t.openID {
				rt.dead = true
			}
		}
		s.log("revoke: app disconnected", "open_id", t.openID)
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

func (s *Server) readForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded", 0)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request parameters are malformed.", 0)
		return nil, false
	}
	return r.PostForm, true
}

func (s *Server) clientOK(form url.Values) bool {
	return subtle.ConstantTimeCompare([]byte(form.Get("client_key")), []byte(s.clientKey)) == 1 &&
		subtle.ConstantTimeCompare([]byte(form.Get("client_secret")), []byte(s.clientSecret)) == 1
}

// validVerifier applies RFC 7636 §4.1: 43–128 unreserved characters.
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)) {
			return false
		}
	}
	return true
}

func challengeMatches(challenge, verifier string) bool {
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// writeOAuthError uses the OAuth error shape {"error","error_description",
// "log_id"}; callers hold s.mu.
func (s *Server) writeOAuthError(w http.ResponseWriter, status int, code, desc string, retryAfter time.Duration) {
	setRetryAfter(w, retryAfter)
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc, "log_id": s.logID()})
}

// --- v2 API plumbing ------------------------------------------------------

// apiStatus is the HTTP status TikTok pairs with each v2 error code
// (tiktok-api-v2-error-handling; spam_risk_* from the upload page).
func apiStatus(code string) int {
	switch {
	case code == "access_token_invalid" || code == "scope_not_authorized":
		return http.StatusUnauthorized
	case code == "rate_limit_exceeded":
		return http.StatusTooManyRequests
	case code == "internal_error":
		return http.StatusInternalServerError
	case strings.HasPrefix(code, "spam_risk") || code == "reached_active_user_cap" || code == "unaudited_client_can_only_post_to_private_accounts":
		return http.StatusForbidden
	default:
		return http.StatusBadRequest
	}
}

// writeAPIError uses the v2 envelope; callers hold s.mu.
func (s *Server) writeAPIError(w http.ResponseWriter, status int, code, msg string, retryAfter time.Duration) {
	if status == 0 {
		status = apiStatus(code)
	}
	setRetryAfter(w, retryAfter)
	writeJSON(w, status, map[string]any{
		"data":  map[string]any{},
		"error": map[string]string{"code": code, "message": msg, "log_id": s.logID()},
	})
}

func (s *Server) writeAPIData(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{
		"data":  data,
		"error": map[string]string{"code": "ok", "message": "", "log_id": s.logID()},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiAuth runs the common front of every v2 API: count, injected fault,
// Bearer token, per-token rate limit, scope. Callers hold s.mu.
func (s *Server) apiAuth(w http.ResponseWriter, r *http.Request, ep Endpoint, scopes ...string) (*accessToken, string, bool) {
	if f, ok := s.takeFault(ep); ok {
		s.log(string(ep)+" refused by injected fault", "status", f.Status, "code", f.Code)
		s.writeAPIError(w, f.Status, f.Code, f.Message, f.RetryAfter)
		return nil, "", false
	}
	tok, ok := trimBearer(r.Header.Get("Authorization"))
	t := s.access[tok]
	if !ok || t == nil || t.revoked || !s.now().Before(t.expires) {
		s.log(string(ep) + ": access token refused")
		s.writeAPIError(w, 0, "access_token_invalid", "The access token is invalid or not found in the request.", 0)
		return nil, "", false
	}
	if wait, ok := s.allow(ep, tok); !ok {
		s.log(string(ep)+": rate limited", "open_id", t.openID, "retry_after", wait)
		s.writeAPIError(w, 0, "rate_limit_exceeded", "The API rate limit was exceeded. Please try again later.", wait)
		return nil, "", false
	}
	if len(scopes) > 0 && !hasScope(t.scopes, scopes...) {
		s.log(string(ep)+": scope missing", "open_id", t.openID, "need", strings.Join(scopes, "|"))
		s.writeAPIError(w, 0, "scope_not_authorized", "The user did not authorize the scope required for completing this request.", 0)
		return nil, "", false
	}
	return t, tok, true
}

// handleUserInfo serves GET /v2/user/info/?fields=… with the requested
// fields of data.user.
func (s *Server) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, _, ok := s.apiAuth(w, r, UserInfo, "user.info.basic")
	if !ok {
		return
	}
	fields := splitScopes(r.URL.Query().Get("fields"))
	if len(fields) == 0 {
		s.writeAPIError(w, 0, "invalid_params", "fields is required", 0)
		return
	}
	u := s.users[t.openID]
	all := map[string]string{"open_id": u.openID, "union_id": u.unionID, "avatar_url": u.avatarURL, "display_name": u.displayName}
	out := map[string]string{}
	for _, f := range fields {
		v, known := all[f]
		if !known {
			s.writeAPIError(w, 0, "invalid_params", "unknown or unauthorized field "+f, 0)
			return
		}
		out[f] = v
	}
	s.log("user_info", "open_id", u.openID)
	s.writeAPIData(w, map[string]any{"user": out})
}
