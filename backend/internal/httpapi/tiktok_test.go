package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/secret"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktok"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktok/tiktoktest"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktokstage"
)

// fileMedia serves media ids from files, standing in for the media store.
type fileMedia struct {
	mu    sync.Mutex
	files map[string]string
}

type openFile struct {
	*os.File
	size int64
}

func (f openFile) Size() int64         { return f.size }
func (f openFile) ContentType() string { return "video/mp4" }

func (m *fileMedia) OpenMedia(ctx context.Context, programID, mediaID string) (tiktokstage.Media, error) {
	m.mu.Lock()
	path, ok := m.files[mediaID]
	m.mu.Unlock()
	if !ok {
		return nil, domain.NotFound("media")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, _ := f.Stat()
	return openFile{f, fi.Size()}, nil
}

// recorder keeps what members were told.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) ActivityJobs(domain.Activity) []store.NewJob          { return nil }
func (r *recorder) ActivitySaved(context.Context, domain.Activity) error { return nil }
func (r *recorder) Event(_ context.Context, _ string, kind string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, kind)
}

// Kinds of the jobs a recorder gives to be queued (no handler runs them).
const (
	recordedStatusPush  = "test.tiktok_status"
	recordedHandoffPush = "test.handoff"
)

func (r *recorder) TikTokStatusJobs(_, _, _ string, staged bool, reason string) []store.NewJob {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf("push staged=%v %s", staged, reason))
	return []store.NewJob{{Kind: recordedStatusPush, Payload: fmt.Sprintf(`{"staged":%v}`, staged), RunAt: time.Now()}}
}

func (r *recorder) HandoffJobs(_, activityID, _ string) []store.NewJob {
	return []store.NewJob{{Kind: recordedHandoffPush, Payload: `{"activity_id":"` + activityID + `"}`, RunAt: time.Now()}}
}

type tiktokEnv struct {
	*apitest.Env
	fake   *tiktoktest.Server
	svc    *tiktokstage.Service
	media  *fileMedia
	told   *recorder
	video  []byte
	cancel context.CancelFunc
	runner *jobs.Runner
}

