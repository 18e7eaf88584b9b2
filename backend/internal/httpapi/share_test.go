package httpapi_test

import (
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpushtest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// get fetches a URL as a phone's browser would (no session), with headers.
func get(t *testing.T, c *http.Client, method, u string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

func noRedirects(c *http.Client) *http.Client {
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// TestSharePage: a member's page shows their photo and their own tracked
// text, in their language, with strict headers; "I've posted it" twice
// gives the points once, counted under web_share.
func TestSharePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		annID, ann := e.AddMember("ann@acme.test", "Europe/Berlin")
		_, bob := e.AddMember("bob@acme.test", "UTC")
		img := e.UploadMedia("wechat_photo", apitest.TestData("image.jpg"))
		ends := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
		a := photo(t, e, "Our new office https://example.com/news", 15, client.ActivityInput{MediaID: &img.MediaID, EndsAt: apitest.Ptr(ends.Format(time.RFC3339))})
		other := photo(t, e, "Another one", 5, client.ActivityInput{})
		web := e.HTTP()

		link := must[client.ShareLink](t)(ann.ShareLink(ctx, pid, a.ID, ""))
		if !strings.HasPrefix(link.URL, e.URL+"/s/") || !link.ExpiresAt.Equal(ends) {
			t.Fatalf("share link %+v; want ending with the activity at %v", link, ends)
		}
		if again := must[client.ShareLink](t)(ann.ShareLink(ctx, pid, a.ID, "")); again.URL != link.URL {
			t.Fatalf("the same member and activity got another link: %s, %s", again.URL, link.URL)
		}
		// A manager may ask for a member's; a member never for another's.
		if byMgr := must[client.ShareLink](t)(e.Manager.ShareLink(ctx, pid, a.ID, annID)); byMgr.URL != link.URL {
			t.Fatalf("manager's link for ann: %s, want %s", byMgr.URL, link.URL)
		}
		if _, err := bob.ShareLink(ctx, pid, a.ID, annID); client.Status(err) != 403 {
			t.Fatalf("bob asking for ann's link: %v, want 403", err)
		}
		sales := must[client.Group](t)(e.Manager.CreateGroup(ctx, pid, "Sales"))
		hidden := photo(t, e, "Sales only", 5, client.ActivityInput{GroupIDs: &[]string{sales.ID}})
		if _, err := ann.ShareLink(ctx, pid, hidden.ID, ""); client.Status(err) != 404 {
			t.Fatalf("an activity ann cannot see: %v, want 404", err)
		}

		resp, page := get(t, web, "GET", link.URL)
		if resp.StatusCode != 200 {
			t.Fatalf("page: %d %s", resp.StatusCode, page)
		}
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "img-src 'self'", "media-src 'self'", "style-src 'nonce-", "script-src 'nonce-", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if h.Get("Cache-Control") != "private, no-store" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers: %v", h)
		}
		if len(page) >= 60<<10 {
			t.Errorf("page is %d bytes; want under 60 KB", len(page))
		}
		s := string(page)
		nonce := csp[strings.Index(csp, "'nonce-")+7:]
		nonce = nonce[:strings.IndexByte(nonce, '\'')]
		if strings.Count(s, `nonce="`+nonce+`"`) != 2 || strings.Contains(s, "http://") && strings.Contains(s, `src="http`) {
			t.Errorf("inline style and script must carry the nonce; no outside resources:\n%s", s)
		}
		for _, want := range []string{`lang="en"`, "I&#39;ve posted it", "Copy text", "15 points", "Long-press the photo to save it",
			`width="` + itoa(img.Probe.Width) + `" height="` + itoa(img.Probe.Height) + `"`, "/media?download=1", e.URL + "/l/", ends.In(berlin(t)).Format("15:04")} {
			if !strings.Contains(s, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(s, "https://example.com/news") {
			t.Errorf("the page shows the raw URL, not ann's tracked link")
		}

		// The media is the uploaded file, byte for byte; a download names it.
		orig, _ := os.ReadFile(apitest.TestData("image.jpg"))
		resp, body := get(t, web, "GET", link.URL+"/media")
		if resp.StatusCode != 200 || sha256.Sum256(body) != sha256.Sum256(orig) || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("media: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		resp, _ = get(t, web, "GET", link.URL+"/media?download=1")
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "image.jpg") {
			t.Fatalf("download disposition %q", cd)
		}
		resp, body = get(t, web, "GET", link.URL+"/media", "Range", "bytes=0-9")
		if resp.StatusCode != 206 || string(body) != string(orig[:10]) {
			t.Fatalf("range: %d, %d bytes", resp.StatusCode, len(body))
		}
		if resp, _ = get(t, web, "GET", link.URL+"/thumbnail"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("thumbnail: %d", resp.StatusCode)
		}

		// The token opens that page only: not the API, not another activity.
		token := strings.TrimPrefix(link.URL, e.URL+"/s/")
		if resp, _ = get(t, http.DefaultClient, "GET", e.URL+"/api/v1/me", "Authorization", "Bearer "+token); resp.StatusCode != 401 {
			t.Fatalf("the token as a bearer: %d, want 401", resp.StatusCode)
		}
		if resp, _ = get(t, http.DefaultClient, "GET", e.URL+"/api/v1/programs/"+pid+"/feed", "Authorization", "Bearer "+token); resp.StatusCode != 401 {
			t.Fatalf("the token as a bearer on the feed: %d, want 401", resp.StatusCode)
		}
		otherImg := e.UploadMedia("wechat_photo", apitest.TestData("image.png"))
		if resp, _ = get(t, http.DefaultClient, "GET", link.URL+"/media/"+otherImg.MediaID); resp.StatusCode != 404 {
			t.Fatalf("another media through the token: %d, want 404", resp.StatusCode)
		}
		if resp, _ = get(t, http.DefaultClient, "GET", e.URL+"/api/v1/programs/"+pid+"/media/"+img.MediaID, "Authorization", "Bearer "+token); resp.StatusCode != 401 {
			t.Fatalf("the API's media with the token: %d, want 401", resp.StatusCode)
		}
		otherLink := must[client.ShareLink](t)(ann.ShareLink(ctx, pid, other.ID, ""))
		if otherLink.URL == link.URL {
			t.Fatal("two activities, one link")
		}
		if resp, _ = get(t, web, "GET", otherLink.URL+"/media"); resp.StatusCode != 404 {
			t.Fatalf("media of an activity without any: %d, want 404", resp.StatusCode)
		}
		// Unknown tokens: a friendly page, not JSON, not a trace.
		resp, body = get(t, web, "GET", e.URL+"/s/"+strings.Repeat("A", 43))
		if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(body), "does not exist") || !strings.Contains(string(body), "此分享链接不存在") {
			t.Fatalf("unknown token: %d %s", resp.StatusCode, body)
		}
		if resp, _ = get(t, web, "GET", e.URL+"/s/short"); resp.StatusCode != 404 {
			t.Fatalf("malformed token: %d", resp.StatusCode)
		}

		// I've posted it, twice: points once, for ann only, as web_share.
		var first, second client.PerformResult
		for i, out := range []*client.PerformResult{&first, &second} {
			resp, body := get(t, web, "POST", link.URL+"/perform", "Accept", "application/json")
			if resp.StatusCode != 200 {
				t.Fatalf("perform %d: %d %s", i, resp.StatusCode, body)
			}
			*out = decodeJSON[client.PerformResult](t, body)
		}
		if first.PointsAwarded != 15 || first.PointsTotal != 15 || second.PointsAwarded != 0 || !second.AlreadyPerformed || second.PointsTotal != 15 {
			t.Fatalf("performs: %+v then %+v", first, second)
		}
		if p := must[client.Points](t)(ann.MyPoints(ctx, pid)); p.Total != 15 || len(p.Entries) != 1 {
			t.Fatalf("ann's points: %+v", p)
		}
		if p := must[client.Points](t)(bob.MyPoints(ctx, pid)); p.Total != 0 {
			t.Fatalf("bob's points through ann's link: %+v", p)
		}
		// The app's perform afterwards is the same perform.
		if r := must[client.PerformResult](t)(ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "app-1"})); !r.AlreadyPerformed {
			t.Fatalf("app perform after the page's: %+v", r)
		}
		// A plain form post (no script) goes back to the page.
		if resp, _ = get(t, noRedirects(e.HTTP()), "POST", link.URL+"/perform"); resp.StatusCode != 303 || resp.Header.Get("Location") != "/s/"+token {
			t.Fatalf("form post: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		rep := must[client.ActivityReport](t)(e.Manager.ActivityReport(ctx, pid, a.ID))
		if rep.Performed != 1 || rep.BySurface["web_share"] != 1 {
			t.Fatalf("report: %+v", rep)
		}
		csv := must[[]byte](t)(e.Manager.CSV(ctx, pid, "activities/"+a.ID+"/report"))
		if !strings.Contains(string(csv), ",web_share,") {
			t.Fatalf("CSV lacks the web_share surface:\n%s", csv)
		}
		_, page = get(t, web, "GET", link.URL)
		if !strings.Contains(string(page), "Done: you have posted this. Your points: 15") {
			t.Fatalf("the page after performing does not say so")
		}

		// Revoked: ann leaves the program → 410 for the page, media, perform.
		if err := e.Manager.RemoveMember(ctx, pid, annID); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{link.URL, link.URL + "/media", otherLink.URL} {
			resp, body := get(t, web, "GET", u, "Accept-Language", "zh-CN,zh;q=0.9")
			if resp.StatusCode != 410 || !strings.Contains(string(body), "此分享链接已失效") || !strings.Contains(string(body), `lang="zh-Hans"`) {
				t.Fatalf("%s after ann left: %d %s", u, resp.StatusCode, body)
			}
		}
		if resp, _ = get(t, web, "POST", link.URL+"/perform", "Accept", "application/json"); resp.StatusCode != 410 {
			t.Fatalf("perform after ann left: %d", resp.StatusCode)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func decodeJSON[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

func berlin(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestShareLinkEnds: a link ends with its activity (30 days at most), and
// when the activity is removed; the page then says so, in the member's
// language, with 410.
func TestShareLinkEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var clock atomic.Int64
		start := time.Now().Truncate(time.Millisecond)
		clock.Store(start.UnixMilli())
		e := apitest.New(t, st, func(o *httpapi.Options) {
			o.Now = func() time.Time { return time.UnixMilli(clock.Load()) }
			o.SessionTTL = 365 * 24 * time.Hour
		})
		pid := e.ProgramID
		_, ann := e.AddMember("ann@acme.test", "Asia/Shanghai")
		must[client.Me](t)(ann.UpdateMe(ctx, client.UpdateMe{Locale: apitest.Ptr("zh-Hans")}))
		forever := photo(t, e, "No end", 5, client.ActivityInput{})
		soon := photo(t, e, "Ends soon", 5, client.ActivityInput{EndsAt: apitest.Ptr(start.Add(2 * time.Hour).UTC().Format(time.RFC3339))})
		gone := photo(t, e, "Will be removed", 5, client.ActivityInput{})
		web := e.HTTP()

		long := must[client.ShareLink](t)(ann.ShareLink(ctx, pid, forever.ID, ""))
		if !long.ExpiresAt.Equal(start.Add(30 * 24 * time.Hour).UTC()) {
			t.Fatalf("a link for an activity without an end: expires %v, want 30 days", long.ExpiresAt)
		}
		short := must[client.ShareLink](t)(ann.ShareLink(ctx, pid, soon.ID, ""))
		removed := must[client.ShareLink](t)(ann.ShareLink(ctx, pid, gone.ID, ""))

		// A zh-Hans member reads Chinese whatever the browser says.
		resp, page := get(t, web, "GET", short.URL, "Accept-Language", "en-US")
		if resp.StatusCode != 200 || !strings.Contains(string(page), `lang="zh-Hans"`) || !strings.Contains(string(page), "我已发布") || !strings.Contains(string(page), "复制文案") {
			t.Fatalf("zh-Hans member's page: %d", resp.StatusCode)
		}

		must[client.Activity](t)(e.Manager.RemoveActivity(ctx, pid, gone.ID))
		if resp, body := get(t, web, "GET", removed.URL); resp.StatusCode != 410 || !strings.Contains(string(body), "This share link has ended") {
			t.Fatalf("removed activity's page: %d %s", resp.StatusCode, body)
		}

		clock.Add((2*time.Hour + time.Second).Milliseconds())
		if resp, _ := get(t, web, "GET", short.URL); resp.StatusCode != 410 {
			t.Fatalf("after the activity ended: %d, want 410", resp.StatusCode)
		}
		if resp, _ := get(t, web, "GET", short.URL+"/media"); resp.StatusCode != 410 {
			t.Fatalf("media after the activity ended: %d, want 410", resp.StatusCode)
		}
		if resp, _ := get(t, web, "GET", long.URL); resp.StatusCode != 200 {
			t.Fatalf("the 30-day link within its days: %d", resp.StatusCode)
		}
		clock.Add((30 * 24 * time.Hour).Milliseconds())
		if resp, _ := get(t, web, "GET", long.URL); resp.StatusCode != 410 {
			t.Fatalf("after 30 days: %d, want 410", resp.StatusCode)
		}
		// Asking again gives a new link that opens.
		renewed := must[client.ShareLink](t)(ann.ShareLink(ctx, pid, forever.ID, ""))
		if renewed.URL == long.URL {
			t.Fatal("an expired link was given again")
		}
		if resp, _ := get(t, web, "GET", renewed.URL); resp.StatusCode != 200 {
			t.Fatalf("renewed link: %d", resp.StatusCode)
		}
	})
}

// TestShareLanguage: a member with no language of their own gets the
// browser's.
func TestShareLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		annID, ann := e.AddMember("ann@acme.test", "UTC")
		u := must[domain.User](t)(st.UserByID(ctx, annID))
		u.Locale = "" // as people made before languages were kept
		if err := st.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		a := photo(t, e, "Hello", 5, client.ActivityInput{})
		link := must[client.ShareLink](t)(ann.ShareLink(ctx, e.ProgramID, a.ID, ""))
		_, zh := get(t, e.HTTP(), "GET", link.URL, "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
		_, en := get(t, e.HTTP(), "GET", link.URL, "Accept-Language", "en-GB,en;q=0.9,zh;q=0.5")
		if !strings.Contains(string(zh), "分享到微信") || !strings.Contains(string(en), "Share on WeChat") {
			t.Fatalf("languages by Accept-Language:\n%s\n---\n%s", zh, en)
		}
	})
}

// TestHandoffTellsTheTruth: devices counts the member's phones the push is
// queued for (FCM and APNs, never Web Push), and share_url is their page.
func TestHandoffTellsTheTruth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st, loopbackWebPush, func(o *httpapi.Options) { o.Notify = &recorder{} })
		_, ann := e.AddMember("ann@acme.test", "UTC")
		a := photo(t, e, "Share this", 5, client.ActivityInput{})
		wp := webpushtest.New()
		t.Cleanup(wp.Close)
		sub, _ := wp.NewSubscription()
		must[client.Device](t)(ann.RegisterDevice(ctx, client.DeviceInput{Platform: "webpush",
			Subscription: &client.WebPushSubscription{Endpoint: sub.Endpoint, Keys: client.WebPushKeys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}}}))
		h := must[client.Handoff](t)(ann.Handoff(ctx, e.ProgramID, a.ID))
		if h.Devices != 0 {
			t.Fatalf("handoff with only a browser registered: devices %d, want 0", h.Devices)
		}
		link := must[client.ShareLink](t)(ann.ShareLink(ctx, e.ProgramID, a.ID, ""))
		if h.ShareURL != link.URL {
			t.Fatalf("handoff share_url %q, want the member's page %q", h.ShareURL, link.URL)
		}
		must[client.Device](t)(ann.RegisterDevice(ctx, client.DeviceInput{Platform: "fcm", Token: "fcm-ann"}))
		if h = must[client.Handoff](t)(ann.Handoff(ctx, e.ProgramID, a.ID)); h.Devices != 1 {
			t.Fatalf("handoff with one FCM phone (and a browser): devices %d, want 1", h.Devices)
		}
	})
	// Without a push service nothing is queued: no phone is told.
	e := apitest.New(t, storetest.SQLite(t))
	_, ann := e.AddMember("ann@acme.test", "UTC")
	must[client.Device](t)(ann.RegisterDevice(ctx, client.DeviceInput{Platform: "fcm", Token: "fcm-ann"}))
	a := photo(t, e, "Share this", 5, client.ActivityInput{})
	if h := must[client.Handoff](t)(ann.Handoff(ctx, e.ProgramID, a.ID)); h.Devices != 0 || h.ShareURL == "" {
		t.Fatalf("handoff without push: %+v", h)
	}
}

