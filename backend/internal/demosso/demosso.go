// Package demosso is the OpenID provider of `serve --demo`: zitadel's
// certified provider library (op) on loopback with its example storage,
// the demo people as its users, and a sign-in page where one picks who to
// be (no password: it is a demo, like the demo's TikTok consent). The demo
// program's "Sign in with Demo Company" goes through it end to end:
// discovery, PKCE, signed ID tokens, the UserInfo endpoint.
package demosso

import (
	"context"
	"crypto/sha256"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Person is someone the demo provider can sign in.
type Person struct{ Email, Name string }

// Provider is the running demo provider.
type Provider struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	srv          *http.Server
}

type people map[string]*storage.User

func (p people) GetUserByID(id string) *storage.User { return p[id] }
func (p people) GetUserByUsername(name string) *storage.User {
	for _, u := range p {
		if u.Username == name {
			return u
		}
	}
	return nil
}
func (p people) ExampleClientID() string { return "service" }

// demoPassword is the provider's own: the page fills it in.
const demoPassword = "demo-provider"

// Start runs the provider on a loopback port for the Chorus server whose
// public address is publicURL.
func Start(publicURL string, who []Person) (*Provider, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	issuer := "http://" + ln.Addr().String()
	users := people{}
	for i, p := range who {
		id := fmt.Sprintf("demo%d", i+1)
		first, last, _ := strings.Cut(p.Name, " ")
		users[id] = &storage.User{ID: id, Username: p.Email, Password: demoPassword, FirstName: first, LastName: last,
			Email: p.Email, EmailVerified: true, PreferredLanguage: language.English}
	}
	pr := &Provider{Issuer: issuer, ClientID: "chorus-demo", ClientSecret: "chorus-demo-secret"}
	clients := map[string]*storage.Client{pr.ClientID: storage.WebClient(pr.ClientID, pr.ClientSecret, strings.TrimRight(publicURL, "/")+"/oauth/sso/callback")}
	st := storage.NewStorageWithClients(users, clients)
	key := sha256.Sum256([]byte("chorus demo provider"))
	provider, err := op.NewProvider(&op.Config{CryptoKey: key, CodeMethodS256: true, AuthMethodPost: true, SupportedUILocales: []language.Tag{language.English}},
		st, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		ln.Close()
		return nil, err
	}
	callback := op.AuthCallbackURL(provider)
	mux := http.NewServeMux()
	// The sign-in page: pick a demo person. The example storage's users
	// sign in with its password check, so the request is marked done as
	// with any provider's login form.
	mux.HandleFunc("GET /login/username", func(w http.ResponseWriter, r *http.Request) {
		var list []*storage.User
		for i := 1; i <= len(users); i++ {
			list = append(list, users[fmt.Sprintf("demo%d", i)])
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pickPage.Execute(w, struct {
			ID     string
			People []*storage.User
		}{r.FormValue("authRequestID"), list})
	})
	mux.HandleFunc("POST /login/username", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("id")
		if err := st.CheckUsernamePassword(r.FormValue("username"), demoPassword, id); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", provider)
	pr.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = pr.srv.Serve(ln) }()
	return pr, nil
}

// Close stops the provider.
func (p *Provider) Close(ctx context.Context) error { return p.srv.Shutdown(ctx) }

var pickPage = template.Must(template.New("pick").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Company sign-in</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#222}button{display:block;width:100%;margin:.4rem 0;padding:.7rem;font-size:1rem;text-align:left;cursor:pointer}</style>
</head><body><h1>Demo Company</h1><p>This is the demo's sign-in service (an OpenID Provider). Choose who you are:</p>
{{range .People}}<form method="post" action="/login/username"><input type="hidden" name="id" value="{{$.ID}}"><input type="hidden" name="username" value="{{.Username}}"><button type="submit" name="as" value="{{.ID}}">{{.FirstName}} {{.LastName}} · {{.Email}}</button></form>
{{end}}</body></html>`))