func newTikTokEnv(t *testing.T, st *store.Store, videoSize int) *tiktokEnv {
	te := &tiktokEnv{fake: tiktoktest.New(), media: &fileMedia{files: map[string]string{}}, told: &recorder{}}
	t.Cleanup(te.fake.Close)
	keys, err := secret.New(strings.Repeat("s", 40))
	if err != nil {
		t.Fatal(err)
	}
	tc, err := tiktok.New(tiktok.Config{ClientKey: te.fake.ClientKey(), ClientSecret: te.fake.ClientSecret(), AuthBaseURL: te.fake.URL(), APIBaseURL: te.fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	te.svc = tiktokstage.New(st, keys, tc, te.media, te.told, log)
	te.svc.PollEvery = 20 * time.Millisecond
	te.runner = jobs.New(st, log)
	te.runner.Poll, te.runner.Backoff = 20*time.Millisecond, 20*time.Millisecond
	te.runner.Handle(tiktokstage.JobKind, te.svc.Handle)
	te.Env = apitest.New(t, st, func(o *httpapi.Options) { o.TikTok, o.Jobs, o.Notify = te.svc, te.runner, te.told })
	te.startRunner()
	t.Cleanup(func() { te.cancel() })
	te.video = make([]byte, videoSize)
	rand.Read(te.video)
	path := filepath.Join(t.TempDir(), "video.mp4")
	os.WriteFile(path, te.video, 0o600)
	te.media.files["med_video"] = path
	// Activities need a stored media row of the right kind; the bytes come
	// from te.media.
	if err := st.CreateMedia(ctx, store.Media{ID: "med_video", ProgramID: te.ProgramID, Kind: "tiktok_video", Filename: "video.mp4",
		ContentType: "video/mp4", Container: "mp4", VideoCodec: "h264", Width: 540, Height: 960, DurationMS: 10_000,
		SizeBytes: int64(videoSize), StorageKey: "fake/med_video", Source: store.MediaSourceUpload, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return te
}

func (te *tiktokEnv) startRunner() {
	ctx, cancel := context.WithCancel(context.Background())
	te.cancel = cancel
	go te.runner.Run(ctx)
}

// newBrowser is a browser with a cookie jar that does not follow redirects.
func newBrowser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// consent opens the connect answer's link in browser (our start link, then
// TikTok's consent page) and returns where TikTok sends the browser back.
func (te *tiktokEnv) consent(t *testing.T, browser *http.Client, start client.TikTokConnect) string {
	t.Helper()
	if !strings.HasPrefix(start.AuthorizeURL, te.URL+"/oauth/tiktok/start?") {
		t.Fatalf("the connect answer's link is not our start link: %q", start.AuthorizeURL)
	}
	resp, err := browser.Get(start.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("start link answered %d", resp.StatusCode)
	}
	var bound *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "chorus_tiktok_connect" {
			bound = ck
		}
	}
	if bound == nil || !bound.HttpOnly || bound.SameSite != http.SameSiteLaxMode || bound.Path != "/oauth/tiktok" || bound.Value == "" {
		t.Fatalf("start link's cookie: %+v", bound)
	}
	resp, err = browser.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Header.Get("Location")
	if !strings.HasPrefix(back, te.URL+"/oauth/tiktok/callback?") {
		t.Fatalf("consent redirected to %q", back)
	}
	return back
}

// connect walks the member's browser through TikTok's consent and back.
func (te *tiktokEnv) connect(t *testing.T, c *client.Client) {
	t.Helper()
	start := must[client.TikTokConnect](t)(c.ConnectTikTok(ctx))
	browser := newBrowser(t)
	back := te.consent(t, browser, start)
	resp, err := browser.Get(back)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("Return to Chorus")) {
		t.Fatalf("callback page %d: %s", resp.StatusCode, page)
	}
	// The same redirect again: the state is single-use.
	resp, _ = browser.Get(back)
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("a replayed callback answered %d", resp.StatusCode)
	}
}

func (te *tiktokEnv) activity(t *testing.T) client.Activity {
	return must[client.Activity](t)(te.Manager.CreateActivity(ctx, te.ProgramID, client.ActivityInput{
		Type: apitest.Ptr("tiktok_video"), MediaID: apitest.Ptr("med_video"), Points: apitest.Ptr(40)}))
}

// waitStaging polls the member's feed until the staging ends.
func waitStaging(t *testing.T, c *client.Client, pid, aid string) client.TikTokStaging {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		it, err := c.FeedItem(ctx, pid, aid)
		if err != nil {
			t.Fatal(err)
		}
		if it.TikTok != nil && (it.TikTok.Status == "staged" || it.TikTok.Status == "failed") {
			return *it.TikTok
		}
		if time.Now().After(deadline) {
			t.Fatalf("staging did not end: %+v", it.TikTok)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTikTokFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		te := newTikTokEnv(t, st, 12<<20+12345) // two chunks
		pid := te.ProgramID
		_, ann := te.AddMember("ann@acme.test", "UTC")
		a := te.activity(t)

		if _, err := ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "1"}); apitest.Code(err) != "tiktok_not_connected" {
			t.Fatalf("perform before connecting: %v", err)
		}
		te.connect(t, ann)
		accts := must[[]client.SocialAccount](t)(ann.SocialAccounts(ctx))
		if len(accts) != 1 || accts[0].Status != "connected" || accts[0].DisplayName == "" {
			t.Fatalf("accounts: %+v", accts)
		}
		res := must[client.PerformResult](t)(ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "1"}))
		if res.PointsAwarded != 40 || res.TikTok == nil || res.Share.Text != domain.DefaultTikTokInstructions {
			t.Fatalf("perform: %+v", res)
		}
		if got := waitStaging(t, ann, pid, a.ID); got.Status != "staged" {
			t.Fatalf("staging: %+v", got)
		}
		ids := te.fake.PublishIDs()
		if len(ids) != 1 || te.fake.InitCount() != 1 {
			t.Fatalf("uploads: %v, inits %d", ids, te.fake.InitCount())
		}
		if !bytes.Equal(te.fake.Uploaded(ids[0]), te.video) {
			t.Fatal("the staged video differs from the stored one")
		}
		rep := must[client.ActivityReport](t)(te.Manager.ActivityReport(ctx, pid, a.ID))
		if rep.TikTok == nil || rep.TikTok.Staged != 1 {
			t.Fatalf("report: %+v", rep.TikTok)
		}
		te.told.mu.Lock()
		told := strings.Join(te.told.events, ",")
		te.told.mu.Unlock()
		if !strings.Contains(told, "push staged=true") || !strings.Contains(told, "tiktok_status") {
			t.Fatalf("member not told: %s", told)
		}
		// The push was queued with the staging's end, in its transaction.
		if pending, _, _, err := st.JobCounts(ctx, recordedStatusPush); err != nil || pending != 1 {
			t.Fatalf("status pushes queued: %d, %v; want 1", pending, err)
		}
		// Performing again: no second staging, no more points.
		again := must[client.PerformResult](t)(ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "2"}))
		if !again.AlreadyPerformed || te.fake.InitCount() != 1 {
			t.Fatalf("second perform: %+v, inits %d", again, te.fake.InitCount())
		}
		// Disconnecting revokes and forgets.
		must[struct{}](t)(struct{}{}, ann.DisconnectTikTok(ctx))
		if accts := must[[]client.SocialAccount](t)(ann.SocialAccounts(ctx)); len(accts) != 0 || te.fake.Calls(tiktoktest.Revoke) != 1 {
			t.Fatalf("after disconnect: %+v, revokes %d", accts, te.fake.Calls(tiktoktest.Revoke))
		}
	})
}

