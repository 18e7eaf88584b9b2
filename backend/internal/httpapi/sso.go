package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/netguard"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Single sign-on with OpenID Connect: the authorization code flow with
// PKCE, state and nonce, run by the server. The app starts it (and says
// where the browser goes at the end), the person signs in at their
// company's provider, the provider sends the browser to /oauth/sso/callback,
// and the server checks the ID token, provisions the person and hands the
// app a one-time code that POST /api/v1/auth/sso/exchange turns into a
// session.

const (
	ssoFlowTTL     = 10 * time.Minute
	ssoCodeTTL     = time.Minute
	ssoProviderTTL = 10 * time.Minute
	ssoListMax     = 50
	ssoDomainsMax  = 50
)

// ssoProviders caches discovery documents by issuer, and limits starts.
type ssoProviders struct {
	mu     sync.Mutex
	byURL  map[string]cachedProvider
	starts *auth.Limiter
	once   sync.Once
}

type cachedProvider struct {
	p   *oidc.Provider
	at  time.Time
	err error
}

func (s *Server) ssoHTTP() *http.Client {
	g := netguard.Guard{}
	if s.o.SSOLoopback {
		g.Allow = netguard.Loopback
	}
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		Proxy: nil, DialContext: g.Dialer(10 * time.Second).DialContext, TLSHandshakeTimeout: 10 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second, MaxResponseHeaderBytes: 64 << 10,
	}}
}

// provider returns the issuer's discovery document, fetched at most every
// ssoProviderTTL (a failure too, briefly, so a down provider is not hammered).
func (s *Server) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	s.sso.mu.Lock()
	if s.sso.byURL == nil {
		s.sso.byURL = map[string]cachedProvider{}
	}
	cp, ok := s.sso.byURL[issuer]
	s.sso.mu.Unlock()
	now := s.now()
	if ok && now.Sub(cp.at) < ssoProviderTTL && (cp.err == nil || now.Sub(cp.at) < 10*time.Second) {
		return cp.p, cp.err
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, s.ssoHTTP()), issuer)
	if err != nil {
		err = domain.Errorf(domain.CodeValidation, "the provider's discovery document at %s could not be read: %v", issuer, err)
	}
	s.sso.mu.Lock()
	s.sso.byURL[issuer] = cachedProvider{p: p, at: now, err: err}
	s.sso.mu.Unlock()
	return p, err
}

func (s *Server) ssoRedirectURI() string { return s.o.PublicURL + "/oauth/sso/callback" }

func (s *Server) oauthConfig(conf store.SSO, p *oidc.Provider) (oauth2.Config, error) {
	secret, err := s.o.SSOSealer.Open(conf.ClientSecret)
	if err != nil {
		return oauth2.Config{}, fmt.Errorf("open the client secret: %w", err)
	}
	return oauth2.Config{ClientID: conf.ClientID, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: s.ssoRedirectURI(),
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}, nil
}

func toSSOSettings(c store.SSO) client.SSOSettings {
	return client.SSOSettings{Enabled: c.Enabled, DisplayName: c.DisplayName, IssuerURL: c.IssuerURL, ClientID: c.ClientID,
		SecretSet: c.ClientSecret != "", AllowedDomains: c.AllowedDomains, PasswordLogin: c.PasswordLogin}
}

// ssoSettings is GET …/sso (owners).
func (s *Server) ssoSettings(c *call, _ none) (client.SSOSettings, error) {
	conf, err := s.store.ProgramSSO(c.ctx, c.programID)
	if isCode(err, domain.CodeNotFound) {
		return client.SSOSettings{PasswordLogin: true, AllowedDomains: []string{}}, nil
	}
	out := toSSOSettings(conf)
	out.FromConfig = c.programID == s.o.SSOFromConfig
	return out, err
}

