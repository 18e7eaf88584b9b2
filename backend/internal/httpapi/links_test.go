package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/links"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

const browserUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.42"

func followLink(t *testing.T, link, ua, referer string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", link, nil)
	req.Header.Set("User-Agent", ua)
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestTrackedLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rec := links.NewRecorder(st, slog.New(slog.DiscardHandler), 50*time.Millisecond)
		defer rec.Close()
		e := apitest.New(t, st, func(o *httpapi.Options) { o.Clicks = rec })
		pid := e.ProgramID
		annID, ann := e.AddMember("ann@acme.test", "UTC")
		bobID, bob := e.AddMember("bob@acme.test", "UTC")
		_, cat := e.AddMember("cat@acme.test", "UTC")
		must[client.Me](t)(cat.UpdateMe(ctx, client.UpdateMe{TrackingOptOut: apitest.Ptr(true)}))
		msg := "新品发布 https://example.com/launch?ref=1，详情 https://example.com/specs."
		a := photo(t, e, msg, 10, client.ActivityInput{})

		prev := must[client.LinkPreviewResult](t)(e.Manager.PreviewLinks(ctx, pid, msg))
		if len(prev.URLs) != 2 || strings.Count(prev.Message, e.URL+"/l/xxxxxxxx") != 2 {
			t.Fatalf("preview: %+v", prev)
		}
		shareOf := func(c *client.Client, key string) string {
			return must[client.PerformResult](t)(c.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: key})).Share.Text
		}
		annText, bobText := shareOf(ann, "1"), shareOf(bob, "1")
		if annText == bobText || strings.Contains(annText, "example.com") || shareOf(ann, "2") != annText {
			t.Fatalf("links: ann %q, bob %q", annText, bobText)
		}
		if catText := shareOf(cat, "1"); catText != msg {
			t.Fatalf("an opted-out member must get the original text: %q", catText)
		}
		annLinks := links.UniqueURLs(annText)
		if len(annLinks) != 2 || !strings.HasSuffix(annText, ".") || !strings.Contains(annText, "，详情 ") {
			t.Fatalf("rewritten text: %q", annText)
		}
		for _, l := range annLinks {
			if code := l[strings.LastIndex(l, "/")+1:]; len(code) < 7 {
				t.Fatalf("code %q too short", code)
			}
		}
		// Ann's first link: three follows by people from one address with two
		// browsers (one unique visitor: a varied User-Agent is no new
		// person), and a preview bot.
		resp := followLink(t, annLinks[0], browserUA, "https://mp.weixin.qq.com/s/x")
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://example.com/launch?ref=1" || len(resp.Cookies()) != 0 {
			t.Fatalf("redirect: %d %q cookies %v", resp.StatusCode, resp.Header.Get("Location"), resp.Cookies())
		}
		followLink(t, annLinks[0], browserUA, "")
		followLink(t, annLinks[0], "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36", "")
		followLink(t, annLinks[0], "facebookexternalhit/1.1", "")
		followLink(t, links.UniqueURLs(bobText)[1], browserUA, "")
		if resp := followLink(t, e.URL+"/l/NoSuchCode", browserUA, ""); resp.StatusCode != 404 {
			t.Fatalf("unknown code: %d", resp.StatusCode)
		}
		var rep client.ActivityReport
		for deadline := time.Now().Add(10 * time.Second); rep.Clicks.Total < 5; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("clicks never arrived: %+v", rep.Clicks)
			}
			rep = must[client.ActivityReport](t)(e.Manager.ActivityReport(ctx, pid, a.ID))
		}
		c := rep.Clicks
		if c.Total != 5 || c.People != 4 || c.Bots != 1 || c.Unique != 2 || len(c.PerMember) != 2 {
			t.Fatalf("clicks: %+v", c)
		}
		for _, m := range c.PerMember {
			want := map[string]client.ClickCount{annID: {Total: 4, People: 3, Unique: 1}, bobID: {Total: 1, People: 1, Unique: 1}}[m.MemberID]
			if m.ClickCount != want {
				t.Fatalf("member %s: %+v, want %+v", m.Name, m.ClickCount, want)
			}
		}
		sum := must[client.SummaryReport](t)(e.Manager.SummaryReport(ctx, pid, "", ""))
		if sum.Activities[0].Clicks.People != 4 {
			t.Fatalf("summary: %+v", sum.Activities[0])
		}
	})
}

// TestClicksSurviveShutdown: every click recorded before Close is stored.
func TestClicksSurviveShutdown(t *testing.T) {
	st := storetest.SQLite(t)
	rec := links.NewRecorder(st, slog.New(slog.DiscardHandler), time.Hour) // no timed flush
	e := apitest.New(t, st, func(o *httpapi.Options) { o.Clicks = rec })
	_, ann := e.AddMember("ann@acme.test", "UTC")
	a := photo(t, e, "https://example.com/x", 1, client.ActivityInput{})
	text := must[client.PerformResult](t)(ann.Perform(ctx, e.ProgramID, a.ID, client.Perform{ClientActionID: "1"})).Share.Text
	for i := 0; i < 1500; i++ { // one full batch and a partial one
		followLink(t, links.UniqueURLs(text)[0], browserUA, "")
	}
	rec.Close()
	rep := must[client.ActivityReport](t)(e.Manager.ActivityReport(ctx, e.ProgramID, a.ID))
	if rep.Clicks.Total != 1500 {
		t.Fatalf("stored %d of 1500 clicks", rep.Clicks.Total)
	}
}