func TestTikTokFaults(t *testing.T) {
	te := newTikTokEnv(t, storetest.SQLite(t), 3<<20)
	pid := te.ProgramID
	_, ann := te.AddMember("ann@acme.test", "UTC")
	te.connect(t, ann)
	stage := func(name string) client.TikTokStaging {
		t.Helper()
		a := te.activity(t)
		must[client.PerformResult](t)(ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: name}))
		got := waitStaging(t, ann, pid, a.ID)
		t.Logf("%s: %+v", name, got)
		return got
	}

	// Rate limit on init: waits and stages, with one upload only.
	te.fake.FailNext(tiktoktest.Init, tiktoktest.Fault{Status: 429, RetryAfter: time.Second})
	before := te.fake.InitCount()
	if got := stage("rate limited"); got.Status != "staged" || te.fake.InitCount() != before+1 {
		t.Fatalf("rate limit: %+v, inits %d", got, te.fake.InitCount()-before)
	}
	// Expired access token: refreshed, the step retried.
	te.fake.ExpireAccessTokens()
	grantsBefore := te.fake.Calls(tiktoktest.Token)
	if got := stage("expired token"); got.Status != "staged" || te.fake.Calls(tiktoktest.Token) != grantsBefore+1 {
		t.Fatalf("expired token: %+v, token calls %d", got, te.fake.Calls(tiktoktest.Token)-grantsBefore)
	}
	// A 503 on a chunk: the chunk is sent again.
	te.fake.FailNext(tiktoktest.Upload, tiktoktest.Fault{Status: 503})
	if got := stage("chunk 503"); got.Status != "staged" {
		t.Fatalf("chunk 503: %+v", got)
	}
	// TikTok refuses: the member reads why, and can retry later.
	te.fake.RefuseInit("spam_risk_too_many_pending_share")
	a := te.activity(t)
	must[client.PerformResult](t)(ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "spam"}))
	got := waitStaging(t, ann, pid, a.ID)
	if got.Status != "failed" || !strings.Contains(got.FailReason, "pending TikTok drafts") {
		t.Fatalf("refusal: %+v", got)
	}
	rep := must[client.ActivityReport](t)(te.Manager.ActivityReport(ctx, pid, a.ID))
	if rep.TikTok == nil || rep.TikTok.Failed != 1 || rep.TikTok.Reasons[got.FailReason] != 1 {
		t.Fatalf("report of a failure: %+v", rep.TikTok)
	}
	te.fake.RefuseInit("")
	if st := must[client.TikTokStaging](t)(ann.RetryTikTok(ctx, pid, a.ID)); st.Status != "pending" {
		t.Fatalf("retry: %+v", st)
	}
	if got := waitStaging(t, ann, pid, a.ID); got.Status != "staged" {
		t.Fatalf("after retry: %+v", got)
	}
	if _, err := ann.RetryTikTok(ctx, pid, a.ID); client.Status(err) != 409 {
		t.Fatalf("retrying a staged video: %v", err)
	}
	// TikTok's processing fails.
	te.fake.FailStatus("*", "file_format_check_failed")
	if got := stage("processing failed"); got.Status != "failed" || got.FailReason == "" {
		t.Fatalf("processing failure: %+v", got)
	}
	te.fake.FailStatus("*", "")
}