// setSSO is PATCH …/sso (owners): switched on only with a provider whose
// discovery document reads, a client id and secret, and allowed domains.
func (s *Server) setSSO(c *call, in client.SSOInput) (client.SSOSettings, error) {
	if s.o.SSOSealer == nil {
		return client.SSOSettings{}, domain.Errorf(domain.CodeConflict, "this server has no key to keep a client secret with; single sign-on cannot be set up")
	}
	if c.programID == s.o.SSOFromConfig {
		return client.SSOSettings{}, domain.Errorf(domain.CodeConflict, "this program's single sign-on is set in the server's configuration (CHORUS_SSO_*); ask the server's administrator")
	}
	conf, err := s.store.ProgramSSO(c.ctx, c.programID)
	if isCode(err, domain.CodeNotFound) {
		p, perr := s.store.Program(c.ctx, c.programID)
		if perr != nil {
			return client.SSOSettings{}, perr
		}
		conf, err = store.SSO{ProgramID: c.programID, DisplayName: p.Name, PasswordLogin: true, AllowedDomains: []string{}}, nil
	}
	if err != nil {
		return client.SSOSettings{}, err
	}
	f := domain.Fields{}
	if in.Enabled != nil {
		conf.Enabled = *in.Enabled
	}
	if in.DisplayName != nil {
		if conf.DisplayName, err = requireName(*in.DisplayName); err != nil {
			f.Add("display_name", "is required")
		}
	}
	if in.IssuerURL != nil {
		conf.IssuerURL = strings.TrimRight(strings.TrimSpace(*in.IssuerURL), "/")
	}
	if in.ClientID != nil {
		conf.ClientID = strings.TrimSpace(*in.ClientID)
	}
	if in.ClientSecret != nil && *in.ClientSecret != "" {
		conf.ClientSecret = s.o.SSOSealer.Seal(*in.ClientSecret)
	}
	if in.PasswordLogin != nil {
		conf.PasswordLogin = *in.PasswordLogin
	}
	if in.AllowedDomains != nil {
		conf.AllowedDomains = []string{}
		if len(*in.AllowedDomains) > ssoDomainsMax {
			f.Add("allowed_domains", fmt.Sprintf("at most %d domains", ssoDomainsMax))
		}
		for _, d := range *in.AllowedDomains {
			d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
			if d == "" {
				continue
			}
			if strings.ContainsAny(d, "@, /:") || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
				f.Add("allowed_domains", "must be email domains such as example.com: "+d)
				continue
			}
			if !slices.Contains(conf.AllowedDomains, d) {
				conf.AllowedDomains = append(conf.AllowedDomains, d)
			}
		}
	}
	if conf.IssuerURL != "" {
		if err := s.checkIssuer(conf.IssuerURL); err != nil {
			f.Add("issuer_url", err.Error())
		}
	}
	if conf.Enabled {
		if conf.IssuerURL == "" {
			f.Add("issuer_url", "is required to switch single sign-on on")
		}
		if conf.ClientID == "" {
			f.Add("client_id", "is required to switch single sign-on on")
		}
		if conf.ClientSecret == "" {
			f.Add("client_secret", "is required to switch single sign-on on")
		}
		if len(conf.AllowedDomains) == 0 {
			f.Add("allowed_domains", "name at least one email domain whose people may sign in")
		}
	}
	if err := f.Err(); err != nil {
		return client.SSOSettings{}, err
	}
	if conf.Enabled {
		// A provider that cannot be reached is said now, not at the first
		// person's sign-in.
		if _, err := s.provider(c.ctx, conf.IssuerURL); err != nil {
			return client.SSOSettings{}, &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention", Fields: map[string]string{"issuer_url": err.Error()}}
		}
	}
	conf.UpdatedAt = c.now
	onOff := "off"
	if conf.Enabled {
		onOff = "on"
	}
	c.audited(c.programID, fmt.Sprintf("single sign-on %s: %s, client %s, domains %s, password sign-in %v", onOff, conf.IssuerURL, conf.ClientID, strings.Join(conf.AllowedDomains, " "), conf.PasswordLogin),
		"enabled", strconv.FormatBool(conf.Enabled), "issuer", conf.IssuerURL, "client", conf.ClientID,
		"domains", strings.Join(conf.AllowedDomains, " "), "passwords", strconv.FormatBool(conf.PasswordLogin))
	if err := s.store.SaveSSO(c.ctx, conf); err != nil {
		return client.SSOSettings{}, err
	}
	return toSSOSettings(conf), nil
}

func (s *Server) checkIssuer(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("must be the provider's issuer URL, such as https://login.example.com")
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" && s.o.SSOLoopback && netguard.IsLoopbackHost(u.Hostname()) {
		return nil
	}
	return errors.New("must be an https URL")
}

// ssoList is GET /api/v1/auth/sso: the sign-in screen's buttons.
func (s *Server) ssoList(c *call, _ none) (client.List[client.SSOProvider], error) {
	cs, err := s.store.EnabledSSO(c.ctx, ssoListMax)
	return list(cs, func(conf store.SSO) client.SSOProvider {
		return client.SSOProvider{ProgramID: conf.ProgramID, ProgramName: conf.ProgramName, DisplayName: conf.DisplayName, PasswordLogin: conf.PasswordLogin}
	}), err
}