// TestShareTikTok: "Add Your Account & Send" connects TikTok in the
// page's browser and comes back to the page (only ever to a share page of
// this server), which then sends the video: points once, staging shown.
func TestShareTikTok(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		te := newTikTokEnv(t, st, 1<<20)
		_, ann := te.AddMember("ann@acme.test", "UTC")
		a := te.activity(t)
		link := must[client.ShareLink](t)(ann.ShareLink(ctx, te.ProgramID, a.ID, ""))
		_, page := get(t, http.DefaultClient, "GET", link.URL)
		if !strings.Contains(string(page), "Add Your Account &amp; Send") || strings.Contains(string(page), `id="posted"`) {
			t.Fatalf("not connected: the page must offer to connect first")
		}
		browser := newBrowser(t)
		resp, err := browser.Get(link.URL + "/tiktok")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		start := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(start, te.URL+"/oauth/tiktok/start?") {
			t.Fatalf("connect from the page: %d %q", resp.StatusCode, start)
		}
		back := te.consent(t, browser, client.TikTokConnect{AuthorizeURL: start})
		resp, err = browser.Get(back)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		token := strings.TrimPrefix(link.URL, te.URL)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != token+"?tiktok=connected" {
			t.Fatalf("callback: %d %q, want back to %s", resp.StatusCode, resp.Header.Get("Location"), token)
		}
		_, page = get(t, http.DefaultClient, "GET", link.URL+"?tiktok=connected")
		if !strings.Contains(string(page), "Send to TikTok") || !strings.Contains(string(page), `data-autosend="1"`) {
			t.Fatalf("back from TikTok: the page must send the video")
		}
		for i := 0; i < 2; i++ {
			resp, body := get(t, http.DefaultClient, "POST", link.URL+"/perform", "Accept", "application/json")
			res := decodeJSON[client.PerformResult](t, body)
			if resp.StatusCode != 200 || res.TikTok == nil || (i == 0) != (res.PointsAwarded == 40) {
				t.Fatalf("send %d: %d %s", i, resp.StatusCode, body)
			}
		}
		if st := waitStaging(t, ann, te.ProgramID, a.ID); st.Status != "staged" {
			t.Fatalf("staging: %+v", st)
		}
		_, page = get(t, http.DefaultClient, "GET", link.URL)
		if !strings.Contains(string(page), "The video is in your TikTok inbox.") || !strings.Contains(string(page), "Finish in the TikTok app") {
			t.Fatalf("after staging the page must say where the video is")
		}

		// The start link keeps only a share page path to come back to.
		for _, evil := range []string{"https://evil.test/s/" + strings.Repeat("a", 43), "//evil.test/x", "/s/" + strings.Repeat("a", 43) + "/../../api", "/api/v1/me"} {
			state := must[client.TikTokConnect](t)(ann.ConnectTikTok(ctx))
			b := newBrowser(t)
			resp, err := b.Get(state.AuthorizeURL + "&return=" + url.QueryEscape(evil))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for _, ck := range resp.Cookies() {
				if ck.Name == "chorus_tiktok_return" && ck.Value != "" {
					t.Fatalf("return %q was kept: %+v", evil, ck)
				}
			}
		}
	})
}