// TestTikTokRestart stops the job runner in the middle of an upload and
// starts another: the staging continues the same upload.
func TestTikTokRestart(t *testing.T) {
	te := newTikTokEnv(t, storetest.SQLite(t), 22<<20) // three chunks
	pid := te.ProgramID
	_, ann := te.AddMember("ann@acme.test", "UTC")
	te.connect(t, ann)
	a := te.activity(t)
	// The second chunk fails with a long Retry-After: the job is parked
	// mid-upload when the runner stops.
	te.fake.FailNext(tiktoktest.Upload, tiktoktest.Fault{Status: 503})
	te.runner.Backoff = 2 * time.Second
	must[client.PerformResult](t)(ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "1"}))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		it := must[client.FeedItem](t)(ann.FeedItem(ctx, pid, a.ID))
		if it.TikTok != nil && it.TikTok.Status == "uploading" && te.fake.Calls(tiktoktest.Upload) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("upload never started")
		}
	}
	te.cancel()
	te.runner.Backoff = 20 * time.Millisecond
	time.Sleep(2 * time.Second) // past the parked retry
	te.startRunner()
	if got := waitStaging(t, ann, pid, a.ID); got.Status != "staged" {
		t.Fatalf("after restart: %+v", got)
	}
	if te.fake.InitCount() != 1 || !bytes.Equal(te.fake.Uploaded(te.fake.PublishIDs()[0]), te.video) {
		t.Fatalf("restart made a second upload (%d) or lost bytes", te.fake.InitCount())
	}
}

// A handoff's push is queued in the handoff's own transaction (not by a
// later call that a crash or a client gone away could skip).
func TestHandoffQueuesItsPushWithIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		told := &recorder{}
		e := apitest.New(t, st, func(o *httpapi.Options) { o.Notify = told })
		_, ann := e.AddMember("ann@acme.test", "UTC")
		a := photo(t, e, "Share this", 5, client.ActivityInput{})
		if _, err := ann.Handoff(ctx, e.ProgramID, a.ID); err != nil {
			t.Fatal(err)
		}
		if pending, _, _, err := st.JobCounts(ctx, recordedHandoffPush); err != nil || pending != 1 {
			t.Fatalf("handoff pushes queued: %d, %v; want 1", pending, err)
		}
		told.mu.Lock()
		events := strings.Join(told.events, ",")
		told.mu.Unlock()
		if events != "handoff" {
			t.Fatalf("live events: %q; want handoff", events)
		}
	})
}

// A connect link finished in a browser that did not start it (the link was
// sent to someone else) links nothing, and says why.
func TestTikTokConnectOtherBrowser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		te := newTikTokEnv(t, st, 1<<20)
		_, ann := te.AddMember("ann@acme.test", "UTC")
		refused := func(browser *http.Client, back, what string) {
			t.Helper()
			resp, err := browser.Get(back)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 400 || !bytes.Contains(page, []byte("started in another browser")) {
				t.Fatalf("%s: callback %d: %s", what, resp.StatusCode, page)
			}
			if accts := must[[]client.SocialAccount](t)(ann.SocialAccounts(ctx)); len(accts) != 0 {
				t.Fatalf("%s: linked %+v", what, accts)
			}
		}

		// Someone else's browser, with no cookie of ours.
		back := te.consent(t, newBrowser(t), must[client.TikTokConnect](t)(ann.ConnectTikTok(ctx)))
		refused(newBrowser(t), back, "no cookie")
		if n := te.fake.Calls(tiktoktest.Token); n != 0 {
			t.Fatalf("the code was exchanged %d times", n)
		}

		// Someone else's browser holding a cookie of another consent of its own.
		other := newBrowser(t)
		te.consent(t, other, must[client.TikTokConnect](t)(ann.ConnectTikTok(ctx)))
		back = te.consent(t, newBrowser(t), must[client.TikTokConnect](t)(ann.ConnectTikTok(ctx)))
		refused(other, back, "another consent's cookie")

		// A start link works once: a second browser opening it is refused.
		start := must[client.TikTokConnect](t)(ann.ConnectTikTok(ctx))
		te.consent(t, newBrowser(t), start)
		resp, err := newBrowser(t).Get(start.AuthorizeURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || len(resp.Cookies()) != 0 {
			t.Fatalf("a start link opened twice: %d %v", resp.StatusCode, resp.Cookies())
		}

		// The member's own browser still connects.
		te.connect(t, ann)
	})
}