// checkReturn allows only places that belong to the person's own device
// or to this server: the desktop app's loopback listener, the phone app's
// URL scheme, or the web build ("" ). Never another site: the code there
// would be someone else's session.
func (s *Server) checkReturn(ret string) (string, error) {
	if ret == "" {
		return "", nil
	}
	u, err := url.Parse(ret)
	bad := domain.Errorf(domain.CodeValidation, "return must be a loopback address of this device (http://127.0.0.1:PORT/…), the app's chorus://sso?challenge=… or empty")
	if err != nil || u.User != nil || u.Fragment != "" {
		return "", bad
	}
	switch {
	case u.Scheme == client.SSOAppScheme:
		if ssoAppChallenge(u) == "" {
			return "", bad
		}
		return ret, nil
	case u.Scheme == "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return ret, nil
		}
	}
	return "", bad
}

// ssoAppChallenge is the challenge of a phone app's return,
// chorus://sso?challenge=… and nothing else; "" for any other address.
// Any app can register a URL scheme, so the code sent there is bound to
// the challenge: only the app holding its verifier can exchange it.
func ssoAppChallenge(u *url.URL) string {
	if u.Scheme != client.SSOAppScheme || u.Host != "sso" || (u.Path != "" && u.Path != "/") || u.Opaque != "" || u.User != nil || u.Fragment != "" {
		return ""
	}
	q := u.Query()
	ch := q.Get("challenge")
	if len(q) != 1 || len(q["challenge"]) != 1 || len(ch) != 43 || strings.Trim(ch, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return ""
	}
	return ch
}

// ssoCodeKey is what a one-time code is stored under: the code, and for a
// phone app's return its challenge too.
func ssoCodeKey(code, challenge string) string {
	if challenge == "" {
		return auth.HashToken(code)
	}
	return auth.HashToken(code + "." + challenge)
}

// startSSO is POST /api/v1/auth/sso/start?program=…&return=….
func (s *Server) startSSO(c *call, _ none) (client.SSOStart, error) {
	s.sso.once.Do(func() { s.sso.starts = auth.NewLimiter(time.Minute, 30) })
	if ok, wait, _ := s.sso.starts.Try(s.clientIP(c.r), c.now); !ok {
		return client.SSOStart{}, tooManyTries(wait)
	}
	conf, err := s.store.ProgramSSO(c.ctx, c.query("program"))
	if isCode(err, domain.CodeNotFound) || (err == nil && !conf.Enabled) {
		return client.SSOStart{}, domain.Errorf(domain.CodeNotFound, "this program does not offer single sign-on")
	} else if err != nil {
		return client.SSOStart{}, err
	}
	ret, err := s.checkReturn(c.query("return"))
	if err != nil {
		return client.SSOStart{}, err
	}
	p, err := s.provider(c.ctx, conf.IssuerURL)
	if err != nil {
		return client.SSOStart{}, domain.Errorf(domain.CodeConflict, "the company's sign-in service does not answer; try again later or sign in with your password")
	}
	oc, err := s.oauthConfig(conf, p)
	if err != nil {
		return client.SSOStart{}, err
	}
	state, stateHash := auth.NewToken(32)
	nonce, _ := auth.NewToken(32)
	verifier := oauth2.GenerateVerifier()
	if err := s.store.StartSSOFlow(c.ctx, stateHash, store.SSOFlow{ProgramID: conf.ProgramID, Nonce: nonce,
		Verifier: s.o.SSOSealer.Seal(verifier), ReturnTo: ret, ExpiresAt: c.now.Add(ssoFlowTTL)}, c.now); err != nil {
		return client.SSOStart{}, err
	}
	return client.SSOStart{URL: oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))}, nil
}

// ssoFailure is a sign-in that did not complete: code for the app, text
// for the person.
type ssoFailure struct{ code, en, zh string }

