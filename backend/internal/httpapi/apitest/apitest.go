// Package apitest runs a real API server on loopback for tests and checks
// every response it sends against the server's own OpenAPI document.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/seed"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// FastPasswords keeps argon2 cheap in tests.
var FastPasswords = auth.Params{Time: 1, Memory: 1024, Threads: 1}

// Password is every test person's password.
const Password = "password-123"

// Env is a running server with one program and its manager signed in.
type Env struct {
	T         testing.TB
	URL       string
	Store     *store.Store
	API       *httpapi.Server
	ProgramID string
	Manager   *client.Client
	ManagerID string
	Media     *media.Service
	validator *validator
}

// New starts a server on st with a program "Acme" (manager mgr@acme.test,
// zone Asia/Shanghai). Options may adjust the server.
func New(t testing.TB, st *store.Store, adjust ...func(*httpapi.Options)) *Env {
	t.Helper()
	// The listener comes first: the API must know its public URL (OAuth
	// redirects, links) before it is built.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := httpapi.Options{Store: st, PasswordParams: FastPasswords, PublicURL: "http://" + ln.Addr().String()}
	for _, f := range adjust {
		f(&o)
	}
	if o.Media == nil {
		o.Media = NewMedia(t, st)
	}
	api := httpapi.New(o)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: api.Handler()}}
	srv.Start()
	t.Cleanup(srv.Close)
	e := &Env{T: t, URL: srv.URL, Store: st, API: api, Media: o.Media}
	e.validator = newValidator(t, srv.URL)
	prog, mgr, err := seed.CreateProgram(context.Background(), st, "Acme", "Asia/Shanghai",
		seed.UserSpec{Email: "mgr@acme.test", Name: "Manager", Password: Password, Timezone: "Asia/Shanghai"}, FastPasswords)
	if err != nil {
		t.Fatal(err)
	}
	e.ProgramID, e.ManagerID = prog.ID, mgr.ID
	e.Manager = e.SignIn("mgr@acme.test")
	return e
}

// Client returns an anonymous client whose responses are validated.
func (e *Env) Client() *client.Client {
	return client.New(e.URL).SetTransport(e.validator).SetRetryCount(0)
}

// SignIn signs a person in.
func (e *Env) SignIn(email string) *client.Client {
	e.T.Helper()
	c := e.Client()
	if _, err := c.Login(context.Background(), email, Password); err != nil {
		e.T.Fatalf("sign in %s: %v", email, err)
	}
	return c
}

// AddMember invites a member, accepts the invite as them with the test
// password and returns them signed in.
func (e *Env) AddMember(email, zone string, groupIDs ...string) (string, *client.Client) {
	e.T.Helper()
	res, err := e.Manager.AddMember(context.Background(), e.ProgramID, client.AddMember{Email: email, Name: strings.Split(email, "@")[0], Timezone: zone, GroupIDs: groupIDs})
	if err != nil {
		e.T.Fatalf("add member %s: %v", email, err)
	}
	c := e.Client()
	if _, err := c.AcceptInvite(context.Background(), client.AcceptInvite{Code: res.InviteCode, Name: strings.Split(email, "@")[0], Password: Password}); err != nil {
		e.T.Fatalf("accept invite %s: %v", email, err)
	}
	return res.Member.ID, c
}

// OtherProgram creates a second program with its own manager, signed in.
func (e *Env) OtherProgram() (string, *client.Client) {
	e.T.Helper()
	prog, _, err := seed.CreateProgram(context.Background(), e.Store, "Other Inc", "UTC",
		seed.UserSpec{Email: "boss@other.test", Password: Password}, FastPasswords)
	if err != nil {
		e.T.Fatal(err)
	}
	return prog.ID, e.SignIn("boss@other.test")
}

// Validated counts the responses checked against the OpenAPI document.
func (e *Env) Validated() int {
	e.validator.mu.Lock()
	defer e.validator.mu.Unlock()
	return e.validator.n
}

// validator is an http.RoundTripper that checks each response against the
// OpenAPI document the server serves.
type validator struct {
	t      testing.TB
	router routers.Router
	mu     sync.Mutex
	n      int
}

// Pages for browsers (share pages, the OAuth callback) are checked for
// their status and content type; their bodies are text.
func init() { openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder) }

func newValidator(t testing.TB, base string) *validator {
	resp, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &validator{t: t, router: router}
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := v.check(req, resp, body); err != nil {
		v.t.Errorf("response does not match openapi.json: %s %s -> %d: %v\nbody: %.500s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	return resp, nil
}

func (v *validator) check(req *http.Request, resp *http.Response, body []byte) error {
	route, params, err := v.router.FindRoute(req)
	if err != nil && req.Method == http.MethodHead {
		// Every GET route answers HEAD too (net/http); its responses
		// carry no body to check.
		get := req.Clone(req.Context())
		get.Method = http.MethodGet
		route, params, err = v.router.FindRoute(get)
	}
	if err != nil {
		if resp.StatusCode == http.StatusNotFound {
			return nil // unknown paths answer 404 with the error shape
		}
		return fmt.Errorf("no route in the document: %v", err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err
	}
	v.mu.Lock()
	v.n++
	v.mu.Unlock()
	return nil
}

// Code returns the API error code of err.
func Code(err error) string { return client.Code(err) }

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

var _ = domain.CodeNotFound

// NewMedia returns a media service storing in a temp directory; o adjusts
// its options (link-preview allow-list, limits).
func NewMedia(t testing.TB, st *store.Store, o ...func(*media.Options)) *media.Service {
	t.Helper()
	mo := media.Options{Store: st}
	for _, f := range o {
		f(&mo)
	}
	svc, err := media.OpenDir(t.TempDir(), mo)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// HTTP returns a plain HTTP client whose responses are validated against
// the OpenAPI document (for requests the API client does not make:
// Range, If-None-Match, hand-made chunks).
func (e *Env) HTTP() *http.Client { return &http.Client{Transport: e.validator} }

// UploadMedia uploads the file at path for kind as the manager, in small
// chunks, and returns the media; the test fails if it is refused.
func (e *Env) UploadMedia(kind, path string) client.UploadResult {
	e.T.Helper()
	f, err := os.Open(path)
	if err != nil {
		e.T.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		e.T.Fatal(err)
	}
	res, err := e.Manager.UploadMedia(context.Background(), e.ProgramID,
		client.UploadRequest{Kind: kind, Filename: filepath.Base(path), Size: st.Size()}, f, client.UploadOptions{ChunkSize: 4096})
	if err != nil {
		e.T.Fatalf("upload %s as %s: %v", path, kind, err)
	}
	return res
}

// TestData is the path of a file in backend/mediacheck/testdata, from any
// package directory of the module.
func TestData(name string) string {
	dir, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "backend", "mediacheck", "testdata", name)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("apitest.TestData: no go.mod above " + dir)
		}
		dir = parent
	}
}
