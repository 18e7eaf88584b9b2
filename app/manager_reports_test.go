package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// memberPerforms has demo member i perform the first WeChat activity of
// their feed and returns its id.
func memberPerforms(t *testing.T, srv *testserver.Server, i int) string {
	t.Helper()
	ctx := context.Background()
	api := apiAs(t, srv.URL, testserver.Member(i))
	pid := programOf(t, api)
	feed, err := api.Feed(ctx, pid, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range feed.Items {
		if it.Network != "wechat" || it.Performed {
			continue
		}
		if _, err := api.Perform(ctx, pid, it.ID, client.Perform{ClientActionID: session.NewActionID(), Surface: "web"}); err != nil {
			t.Fatal(err)
		}
		return it.ID
	}
	t.Fatal("no WeChat activity to perform")
	return ""
}

func TestManagerReportShowsPerformsAndExportsCSV(t *testing.T) {
	srv := testserver.Start(t)
	aid := memberPerforms(t, srv, 2)
	h, m := signInManager(t, srv)
	v := m.reports
	if len(v.ids) == 0 {
		t.Fatalf("no activities to report on: %q", v.status.Text)
	}
	v.pick(aid)
	h.ui.Wait()
	if v.report == nil || v.report.ActivityID != aid {
		t.Fatalf("report not shown: %q", v.status.Text)
	}
	if v.report.Performed < 1 || !strings.HasPrefix(v.performed.Text, "1") {
		t.Errorf("performed %d, label %q", v.report.Performed, v.performed.Text)
	}
	if !strings.Contains(v.surfaces.Text, "web app 1") {
		t.Errorf("surfaces %q", v.surfaces.Text)
	}
	bars := 0
	for _, d := range v.chart.days {
		bars += d.Performs
	}
	if bars < 1 || len(v.chart.bars.Objects) != len(v.chart.days) {
		t.Errorf("chart %+v with %d bars", v.chart.days, len(v.chart.bars.Objects))
	}

	// Export CSV…: the save dialog answers with a temp file.
	dir := t.TempDir()
	answer := func(name string) {
		v.saveDialog = func(got string, done func(fyne.URIWriteCloser, error)) {
			if got != name {
				t.Errorf("suggested name %q, want %q", got, name)
			}
			w, err := storage.Writer(storage.NewFileURI(filepath.Join(dir, got)))
			done(w, err)
		}
	}
	answer("activity-" + aid + ".csv")
	h.tap(v.exportOne)
	data, err := os.ReadFile(filepath.Join(dir, "activity-"+aid+".csv"))
	if err != nil {
		t.Fatalf("%v (status %q)", err, v.status.Text)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if lines[0] != "activity_id,member_id,name,email,surface,points,performed_at,clicks,clicks_people,unique_visitors" || len(lines) < 2 {
		t.Errorf("activity CSV:\n%s", data)
	}
	if !strings.Contains(v.status.Text, "activity-"+aid+".csv") {
		t.Errorf("status %q", v.status.Text)
	}

	// The summary for the default range (the last 30 days) has the perform.
	h.tap(v.show)
	if v.summary == nil {
		t.Fatalf("no summary: %q", v.status.Text)
	}
	found := false
	for _, a := range v.summary.Activities {
		found = found || (a.ActivityID == aid && a.Performs >= 1)
	}
	if !found {
		t.Errorf("summary lacks the perform: %+v", v.summary.Activities)
	}
	answer("summary.csv")
	h.tap(v.exportSum)
	data, err = os.ReadFile(filepath.Join(dir, "summary.csv"))
	if err != nil {
		t.Fatalf("%v (status %q)", err, v.status.Text)
	}
	if !strings.HasPrefix(string(data), "kind,id,name,type,performs,points,clicks,clicks_people,unique_visitors") || !strings.Contains(string(data), aid) {
		t.Errorf("summary CSV:\n%s", data)
	}

	// A range that is not a date says so.
	v.from.SetText("yesterday")
	h.tap(v.show)
	if !strings.Contains(v.status.Text, "yesterday") {
		t.Errorf("bad date status %q", v.status.Text)
	}
}

// Each app says where a perform happened: phones "mobile", the web build
// "web", the desktop app "desktop" (it was counted as web); the report names
// them in the manager's words.
func TestSurfacesNamedByApp(t *testing.T) {
	for _, c := range []struct {
		phone, browser bool
		want           string
	}{{true, false, "mobile"}, {false, true, "web"}, {true, true, "mobile"}, {false, false, "desktop"}} {
		ui := &UI{kit: &kit{phoneShare: c.phone, browser: c.browser}}
		if got := ui.surface(); got != c.want {
			t.Errorf("phone %v, browser %v: %q, want %q", c.phone, c.browser, got, c.want)
		}
	}
	srv := testserver.Start(t)
	ctx := context.Background()
	api := apiAs(t, srv.URL, testserver.Member(2))
	pid := programOf(t, api)
	feed, err := api.Feed(ctx, pid, "")
	if err != nil {
		t.Fatal(err)
	}
	aid := ""
	for _, it := range feed.Items {
		if it.Network == "wechat" && !it.Performed {
			aid = it.ID
			break
		}
	}
	if _, err := api.Perform(ctx, pid, aid, client.Perform{ClientActionID: session.NewActionID(), Surface: "desktop"}); err != nil {
		t.Fatalf("a desktop perform: %v", err)
	}
	h, m := signInManager(t, srv)
	m.reports.pick(aid)
	h.ui.Wait()
	if got := m.reports.surfaces.Text; !strings.Contains(got, "desktop app 1") {
		t.Errorf("surfaces %q, want the desktop app named", got)
	}
}
