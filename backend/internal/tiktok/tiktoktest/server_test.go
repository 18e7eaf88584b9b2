package tiktoktest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests speak raw HTTP so the fake's rules are checked without the
// client package, whose mistakes they are meant to catch.

const cb = "https://chorus.example/cb"

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func pkce() (verifier, challenge string) {
	verifier = strings.Repeat("v", 43)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizeQuery(s *Server, challenge string) url.Values {
	return url.Values{
		"client_key": {s.ClientKey()}, "scope": {"user.info.basic,video.upload"}, "response_type": {"code"},
		"redirect_uri": {cb}, "state": {"st"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
}

func getAuthorize(t *testing.T, s *Server, q url.Values) *http.Response {
	t.Helper()
	resp, err := noRedirect.Get(s.URL() + "/v2/auth/authorize/?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func postForm(t *testing.T, s *Server, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URL()+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// connectRaw runs authorize and the code exchange; it returns the access token.
func connectRaw(t *testing.T, s *Server) string {
	t.Helper()
	v, ch := pkce()
	loc, _ := url.Parse(getAuthorize(t, s, authorizeQuery(s, ch)).Header.Get("Location"))
	status, body := postForm(t, s, "/v2/oauth/token/", url.Values{
		"client_key": {s.ClientKey()}, "client_secret": {s.ClientSecret()}, "code": {loc.Query().Get("code")},
		"grant_type": {"authorization_code"}, "redirect_uri": {cb}, "code_verifier": {v},
	})
	if status != http.StatusOK || body["access_token"] == nil {
		t.Fatalf("token: %d %v", status, body)
	}
	if body["expires_in"] != float64(86400) || body["token_type"] != "Bearer" || body["scope"] != "user.info.basic,video.upload" {
		t.Fatalf("token response %v", body)
	}
	return body["access_token"].(string)
}

func apiJSON(t *testing.T, s *Server, path, token string, in any) (int, http.Header, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, s.URL()+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, resp.Header, body
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestAuthorizeValidation(t *testing.T) {
	s := New(WithRedirectURIs(cb))
	defer s.Close()
	_, ch := pkce()

	// Unknown client or redirect URI: an error page, never a redirect.
	for name, mod := range map[string]func(url.Values){
		"client_key":           func(q url.Values) { q.Set("client_key", "other") },
		"unregistered uri":     func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") },
		"uri with query":       func(q url.Values) { q.Set("redirect_uri", cb+"?x=1") },
		"relative uri":         func(q url.Values) { q.Set("redirect_uri", "/cb") },
		"missing redirect_uri": func(q url.Values) { q.Del("redirect_uri") },
	} {
		q := authorizeQuery(s, ch)
		mod(q)
		if resp := getAuthorize(t, s, q); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400 without redirect", name, resp.StatusCode)
		}
	}

	// Other problems redirect back with error and the state.
	for name, tc := range map[string]struct {
		mod  func(url.Values)
		want string
	}{
		"response_type": {func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type"},
		"unknown scope": {func(q url.Values) { q.Set("scope", "user.info.basic,video.delete") }, "invalid_scope"},
		"no scope":      {func(q url.Values) { q.Del("scope") }, "invalid_scope"},
		"no state":      {func(q url.Values) { q.Del("state") }, "invalid_request"},
		"no challenge":  {func(q url.Values) { q.Del("code_challenge") }, "invalid_request"},
		"plain method":  {func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
		"hex challenge": {func(q url.Values) { q.Set("code_challenge", strings.Repeat("ab", 32)) }, "invalid_request"},
	} {
		q := authorizeQuery(s, ch)
		tc.mod(q)
		resp := getAuthorize(t, s, q)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != tc.want {
			t.Errorf("%s: %d %s, want redirect with error=%s", name, resp.StatusCode, loc, tc.want)
		}
	}

	resp := getAuthorize(t, s, authorizeQuery(s, ch))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if q := loc.Query(); q.Get("code") == "" || q.Get("state") != "st" || q.Get("scopes") != "user.info.basic,video.upload" {
		t.Fatalf("consent redirect %s", loc)
	}
	if n := s.Calls(Authorize); n != 13 {
		t.Fatalf("Calls(Authorize) = %d, want 13", n)
	}
}

func TestTokenEndpointValidation(t *testing.T) {
	s := New()
	defer s.Close()
	v, ch := pkce()
	code := func() string {
		loc, _ := url.Parse(getAuthorize(t, s, authorizeQuery(s, ch)).Header.Get("Location"))
		return loc.Query().Get("code")
	}
	base := func() url.Values {
		return url.Values{"client_key": {s.ClientKey()}, "client_secret": {s.ClientSecret()}, "code": {code()},
			"grant_type": {"authorization_code"}, "redirect_uri": {cb}, "code_verifier": {v}}
	}
	for name, tc := range map[string]struct {
		mod    func(url.Values)
		status int
		want   string
	}{
		"secret":         {func(f url.Values) { f.Set("client_secret", "x") }, 401, "invalid_client"},
		"grant type":     {func(f url.Values) { f.Set("grant_type", "password") }, 400, "unsupported_grant_type"},
		"unknown code":   {func(f url.Values) { f.Set("code", "nope") }, 400, "invalid_grant"},
		"redirect_uri":   {func(f url.Values) { f.Set("redirect_uri", cb+"/") }, 400, "invalid_grant"},
		"no verifier":    {func(f url.Values) { f.Del("code_verifier") }, 400, "invalid_request"},
		"short verifier": {func(f url.Values) { f.Set("code_verifier", "abc") }, 400, "invalid_request"},
	} {
		f := base()
		tc.mod(f)
		status, body := postForm(t, s, "/v2/oauth/token/", f)
		if status != tc.status || body["error"] != tc.want || body["log_id"] == "" {
			t.Errorf("%s: %d %v, want %d %s", name, status, body, tc.status, tc.want)
		}
	}
	// JSON instead of a form is refused.
	resp, err := http.Post(s.URL()+"/v2/oauth/token/", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("JSON body: %d", resp.StatusCode)
	}
}

func TestCheckChunkRules(t *testing.T) {
	const MiB = int64(1 << 20)
	tests := []struct {
		name        string
		size, chunk int64
		total       int
		ok          bool
	}{
		{"small whole", 1 * MiB, 1 * MiB, 1, true},
		{"small chunked", 4 * MiB, 2 * MiB, 2, false},
		{"5,000,000 bytes is under 5 MiB so must be whole", 5_000_000, 5_000_000, 1, true},
		{"whole 30 MB", 30 * MiB, 30 * MiB, 1, true},
		{"guide example", 50_000_123, 10_000_000, 5, true},
		{"count rounded up", 50_000_123, 10_000_000, 6, false},
		{"chunk 5,000,000 is under 5 MiB", 20_000_000, 5_000_000, 4, false},
		{"chunk 64 MiB is over 64,000,000", 200 * MiB, 64 * MiB, 3, false},
		{"chunk 64,000,000", 200 * MiB, 64_000_000, 3, true},
		{"over 64 MB in one chunk", 100 * MiB, 64_000_000, 1, false},
		{"whole over 64 MB", 65_000_000, 65_000_000, 1, false},
		{"1001 chunks", 1001 * 6 * MiB, 6 * MiB, 1001, false},
		{"1000 chunks", 1000 * 6 * MiB, 6 * MiB, 1000, true},
		{"zero size", 0, 0, 1, false},
	}
	for _, tt := range tests {
		if got := checkChunkRules(tt.size, tt.chunk, tt.total) == ""; got != tt.ok {
			t.Errorf("%s: accepted = %v, want %v (%s)", tt.name, got, tt.ok, checkChunkRules(tt.size, tt.chunk, tt.total))
		}
	}
}

func TestInitAndUploadValidation(t *testing.T) {
	s := New()
	defer s.Close()
	tok := connectRaw(t, s)
	const size = 12<<20 + 3 // two chunks of 6 MiB, the last with 3 extra bytes
	const chunk = 6 << 20

	status, _, body := apiJSON(t, s, "/v2/post/publish/inbox/video/init/", tok, map[string]any{
		"source_info": map[string]any{"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": 3},
	})
	if status != http.StatusBadRequest || errCode(body) != "invalid_params" {
		t.Fatalf("mismatched count: %d %v", status, body)
	}
	status, _, body = apiJSON(t, s, "/v2/post/publish/inbox/video/init/", tok, map[string]any{
		"source_info": map[string]any{"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": 2},
	})
	if status != http.StatusOK || errCode(body) != "ok" {
		t.Fatalf("init: %d %v", status, body)
	}
	data := body["data"].(map[string]any)
	id, uploadURL := data["publish_id"].(string), data["upload_url"].(string)
	if s.InitCount() != 1 || s.Calls(Init) != 2 {
		t.Fatalf("InitCount %d, Calls %d", s.InitCount(), s.Calls(Init))
	}

	video := bytes.Repeat([]byte("chorus!"), size/7+1)[:size]
	put := func(contentRange, contentType string, body []byte, chunked bool) int {
		var r io.Reader = bytes.NewReader(body)
		if chunked {
			r = io.MultiReader(r) // hides the length: sent chunked
		}
		req, _ := http.NewRequest(http.MethodPut, uploadURL, r)
		req.Header.Set("Content-Range", contentRange)
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	first, second := video[:chunk], video[chunk:]
	for name, tc := range map[string]struct {
		rng, ct string
		body    []byte
		chunked bool
		want    int
	}{
		"second chunk first": {fmt.Sprintf("bytes %d-%d/%d", chunk, size-1, size), "video/mp4", second, false, 416},
		"wrong total":        {fmt.Sprintf("bytes 0-%d/%d", chunk-1, size+1), "video/mp4", first, false, 400},
		"short chunk":        {fmt.Sprintf("bytes 0-%d/%d", chunk-2, size), "video/mp4", first[:chunk-1], false, 400},
		"length differs":     {fmt.Sprintf("bytes 0-%d/%d", chunk-1, size), "video/mp4", first[:100], false, 400},
		"not a video":        {fmt.Sprintf("bytes 0-%d/%d", chunk-1, size), "application/octet-stream", first, false, 400},
		"malformed range":    {fmt.Sprintf("bytes=0-%d/%d", chunk-1, size), "video/mp4", first, false, 400},
		"no Content-Length":  {fmt.Sprintf("bytes 0-%d/%d", chunk-1, size), "video/mp4", first, true, 411},
	} {
		if got := put(tc.rng, tc.ct, tc.body, tc.chunked); got != tc.want {
			t.Errorf("%s: status %d, want %d", name, got, tc.want)
		}
	}
	if len(s.Uploaded(id)) != 0 {
		t.Fatal("refused chunks were stored")
	}
	if got := put(fmt.Sprintf("bytes 0-%d/%d", chunk-1, size), "video/mp4", first, false); got != http.StatusPartialContent {
		t.Fatalf("chunk 1: %d, want 206", got)
	}
	if got := put(fmt.Sprintf("bytes %d-%d/%d", chunk, size-1, size), "video/webm", second, false); got != http.StatusBadRequest {
		t.Fatalf("content type switched mid-upload: %d, want 400", got)
	}
	if got := put(fmt.Sprintf("bytes %d-%d/%d", chunk, size-1, size), "video/mp4", second, false); got != http.StatusCreated {
		t.Fatalf("last chunk: %d, want 201", got)
	}
	if !bytes.Equal(s.Uploaded(id), video) {
		t.Fatal("staged bytes differ")
	}
}

func TestAPIAuthAndFaults(t *testing.T) {
	s := New()
	defer s.Close()
	tok := connectRaw(t, s)

	status, _, body := apiJSON(t, s, "/v2/post/publish/status/fetch/", "act.nope", map[string]string{"publish_id": "x"})
	if status != http.StatusUnauthorized || errCode(body) != "access_token_invalid" {
		t.Fatalf("unknown token: %d %v", status, body)
	}
	s.FailNext(Status, Fault{Status: 429, RetryAfter: 1500 * time.Millisecond})
	status, hdr, body := apiJSON(t, s, "/v2/post/publish/status/fetch/", tok, map[string]string{"publish_id": "x"})
	if status != http.StatusTooManyRequests || errCode(body) != "rate_limit_exceeded" || hdr.Get("Retry-After") != "2" {
		t.Fatalf("injected 429: %d %v Retry-After=%q", status, body, hdr.Get("Retry-After"))
	}
	s.SetRateLimit(Status, 0, 0)
	for range 40 {
		if status, _, _ := apiJSON(t, s, "/v2/post/publish/status/fetch/", tok, map[string]string{"publish_id": "x"}); status == 429 {
			t.Fatal("rate limit still applied after removal")
		}
	}
	s.RefuseInit("spam_risk_user_banned_from_posting")
	status, _, body = apiJSON(t, s, "/v2/post/publish/inbox/video/init/", tok, map[string]any{})
	if status != http.StatusForbidden || errCode(body) != "spam_risk_user_banned_from_posting" {
		t.Fatalf("RefuseInit: %d %v", status, body)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := New()
	defer s.Close()
	toks := make([]string, 8)
	for i := range toks {
		toks[i] = connectRaw(t, s)
	}
	var wg sync.WaitGroup
	statuses := make([]int, len(toks))
	for i, tok := range toks {
		wg.Go(func() {
			b, _ := json.Marshal(map[string]any{
				"source_info": map[string]any{"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1},
			})
			req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v2/post/publish/inbox/video/init/", bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				statuses[i] = resp.StatusCode
				resp.Body.Close()
			}
			_ = s.Calls(Init)
			_ = s.PublishIDs()
		})
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusOK {
			t.Errorf("init %d: status %d", i, st)
		}
	}
	if s.InitCount() != len(toks) || len(s.PublishIDs()) != len(toks) {
		t.Fatalf("InitCount %d, PublishIDs %d, want %d", s.InitCount(), len(s.PublishIDs()), len(toks))
	}
}