var (
	ssoRefused      = ssoFailure{"refused", "The sign-in was cancelled or refused by your company's sign-in service.", "登录已被公司的登录服务取消或拒绝。"}
	ssoBadToken     = ssoFailure{"invalid_token", "Your company's sign-in service sent an answer that is not valid for Chorus.", "公司登录服务返回的凭据对 Chorus 无效。"}
	ssoExpired      = ssoFailure{"expired_token", "The sign-in took too long and expired. Start again from Chorus.", "登录已过期，请从 Chorus 重新开始。"}
	ssoNonce        = ssoFailure{"nonce_mismatch", "This answer belongs to another sign-in. Start again from Chorus.", "此应答属于另一次登录，请从 Chorus 重新开始。"}
	ssoUnverified   = ssoFailure{"email_unverified", "Your company's sign-in service has not verified your email address.", "公司登录服务尚未验证您的邮箱地址。"}
	ssoDomain       = ssoFailure{"domain_not_allowed", "Your email address is not one this program lets in. Ask your manager.", "此计划不接受您的邮箱地址，请询问您的管理员。"}
	ssoUnavailable  = ssoFailure{"unavailable", "Your company's sign-in service does not answer. Try again later.", "公司登录服务无应答，请稍后重试。"}
	ssoStaleOrUsed  = ssoFailure{"expired_flow", "This sign-in has expired or was already used. Start again from Chorus.", "此次登录已过期或已使用，请从 Chorus 重新开始。"}
	ssoSubjectClash = ssoFailure{"invalid_token", "Your company's sign-in service gave two different accounts for one sign-in.", "公司登录服务在同一次登录中给出了两个不同的账号。"}
)

// ssoCallback is GET /oauth/sso/callback: the provider sends the browser
// here. On success the browser goes on to where the app said, with a
// one-time code; on failure with the reason, or to a page saying it.
func (s *Server) ssoCallback(c *call, _ none) (htmlPage, error) {
	flow, err := s.store.TakeSSOFlow(c.ctx, auth.HashToken(c.query("state")), c.now)
	if err != nil {
		if isCode(err, domain.CodeNotFound) {
			return s.ssoPage(c, http.StatusBadRequest, ssoStaleOrUsed)
		}
		return htmlPage{}, err
	}
	fail := func(f ssoFailure) (htmlPage, error) {
		s.log.Info("single sign-on refused", "program", flow.ProgramID, "reason", f.code)
		if flow.ReturnTo == "" {
			return s.ssoRedirect(c, s.appLink("sso-error", f.code))
		}
		return s.ssoRedirect(c, withQuery(flow.ReturnTo, "sso_error", f.code))
	}
	if c.query("error") != "" || c.query("code") == "" {
		return fail(ssoRefused)
	}
	conf, err := s.store.ProgramSSO(c.ctx, flow.ProgramID)
	if err != nil || !conf.Enabled {
		return fail(ssoRefused)
	}
	p, err := s.provider(c.ctx, conf.IssuerURL)
	if err != nil {
		return fail(ssoUnavailable)
	}
	oc, err := s.oauthConfig(conf, p)
	if err != nil {
		return htmlPage{}, err
	}
	verifier, err := s.o.SSOSealer.Open(flow.Verifier)
	if err != nil {
		return htmlPage{}, err
	}
	ctx := oidc.ClientContext(c.ctx, s.ssoHTTP())
	tok, err := oc.Exchange(ctx, c.query("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return fail(ssoBadToken)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return fail(ssoBadToken)
	}
	// go-oidc checks the signature against the provider's keys, the
	// issuer, the audience (our client id) and the expiry, by our clock.
	idt, err := p.Verifier(&oidc.Config{ClientID: conf.ClientID, Now: s.now}).Verify(ctx, raw)
	if err != nil {
		var exp *oidc.TokenExpiredError
		if errors.As(err, &exp) {
			return fail(ssoExpired)
		}
		return fail(ssoBadToken)
	}
	if idt.Nonce != flow.Nonce {
		return fail(ssoNonce)
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified *bool  `json:"email_verified"`
		Name          string `json:"name"`
		Locale        string `json:"locale"`
	}
	if err := idt.Claims(&claims); err != nil {
		return fail(ssoBadToken)
	}
	if claims.Email == "" || claims.EmailVerified == nil {
		// Many providers keep these claims for the UserInfo endpoint.
		info, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return fail(ssoUnavailable)
		}
		if info.Subject != idt.Subject {
			return fail(ssoSubjectClash)
		}
		var more struct {
			Name   string `json:"name"`
			Locale string `json:"locale"`
		}
		_ = info.Claims(&more)
		verified := info.EmailVerified
		claims.Email, claims.EmailVerified = info.Email, &verified
		if claims.Name == "" {
			claims.Name = more.Name
		}
		if claims.Locale == "" {
			claims.Locale = more.Locale
		}
	}
	email, ok := domain.NormalizeEmail(claims.Email)
	if !ok || claims.EmailVerified == nil || !*claims.EmailVerified {
		return fail(ssoUnverified)
	}
	_, dom, _ := strings.Cut(email, "@")
	if !slices.Contains(conf.AllowedDomains, dom) {
		return fail(ssoDomain)
	}
	in := store.SSOSignIn{ProgramID: conf.ProgramID, Issuer: idt.Issuer, Subject: idt.Subject, CodeTTL: ssoCodeTTL}
	u, err := s.store.SSOIdentity(c.ctx, idt.Issuer, idt.Subject)
	if isCode(err, domain.CodeNotFound) {
		u, err = s.store.UserByEmail(c.ctx, email)
	}
	switch {
	case err == nil:
		in.User = u
	case isCode(err, domain.CodeNotFound):
		// Just-in-time: the company's provider vouches for this person.
		name := strings.TrimSpace(claims.Name)
		if name == "" || len([]rune(name)) > domain.MaxNameLength {
			name = strings.SplitN(email, "@", 2)[0]
		}
		p, err := s.store.Program(c.ctx, conf.ProgramID)
		if err != nil {
			return htmlPage{}, err
		}
		locale := domain.LocaleEnglish
		if strings.HasPrefix(strings.ToLower(claims.Locale), "zh") {
			locale = domain.LocaleChinese
		}
		in.User = domain.User{ID: domain.NewID("usr"), Email: email, Name: name, Timezone: p.Timezone, Locale: locale, CreatedAt: c.now}
		in.CreateUser = true
	default:
		return htmlPage{}, err
	}
	code, _ := auth.NewToken(32)
	challenge := ""
	if ret, err := url.Parse(flow.ReturnTo); err == nil && flow.ReturnTo != "" {
		challenge = ssoAppChallenge(ret)
	}
	in.CodeHash = ssoCodeKey(code, challenge)
	if err := s.store.CompleteSSO(c.ctx, in, c.now); err != nil {
		return htmlPage{}, err
	}
	s.caches.forgetMembers(conf.ProgramID)
	s.membershipChanged(c.ctx, conf.ProgramID, in.User.ID)
	if flow.ReturnTo == "" {
		return s.ssoRedirect(c, s.appLink("sso", code))
	}
	return s.ssoRedirect(c, withQuery(flow.ReturnTo, "sso_code", code))
}

