package tiktok_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/tiktok"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktok/tiktoktest"
)

const redirectURI = "https://chorus.example/oauth/tiktok/callback"

func newPair(t *testing.T, opts ...tiktoktest.Option) (*tiktoktest.Server, *tiktok.Client) {
	t.Helper()
	s := tiktoktest.New(opts...)
	t.Cleanup(s.Close)
	c, err := tiktok.New(tiktok.Config{
		ClientKey: s.ClientKey(), ClientSecret: s.ClientSecret(),
		AuthBaseURL: s.URL(), APIBaseURL: s.URL(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// authorize follows the consent page to the redirect and returns the
// callback's query, as the member's browser would deliver it.
func authorize(t *testing.T, c *tiktok.Client, state, challenge string) url.Values {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(c.AuthorizeURL(state, redirectURI, challenge))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		t.Fatalf("redirected to %s, want %s", got, redirectURI)
	}
	return loc.Query()
}

func connect(t *testing.T, c *tiktok.Client) tiktok.Token {
	t.Helper()
	verifier, challenge := tiktok.NewPKCE()
	code, _, err := tiktok.ParseCallback(authorize(t, c, "st", challenge))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.ExchangeCode(context.Background(), code, redirectURI, verifier)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestOAuthFlow(t *testing.T) {
	ctx := context.Background()
	s, c := newPair(t)
	s.SetUser("open-ana", "Ana Lima", "https://example.test/ana.png")
	s.ConsentAs("open-ana")

	key := []byte("0123456789abcdef0123456789abcdef")
	state := tiktok.SignState(key, tiktok.StateData{UserID: "usr_ana"}, time.Now())
	verifier, challenge := tiktok.NewPKCE()
	code, gotState, err := tiktok.ParseCallback(authorize(t, c, state, challenge))
	if err != nil {
		t.Fatal(err)
	}
	sd, err := tiktok.VerifyState(key, gotState, time.Now())
	if err != nil || sd.UserID != "usr_ana" {
		t.Fatalf("state came back as %+v, %v", sd, err)
	}

	tok, err := c.ExchangeCode(ctx, code, redirectURI, verifier)
	if err != nil {
		t.Fatal(err)
	}
	if tok.OpenID != "open-ana" || tok.AccessToken == "" || tok.RefreshToken == "" || len(tok.MissingScopes()) != 0 {
		t.Fatalf("token = %+v", tok)
	}
	if d := time.Until(tok.ExpiresAt); d < 23*time.Hour || d > 25*time.Hour {
		t.Fatalf("access token expires in %v, want expires_in 86400", d)
	}

	u, err := c.UserInfo(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if u != (tiktok.User{OpenID: "open-ana", UnionID: "union-open-ana", DisplayName: "Ana Lima", AvatarURL: "https://example.test/ana.png"}) {
		t.Fatalf("user = %+v", u)
	}

	// Refresh rotates: the new pair works, the old refresh token is dead.
	tok2, err := c.Refresh(ctx, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if tok2.RefreshToken == tok.RefreshToken || tok2.AccessToken == tok.AccessToken {
		t.Fatal("refresh did not rotate the tokens")
	}
	if _, err := c.Refresh(ctx, tok.RefreshToken); !errors.Is(err, tiktok.ErrInvalidGrant) || !tiktok.NeedsReconnect(err) {
		t.Fatalf("old refresh token: %v, want invalid_grant", err)
	}
	if _, err := c.UserInfo(ctx, tok2.AccessToken); err != nil {
		t.Fatalf("refreshed access token: %v", err)
	}

	// Revoke disconnects the account: its tokens stop working.
	if err := c.Revoke(ctx, tok2.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UserInfo(ctx, tok2.AccessToken); !tiktok.IsTokenInvalid(err) {
		t.Fatalf("after revoke: %v, want access_token_invalid", err)
	}
	if _, err := c.Refresh(ctx, tok2.RefreshToken); !errors.Is(err, tiktok.ErrInvalidGrant) {
		t.Fatalf("refresh after revoke: %v", err)
	}
}

func TestExchangeRefusals(t *testing.T) {
	ctx := context.Background()
	s, c := newPair(t)

	t.Run("wrong PKCE verifier", func(t *testing.T) {
		_, challenge := tiktok.NewPKCE()
		other, _ := tiktok.NewPKCE()
		code, _, _ := tiktok.ParseCallback(authorize(t, c, "st", challenge))
		_, err := c.ExchangeCode(ctx, code, redirectURI, other)
		var ae *tiktok.APIError
		if !errors.As(err, &ae) || ae.Code != tiktok.CodeInvalidRequest || ae.LogID == "" {
			t.Fatalf("err = %v, want invalid_request with a log_id", err)
		}
	})
	t.Run("redirect_uri differs", func(t *testing.T) {
		v, ch := tiktok.NewPKCE()
		code, _, _ := tiktok.ParseCallback(authorize(t, c, "st", ch))
		if _, err := c.ExchangeCode(ctx, code, redirectURI+"x", v); !errors.Is(err, tiktok.ErrInvalidGrant) {
			t.Fatalf("err = %v, want invalid_grant", err)
		}
	})
	t.Run("code is single-use and replay revokes", func(t *testing.T) {
		v, ch := tiktok.NewPKCE()
		code, _, _ := tiktok.ParseCallback(authorize(t, c, "st", ch))
		tok, err := c.ExchangeCode(ctx, code, redirectURI, v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ExchangeCode(ctx, code, redirectURI, v); !errors.Is(err, tiktok.ErrInvalidGrant) {
			t.Fatalf("replay: %v, want invalid_grant", err)
		}
		if _, err := c.UserInfo(ctx, tok.AccessToken); !tiktok.IsTokenInvalid(err) {
			t.Fatalf("token of a replayed code still works: %v", err)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		bad, _ := tiktok.New(tiktok.Config{ClientKey: s.ClientKey(), ClientSecret: "nope", AuthBaseURL: s.URL(), APIBaseURL: s.URL()})
		v, ch := tiktok.NewPKCE()
		code, _, _ := tiktok.ParseCallback(authorize(t, bad, "st", ch))
		_, err := bad.ExchangeCode(ctx, code, redirectURI, v)
		var ae *tiktok.APIError
		if !errors.As(err, &ae) || ae.Code != tiktok.CodeInvalidClient || tiktok.IsTokenInvalid(err) || tiktok.Retryable(err) {
			t.Fatalf("err = %v, want final invalid_client", err)
		}
	})
}

func TestDenyConsent(t *testing.T) {
	s, c := newPair(t)
	s.DenyConsent(true)
	_, ch := tiktok.NewPKCE()
	q := authorize(t, c, "st-1", ch)
	code, state, err := tiktok.ParseCallback(q)
	if code != "" || state != "st-1" || !errors.Is(err, tiktok.ErrAccessDenied) || !tiktok.NeedsReconnect(err) {
		t.Fatalf("ParseCallback(%v) = %q, %q, %v", q, code, state, err)
	}
	if tiktok.UserMessage(err) == tiktok.UserMessage(errors.New("x")) {
		t.Fatal("consent refusal has no specific message")
	}
	s.DenyConsent(false)
	if _, _, err := tiktok.ParseCallback(authorize(t, c, "st-2", ch)); err != nil {
		t.Fatalf("after DenyConsent(false): %v", err)
	}
}

func TestMissingUploadScope(t *testing.T) {
	s, c := newPair(t)
	s.GrantOnly(tiktok.ScopeUserInfoBasic)
	tok := connect(t, c)
	if got := tok.MissingScopes(); !slices.Equal(got, []string{tiktok.ScopeVideoUpload}) {
		t.Fatalf("MissingScopes = %v", got)
	}
	plan, _ := tiktok.PlanChunks(1 << 20)
	_, _, err := c.InitInboxUpload(context.Background(), tok.AccessToken, 1<<20, plan)
	if !tiktok.NeedsReconnect(err) || tiktok.IsTokenInvalid(err) || tiktok.Retryable(err) {
		t.Fatalf("init without video.upload: %v", err)
	}
}

// countingReaderAt records the largest single read, to show the upload
// streams instead of loading a chunk into memory.
type countingReaderAt struct {
	r       *os.File
	mu      sync.Mutex
	maxRead int
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.mu.Lock()
	c.maxRead = max(c.maxRead, len(p))
	c.mu.Unlock()
	return c.r.ReadAt(p, off)
}

func writeRandomFile(t *testing.T, size int64) (string, []byte) {
	t.Helper()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	path := filepath.Join(t.TempDir(), "video.mp4")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestChunkedUploadAndStatus(t *testing.T) {
	ctx := context.Background()
	s, c := newPair(t)
	s.SetStatusPolls(2)
	tok := connect(t, c)

	// 17 MiB + 4321 bytes in 5 MiB chunks: three chunks, the last carrying
	// the trailing bytes; large enough that the fake stores it on disk.
	size := int64(17<<20 + 4321)
	path, data := writeRandomFile(t, size)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src := &countingReaderAt{r: f}

	plan, err := tiktok.PlanChunksWithSize(size, tiktok.MinChunkSize)
	if err != nil {
		t.Fatal(err)
	}
	if plan.TotalChunks != 3 {
		t.Fatalf("plan %+v", plan)
	}
	id, uploadURL, err := c.InitInboxUpload(ctx, tok.AccessToken, size, plan)
	if err != nil {
		t.Fatal(err)
	}
	if s.InitCount() != 1 {
		t.Fatalf("InitCount = %d", s.InitCount())
	}

	var sent int64
	for i, rg := range plan.Ranges(size) {
		st, err := c.FetchStatus(ctx, tok.AccessToken, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != tiktok.StateProcessingUpload || st.UploadedBytes != sent || st.Done() {
			t.Fatalf("before chunk %d: %+v, want PROCESSING_UPLOAD with %d bytes", i+1, st, sent)
		}
		if err := c.UploadChunk(ctx, uploadURL, src, size, rg, tiktok.ContentTypeMP4); err != nil {
			t.Fatalf("chunk %d: %v", i+1, err)
		}
		sent += rg.Len()
	}
	if got := s.Uploaded(id); !bytes.Equal(got, data) {
		t.Fatalf("staged video differs: %d bytes staged, %d sent", len(got), len(data))
	}
	if s.UploadContentType(id) != tiktok.ContentTypeMP4 {
		t.Fatalf("content type %q", s.UploadContentType(id))
	}
	if src.maxRead > 1<<20 {
		t.Fatalf("largest read %d bytes: the chunk was buffered, not streamed", src.maxRead)
	}

	want := []string{tiktok.StateProcessingDownload, tiktok.StateProcessingDownload, tiktok.StateSendToUserInbox, tiktok.StateSendToUserInbox}
	for i, w := range want {
		st, err := c.FetchStatus(ctx, tok.AccessToken, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != w || st.UploadedBytes != size {
			t.Fatalf("poll %d after upload: %+v, want %s", i+1, st, w)
		}
	}
	s.Publish(id)
	if st, _ := c.FetchStatus(ctx, tok.AccessToken, id); st.State != tiktok.StatePublishComplete || !st.Staged() {
		t.Fatalf("after the member posts: %+v", st)
	}
	if n := s.Calls(tiktoktest.Upload); n != 3 {
		t.Fatalf("%d chunk PUTs, want 3", n)
	}
}

func TestSmallVideoUploadsWhole(t *testing.T) {
	ctx := context.Background()
	s, c := newPair(t)
	tok := connect(t, c)
	size := int64(3<<20 + 17)
	_, data := writeRandomFile(t, size)
	plan, err := tiktok.PlanChunks(size)
	if err != nil {
		t.Fatal(err)
	}
	id, uploadURL, err := c.InitInboxUpload(ctx, tok.AccessToken, size, plan)
	if err != nil {
		t.Fatal(err)
	}
	rs := plan.Ranges(size)
	if len(rs) != 1 {
		t.Fatalf("ranges %v", rs)
	}
	if err := c.UploadChunk(ctx, uploadURL, bytes.NewReader(data), size, rs[0], tiktok.ContentTypeWebM); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Uploaded(id), data) {
		t.Fatal("staged video differs")
	}
}

func TestRateLimits(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s, c := newPair(t, tiktoktest.WithClock(clk.Now))
	tok := connect(t, c)
	plan, _ := tiktok.PlanChunks(1 << 20)
	id, _, err := c.InitInboxUpload(ctx, tok.AccessToken, 1<<20, plan)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("status fetch 30 per minute per token", func(t *testing.T) {
		for i := range 30 {
			if _, err := c.FetchStatus(ctx, tok.AccessToken, id); err != nil {
				t.Fatalf("fetch %d: %v", i+1, err)
			}
		}
		_, err := c.FetchStatus(ctx, tok.AccessToken, id)
		wait, ok := tiktok.IsRateLimited(err)
		if !ok || !tiktok.Retryable(err) || !errors.Is(err, tiktok.ErrRateLimited) {
			t.Fatalf("31st fetch: %v, want rate_limit_exceeded", err)
		}
		if wait != time.Minute {
			t.Fatalf("Retry-After %v, want 60s (the window of the first call)", wait)
		}
		clk.Advance(wait)
		if _, err := c.FetchStatus(ctx, tok.AccessToken, id); err != nil {
			t.Fatalf("after waiting Retry-After: %v", err)
		}
	})

	t.Run("init, shrunk limit", func(t *testing.T) {
		s.SetRateLimit(tiktoktest.Init, 1, 10*time.Second)
		if _, _, err := c.InitInboxUpload(ctx, tok.AccessToken, 1<<20, plan); err != nil {
			t.Fatal(err)
		}
		_, _, err := c.InitInboxUpload(ctx, tok.AccessToken, 1<<20, plan)
		if wait, ok := tiktok.IsRateLimited(err); !ok || wait != 10*time.Second {
			t.Fatalf("second init: %v (wait %v)", err, wait)
		}
		// Limits are per access token: another member is not affected.
		other := connect(t, c)
		if _, _, err := c.InitInboxUpload(ctx, other.AccessToken, 1<<20, plan); err != nil {
			t.Fatalf("other token limited too: %v", err)
		}
	})

	t.Run("injected 429 with and without Retry-After", func(t *testing.T) {
		s.FailNext(tiktoktest.UserInfo, tiktoktest.Fault{Status: 429, Code: "rate_limit_exceeded", RetryAfter: 7 * time.Second})
		s.FailNext(tiktoktest.UserInfo, tiktoktest.Fault{Status: 429})
		_, err := c.UserInfo(ctx, tok.AccessToken)
		if wait, ok := tiktok.IsRateLimited(err); !ok || wait != 7*time.Second {
			t.Fatalf("first: %v (wait %v), want 7s", err, wait)
		}
		_, err = c.UserInfo(ctx, tok.AccessToken)
		if wait, ok := tiktok.IsRateLimited(err); !ok || wait != tiktok.DefaultRateLimitWait {
			t.Fatalf("second: %v (wait %v), want the default", err, wait)
		}
		if _, err := c.UserInfo(ctx, tok.AccessToken); err != nil {
			t.Fatalf("faults not consumed: %v", err)
		}
	})
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestExpiredToken(t *testing.T) {
	ctx := context.Background()
	s, c := newPair(t)
	tok := connect(t, c)
	s.ExpireAccessTokens()
	_, err := c.UserInfo(ctx, tok.AccessToken)
	if !tiktok.IsTokenInvalid(err) || !errors.Is(err, tiktok.ErrTokenInvalid) || tiktok.Retryable(err) || tiktok.NeedsReconnect(err) {
		t.Fatalf("expired token: %v", err)
	}
	if !strings.Contains(tiktok.UserMessage(err), "Reconnect") {
		t.Fatalf("UserMessage = %q", tiktok.UserMessage(err))
	}
	fresh, err := c.Refresh(ctx, tok.RefreshToken)
	if err != nil {
		t.Fatalf("refresh after expiry: %v", err)
	}
	if _, err := c.UserInfo(ctx, fresh.AccessToken); err != nil {
		t.Fatalf("refreshed token: %v", err)
	}
}

func TestInitRefusals(t *testing.T) {
	ctx := context.Background()
	s, c := newPair(t)
	tok := connect(t, c)
	plan, _ := tiktok.PlanChunks(1 << 20)

	s.RefuseInit(tiktok.CodeSpamRiskTooManyPending)
	_, _, err := c.InitInboxUpload(ctx, tok.AccessToken, 1<<20, plan)
	var ae *tiktok.APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != http.StatusForbidden || !errors.Is(err, tiktok.ErrPendingShares) || tiktok.Retryable(err) {
		t.Fatalf("refused init: %v", err)
	}
	if got := tiktok.UserMessage(err); got != "Finish or delete your pending TikTok drafts first, then try again." {
		t.Fatalf("UserMessage = %q", got)
	}

	s.RefuseInit(tiktok.CodeSpamRiskUserBanned)
	_, _, err = c.InitInboxUpload(ctx, tok.AccessToken, 1<<20, plan)
	if got := tiktok.UserMessage(err); !strings.Contains(got, "TikTok is not letting your account post") {
		t.Fatalf("banned: UserMessage = %q", got)
	}
	if s.InitCount() != 0 {
		t.Fatalf("refused inits created %d uploads", s.InitCount())
	}
	s.RefuseInit("")
	if _, _, err := c.InitInboxUpload(ctx, tok.AccessToken, 1<<20, plan); err != nil {
		t.Fatalf("after RefuseInit(\"\"): %v", err)
	}

	// A plan that breaks the chunk rules never reaches TikTok.
	calls := s.Calls(tiktoktest.Init)
	if _, _, err := c.InitInboxUpload(ctx, tok.AccessToken, 12<<20, tiktok.ChunkPlan{ChunkSize: 4 << 20, TotalChunks: 3}); !errors.Is(err, tiktok.ErrInvalidPlan) {
		t.Fatalf("bad plan: %v", err)
	}
	if s.Calls(tiktoktest.Init) != calls {
		t.Fatal("bad plan was sent")
	}
}

func TestChunkFaults(t *testing.T) {
	ctx := context.Background()
	s, c := newPair(t)
	tok := connect(t, c)
	size := int64(11<<20 + 5)
	_, data := writeRandomFile(t, size)
	plan, _ := tiktok.PlanChunksWithSize(size, tiktok.MinChunkSize)
	id, uploadURL, err := c.InitInboxUpload(ctx, tok.AccessToken, size, plan)
	if err != nil {
		t.Fatal(err)
	}
	rs := plan.Ranges(size)
	src := bytes.NewReader(data)

	// Out of order: chunk 2 before chunk 1 is refused and final.
	err = c.UploadChunk(ctx, uploadURL, src, size, rs[1], tiktok.ContentTypeMP4)
	var ae *tiktok.APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != http.StatusRequestedRangeNotSatisfiable || tiktok.Retryable(err) {
		t.Fatalf("out-of-order chunk: %v", err)
	}

	// A 5xx on a chunk is retryable, and resending the same chunk works.
	s.FailNext(tiktoktest.Upload, tiktoktest.Fault{Status: http.StatusServiceUnavailable})
	err = c.UploadChunk(ctx, uploadURL, src, size, rs[0], tiktok.ContentTypeMP4)
	if !tiktok.Retryable(err) || tiktok.IsTokenInvalid(err) {
		t.Fatalf("503 on chunk: %v, want retryable", err)
	}
	if !strings.Contains(tiktok.UserMessage(err), "not responding") {
		t.Fatalf("UserMessage = %q", tiktok.UserMessage(err))
	}
	for _, rg := range rs {
		if err := c.UploadChunk(ctx, uploadURL, src, size, rg, tiktok.ContentTypeMP4); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(s.Uploaded(id), data) {
		t.Fatal("staged video differs after a retried chunk")
	}
	// The upload is complete; a further chunk is refused.
	if err := c.UploadChunk(ctx, uploadURL, src, size, rs[0], tiktok.ContentTypeMP4); err == nil {
		t.Fatal("chunk after completion accepted")
	}
}

func TestFailStatus(t *testing.T) {
	ctx := context.Background()
	s, c := newPair(t)
	tok := connect(t, c)
	plan, _ := tiktok.PlanChunks(1 << 20)
	data := bytes.Repeat([]byte{7}, 1<<20)

	id, uploadURL, _ := c.InitInboxUpload(ctx, tok.AccessToken, 1<<20, plan)
	if err := c.UploadChunk(ctx, uploadURL, bytes.NewReader(data), 1<<20, plan.Ranges(1 << 20)[0], tiktok.ContentTypeMP4); err != nil {
		t.Fatal(err)
	}
	s.FailStatus(id, "file_format_check_failed")
	st, err := c.FetchStatus(ctx, tok.AccessToken, id)
	if err != nil || st.State != tiktok.StateFailed || st.FailReason != "file_format_check_failed" || !st.Done() || st.Staged() {
		t.Fatalf("status = %+v, %v", st, err)
	}
	if tiktok.FailReasonMessage(st.FailReason) != "TikTok could not read this video's format." {
		t.Fatalf("FailReasonMessage = %q", tiktok.FailReasonMessage(st.FailReason))
	}

	s.FailStatus("*", "internal")
	id2, _, _ := c.InitInboxUpload(ctx, tok.AccessToken, 1<<20, plan)
	if st, _ := c.FetchStatus(ctx, tok.AccessToken, id2); st.State != tiktok.StateFailed || st.FailReason != "internal" {
		t.Fatalf("wildcard failure: %+v", st)
	}

	// Another member cannot read this member's upload.
	other := connect(t, c)
	if _, err := c.FetchStatus(ctx, other.AccessToken, id); err == nil {
		t.Fatal("status of someone else's upload answered")
	}
}

func TestNetworkErrors(t *testing.T) {
	s, c := newPair(t)
	tok := connect(t, c)
	s.Close()
	_, err := c.UserInfo(context.Background(), tok.AccessToken)
	if err == nil || !tiktok.Retryable(err) || tiktok.IsTokenInvalid(err) {
		t.Fatalf("server gone: %v, want retryable", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.UserInfo(ctx, tok.AccessToken); err == nil || tiktok.Retryable(err) {
		t.Fatalf("canceled context: %v, want final", err)
	}

	// A per-attempt deadline is a timeout like any other: worth another try.
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := c.UserInfo(ctx, tok.AccessToken); !errors.Is(err, context.DeadlineExceeded) || !tiktok.Retryable(err) {
		t.Fatalf("expired deadline: %v, want retryable", err)
	}
}

func TestFakeLogs(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	_, c := newPair(t, tiktoktest.WithLog(func(msg string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, msg)
	}))
	connect(t, c)
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(lines, "tiktoktest: authorize: consented") || !slices.Contains(lines, "tiktoktest: token: issued") {
		t.Fatalf("log lines %q", lines)
	}
}
