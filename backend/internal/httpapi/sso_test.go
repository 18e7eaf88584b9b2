package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/secret"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// The provider in these tests is zitadel's OpenID Provider library (the
// op package, OpenID certified) serving its example storage and login
// form on loopback: real discovery, keys, authorization codes with PKCE,
// and signed ID tokens. Only what a test case needs is bent: the ID
// tokens' lifetime, or their audience (the provider always names the
// client it answers, so a token for another audience is the provider's
// own token re-signed with its own key after its token endpoint made it).

type idpUsers map[string]*storage.User

func (u idpUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u idpUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u idpUsers) ExampleClientID() string { return "service" }

type idpStorage struct {
	*storage.Storage
	mu       sync.Mutex
	audience []string      // non-nil: the ID tokens' audience
	lifetime time.Duration // non-zero: the ID tokens' lifetime
}

type bentClient struct {
	op.Client
	life time.Duration
}

func (c bentClient) IDTokenLifetime() time.Duration { return c.life }

func (s *idpStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && s.lifetime != 0 {
		return bentClient{c, s.lifetime}, nil
	}
	return c, err
}

func (s *idpStorage) bend(aud []string, life time.Duration) {
	s.mu.Lock()
	s.audience, s.lifetime = aud, life
	s.mu.Unlock()
}

// resign changes an ID token's audience and signs it with the provider's key.
func resign(t *testing.T, st *idpStorage, raw string, aud []string) string {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		t.Fatal(err)
	}
	claims["aud"], claims["azp"] = aud, aud[0]
	key, err := st.SigningKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: key.SignatureAlgorithm(), Key: jose.JSONWebKey{Key: key.Key(), KeyID: key.ID()}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	signed, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := signed.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type idp struct {
	issuer string
	st     *idpStorage
}

// startIdP runs the provider on loopback with a client for the API at api.
func startIdP(t *testing.T, api string) *idp {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	user := func(id, email string, verified bool) *storage.User {
		return &storage.User{ID: id, Username: id, Password: "idp-password", FirstName: strings.ToUpper(id[:1]) + id[1:], LastName: "Example",
			Email: email, EmailVerified: verified, PreferredLanguage: language.English}
	}
	users := idpUsers{
		"alice": user("alice", "alice@acme.test", true),
		"bob":   user("bob", "bob@acme.test", false),
		"eve":   user("eve", "eve@elsewhere.test", true),
		"mgr":   user("mgr", "MGR@acme.test", true),
	}
	clients := map[string]*storage.Client{"chorus": storage.WebClient("chorus", "client-secret", api+"/oauth/sso/callback")}
	st := &idpStorage{Storage: storage.NewStorageWithClients(users, clients)}
	h := exampleop.SetupServer(issuer, st, nil, false)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.mu.Lock()
		aud := st.audience
		st.mu.Unlock()
		if aud == nil || r.URL.Path != "/oauth/token" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["id_token"] == nil {
			t.Errorf("token endpoint: %s", rec.Body)
			return
		}
		body["id_token"] = resign(t, st, body["id_token"].(string), aud)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return &idp{issuer: issuer, st: st}
}

const appReturn = "http://127.0.0.1:9/sso-done"