func withQuery(raw, k, v string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *Server) ssoRedirect(c *call, to string) (htmlPage, error) {
	h := c.w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Location", to)
	c.w.WriteHeader(http.StatusSeeOther)
	return htmlPage{}, errHandled
}

func (s *Server) ssoPage(c *call, status int, f ssoFailure) (htmlPage, error) {
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_ = pageTmpl.Execute(c.w, struct{ Title, Body, BodyZh string }{"Sign-in not completed", f.en, f.zh})
	return htmlPage{}, errHandled
}

func docSSOCallback(op map[string]any) {
	op["responses"].(map[string]any)["303"] = map[string]any{"description": "on to the app with sso_code (or sso_error)",
		"headers": map[string]any{"Location": map[string]any{"schema": map[string]any{"type": "string"}}}}
}

// exchangeSSO is POST /api/v1/auth/sso/exchange: the one-time code, once,
// within a minute, for a session.
func (s *Server) exchangeSSO(c *call, in client.SSOExchange) (client.Session, error) {
	challenge := ""
	if in.Verifier != "" {
		challenge = client.SSOChallenge(in.Verifier)
	}
	u, err := s.store.TakeSSOCode(c.ctx, ssoCodeKey(strings.TrimSpace(in.Code), challenge), c.now)
	if isCode(err, domain.CodeNotFound) {
		return client.Session{}, domain.Errorf(domain.CodeUnauthorized, "this sign-in code has expired or was used; sign in again")
	} else if err != nil {
		return client.Session{}, err
	}
	return s.newSession(c, u)
}

// ssoOnly refuses a password sign-in to a person whose program asks for
// its provider instead (after the password was checked: it tells nothing
// to someone who does not know it).
func (s *Server) ssoOnly(c *call, u domain.User) error {
	name, err := s.store.PasswordLoginBlocked(c.ctx, u.ID)
	if err != nil || name == "" {
		return err
	}
	return &domain.Error{Code: wire.CodeSSORequired, Message: fmt.Sprintf("your company signs you in: choose \"Sign in with %s\"", name)}
}