// signIn is the person's browser: it opens the provider's page, signs in
// with the form, and follows the redirects until one goes back to the app.
// It answers that address and the callback the provider sent it to.
func signIn(t *testing.T, authURL, username string) (back, callback *url.URL) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.Contains(req.URL.Path, "/oauth/sso/callback") {
			callback = req.URL
		}
		if strings.HasPrefix(req.URL.String(), appReturn) || strings.Contains(req.URL.Fragment, "sso") || req.URL.Scheme == client.SSOAppScheme {
			back = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("the provider did not show its sign-in form: %s %d", resp.Request.URL, resp.StatusCode)
	}
	resp, err = hc.PostForm(resp.Request.URL.String(), url.Values{"username": {username}, "password": {"idp-password"}, "id": {id}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if back == nil {
		t.Fatalf("the browser never came back to the app (last %s %d)", resp.Request.URL, resp.StatusCode)
	}
	return back, callback
}

func TestSingleSignOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		keys, err := secret.New(strings.Repeat("k", 40))
		if err != nil {
			t.Fatal(err)
		}
		e := apitest.New(t, st, func(o *httpapi.Options) { o.SSOSealer, o.SSOLoopback = keys, true })
		pid, owner := e.ProgramID, e.Manager
		p := startIdP(t, e.URL)

		// Settings: owners only, checked, the secret never answered.
		carolID, carol := e.AddMember("carol@acme.test", "UTC")
		_, err = carol.SetSSO(ctx, pid, client.SSOInput{Enabled: apitest.Ptr(true)})
		wantStatus(t, "a member sets SSO", err, 403)
		_, err = owner.SetSSO(ctx, pid, client.SSOInput{Enabled: apitest.Ptr(true), IssuerURL: apitest.Ptr("ftp://x")})
		wantStatus(t, "a bad issuer", err, 422)
		_, err = owner.SetSSO(ctx, pid, client.SSOInput{Enabled: apitest.Ptr(true), IssuerURL: apitest.Ptr("http://127.0.0.1:1"), ClientID: apitest.Ptr("chorus"),
			ClientSecret: apitest.Ptr("client-secret"), AllowedDomains: &[]string{"acme.test"}})
		wantStatus(t, "a provider that does not answer", err, 422)
		set := must[client.SSOSettings](t)(owner.SetSSO(ctx, pid, client.SSOInput{Enabled: apitest.Ptr(true), DisplayName: apitest.Ptr("Acme SSO"),
			IssuerURL: apitest.Ptr(p.issuer), ClientID: apitest.Ptr("chorus"), ClientSecret: apitest.Ptr("client-secret"), AllowedDomains: &[]string{"@ACME.test"}}))
		if !set.Enabled || !set.SecretSet || set.AllowedDomains[0] != "acme.test" || !set.PasswordLogin {
			t.Fatalf("settings: %+v", set)
		}
		if conf, err := st.ProgramSSO(ctx, pid); err != nil || conf.ClientSecret == "" || strings.Contains(conf.ClientSecret, "client-secret") {
			t.Fatalf("the client secret at rest: %q %v", conf.ClientSecret, err)
		}
		anon := e.Client()
		provs := must[[]client.SSOProvider](t)(anon.SSOProviders(ctx))
		if len(provs) != 1 || provs[0].DisplayName != "Acme SSO" || provs[0].ProgramID != pid {
			t.Fatalf("providers: %+v", provs)
		}

		start := func() string {
			t.Helper()
			return must[client.SSOStart](t)(e.Client().StartSSO(ctx, pid, appReturn)).URL
		}
		failsWith := func(what, username, want string, authURL string) {
			t.Helper()
			back, _ := signIn(t, authURL, username)
			if got := back.Query().Get("sso_error"); got != want {
				t.Fatalf("%s: back to the app with %s, want sso_error=%s", what, back, want)
			}
		}

		// A new person from an allowed domain joins as a member.
		authURL := start()
		q := must[*url.URL](t)(url.Parse(authURL)).Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
			t.Fatalf("the authorization request lacks PKCE, nonce or state: %s", authURL)
		}
		back, callback := signIn(t, authURL, "alice")
		code := back.Query().Get("sso_code")
		if code == "" {
			t.Fatalf("back to the app without a code: %s", back)
		}
		alice := e.Client()
		sess := must[client.Session](t)(alice.ExchangeSSO(ctx, code))
		if sess.User.Email != "alice@acme.test" || len(sess.User.Memberships) != 1 || sess.User.Memberships[0].Role != wire.RoleMember || sess.User.Name != "Alice Example" {
			t.Fatalf("the new member: %+v", sess.User)
		}
		must[client.Feed](t)(alice.Feed(ctx, pid, ""))
		_, err = e.Client().ExchangeSSO(ctx, code)
		wantStatus(t, "a code used twice", err, 401)
		// The provider's answer cannot be played again.
		resp, err := http.Get(callback.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("a replayed callback: %d", resp.StatusCode)
		}
		// Alice again: the same account.
		back, _ = signIn(t, start(), "alice")
		if again := must[client.Session](t)(e.Client().ExchangeSSO(ctx, back.Query().Get("sso_code"))); again.User.ID != sess.User.ID {
			t.Fatal("a second sign-in made a second account")
		}
		// An existing account with a verified email of the domain is the
		// same person; their role stays.
		back, _ = signIn(t, start(), "mgr")
		if m := must[client.Session](t)(e.Client().ExchangeSSO(ctx, back.Query().Get("sso_code"))); m.User.ID != e.ManagerID || m.User.Memberships[0].Role != wire.RoleOwner {
			t.Fatalf("the owner through SSO: %+v", m.User)
		}

		failsWith("an unverified email", "bob", "email_unverified", start())
		failsWith("a domain not allowed", "eve", "domain_not_allowed", start())
		// A token for another audience.
		p.st.bend([]string{"someone-else"}, 0)
		failsWith("the wrong audience", "alice", "invalid_token", start())
		// A token that has expired.
		p.st.bend(nil, -time.Minute)
		failsWith("an expired token", "alice", "expired_token", start())
		p.st.bend(nil, 0)
		// A token made for another sign-in's nonce.
		u := must[*url.URL](t)(url.Parse(start()))
		q = u.Query()
		q.Set("nonce", "not-the-nonce-chorus-sent")
		u.RawQuery = q.Encode()
		failsWith("the wrong nonce", "alice", "nonce_mismatch", u.String())
		// Only loopback, the app's scheme or the web build get the code.
		_, err = e.Client().StartSSO(ctx, pid, "https://evil.test/steal")
		wantStatus(t, "a return to another site", err, 422)
		// The phone app's scheme, only as chorus://sso with a challenge.
		verifier := client.NewSSOVerifier()
		ch := client.SSOChallenge(verifier)
		for _, bad := range []string{"chorus://sso", "chorus://evil.test/?challenge=" + ch, "chorus://sso?challenge=short",
			"chorus://sso?challenge=" + ch + "&next=https://evil.test", "chorus://sso?challenge=" + ch + "&challenge=" + ch,
			"chorus:sso?challenge=" + ch, "chorus://sso/more?challenge=" + ch, "chorus://sso?challenge=" + ch[:42] + "%2B",
			"chorus://u@sso?challenge=" + ch, "chorusx://sso?challenge=" + ch, "javascript://sso?challenge=" + ch} {
			_, err = e.Client().StartSSO(ctx, pid, bad)
			wantStatus(t, "return "+bad, err, 422)
		}
		back, _ = signIn(t, must[client.SSOStart](t)(e.Client().StartSSO(ctx, pid, client.SSOAppReturn(verifier))).URL, "alice")
		code = back.Query().Get("sso_code")
		if back.Scheme != "chorus" || back.Host != "sso" || back.Query().Get("challenge") != ch || code == "" {
			t.Fatalf("the phone app's return: %s", back)
		}
		// The code alone (another app that caught the URL) or with
		// another verifier is refused, and stays good for the app.
		_, err = e.Client().ExchangeSSO(ctx, code)
		wantStatus(t, "a phone app's code without its verifier", err, 401)
		_, err = e.Client().ExchangeAppSSO(ctx, code, client.NewSSOVerifier())
		wantStatus(t, "a phone app's code with another verifier", err, 401)
		if phone := must[client.Session](t)(e.Client().ExchangeAppSSO(ctx, code, verifier)); phone.User.ID != sess.User.ID {
			t.Fatalf("the phone app signed in as %+v", phone.User)
		}
		_, err = e.Client().ExchangeAppSSO(ctx, code, verifier)
		wantStatus(t, "a phone app's code used twice", err, 401)
		// A loopback code is not made good by a verifier either.
		back, _ = signIn(t, start(), "alice")
		_, err = e.Client().ExchangeAppSSO(ctx, back.Query().Get("sso_code"), verifier)
		wantStatus(t, "a loopback code with a verifier", err, 401)
		// A refusal comes back to the app's scheme too.
		back, _ = signIn(t, must[client.SSOStart](t)(e.Client().StartSSO(ctx, pid, client.SSOAppReturn(verifier))).URL, "bob")
		if back.Scheme != "chorus" || back.Query().Get("sso_error") != "email_unverified" || back.Query().Get("sso_code") != "" {
			t.Fatalf("a refusal to the phone app: %s", back)
		}
		// The web build (same origin) gets it in its address.
		authURL = must[client.SSOStart](t)(e.Client().StartSSO(ctx, pid, "")).URL
		back, _ = signIn(t, authURL, "alice")
		if !strings.HasPrefix(back.String(), e.URL+"/app/#sso/") {
			t.Fatalf("the web build's return: %s", back)
		}

		// Passwords off: members sign in with the provider; owners keep
		// their password for when it is down.
		must[client.SSOSettings](t)(owner.SetSSO(ctx, pid, client.SSOInput{PasswordLogin: apitest.Ptr(false)}))
		_, err = e.Client().Login(ctx, "carol@acme.test", apitest.Password)
		wantStatus(t, "a password sign-in with passwords off", err, 403)
		if client.Code(err) != "sso_required" {
			t.Fatalf("code: %v", err)
		}
		must[client.Session](t)(e.Client().Login(ctx, "mgr@acme.test", apitest.Password))
		_ = carolID

		// Every settings change is in the audit log.
		page := must[client.AuditPage](t)(owner.AuditLog(ctx, pid, 0, 50))
		n := 0
		for _, a := range page.Items {
			if a.Action == "settings.sso" {
				n++
				if strings.Contains(a.Detail, "client-secret") || strings.Contains(fmt.Sprint(a.Args), "client-secret") {
					t.Fatal("the audit log shows the client secret")
				}
				if a.Args["issuer"] == "" || (a.Args["enabled"] != "true" && a.Args["enabled"] != "false") {
					t.Errorf("settings.sso args: %v", a.Args)
				}
			}
		}
		if n != 2 {
			t.Fatalf("settings.sso entries: %d", n)
		}
	})
}
