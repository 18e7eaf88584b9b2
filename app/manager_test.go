package app

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/backend/client"
)

func mediaFile(name string) string {
	p, _ := filepath.Abs(filepath.Join("..", "backend", "mediacheck", "testdata", name))
	return p
}

// signInManager opens the manager's desktop.
func signInManager(t *testing.T, srv *testserver.Server) (*harness, *managerView) {
	t.Helper()
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Manager)
	m := h.ui.mgr
	if m == nil {
		t.Fatal("no manager view for the manager")
	}
	if m.mode.selected != modeManager {
		t.Fatalf("mode %q, want manager first", m.mode.selected)
	}
	if len(m.list.rows) == 0 {
		t.Fatalf("no activities listed: %q", m.list.note.Text)
	}
	return h, m
}

func TestManagerModeOnlyForManagers(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Member(1))
	if h.ui.mgr != nil {
		t.Fatal("a member got the manager view")
	}
	h, m := signInManager(t, srv)
	m.mode.set(modeMember)
	if m.body.Objects[0] != m.member {
		t.Fatal("Member does not show the member shell")
	}
	m.mode.set(modeManager)
	if m.body.Objects[0] != m.manager {
		t.Fatal("Manager does not show the manager view")
	}
	_ = h
}

func TestManagerCreatesWeChatPhotoByDrop(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	linkDelay = 0
	// A photo dropped on the window opens a new activity with it.
	m.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(mediaFile("image.jpg"))})
	e := m.editor
	if e == nil {
		t.Fatal("the drop opened no editor")
	}
	h.ui.Wait()
	if e.mediaID == "" {
		t.Fatalf("photo not uploaded: problems %q, status %q", e.problems.Text, e.status.Text)
	}
	if e.progress.Value != 1 {
		t.Errorf("progress %v after the upload", e.progress.Value)
	}
	e.message.SetText("Visit our booth https://example.com/booth")
	h.ui.Wait()
	if !e.tracked.Visible() || strings.Contains(e.tracked.Text, "https://example.com/booth") {
		t.Errorf("tracked form %q (visible %v)", e.tracked.Text, e.tracked.Visible())
	}
	e.groups.SetSelected([]string{"Sales"})
	e.points.SetText("25")
	e.featured.SetChecked(true)
	h.tap(e.save)
	if e.status.Text != "Saved." {
		t.Fatalf("save: %q", e.status.Text)
	}
	mgr := apiAs(t, srv.URL, testserver.Manager)
	pid := programOf(t, mgr)
	got, err := mgr.Activities(context.Background(), pid, client.ActivityQuery{Search: "Visit our booth"})
	if err != nil || len(got) != 1 {
		t.Fatalf("activities %v, %v", got, err)
	}
	a := got[0]
	if a.Type != "wechat_photo" || a.MediaID != e.mediaID || a.Points != 25 || !a.Featured || len(a.GroupIDs) != 1 || a.Status != "live" {
		t.Errorf("created %+v", a)
	}
	// The list shows it, and a type filter keeps it.
	found := false
	for _, r := range m.list.rows {
		found = found || r.item.ID == a.ID
	}
	if !found {
		t.Error("the new activity is not in the list")
	}
	m.list.typ.SetSelectedIndex(2) // WeChat Video
	h.ui.Wait()
	for _, r := range m.list.rows {
		if r.item.Type != "wechat_video" {
			t.Errorf("type filter shows %s", r.item.Type)
		}
	}
}

func TestManagerRefusedVideoShowsReason(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	test.Tap(m.list.newBtn)
	e := m.editor
	e.typ.SetSelected(typeLabel(h.ui.tr, "wechat_video"))
	e.setFile(mediaFile("mp4_h264_faststart_15_5s.mp4"))
	h.ui.Wait()
	if !e.problems.Visible() || !strings.Contains(e.problems.Text, "15.5 s") || !strings.Contains(e.problems.Text, "15 s") {
		t.Fatalf("problems %q (visible %v)", e.problems.Text, e.problems.Visible())
	}
	if e.mediaID != "" || e.uploadID != "" {
		t.Fatal("a refused file was uploaded")
	}
	e.message.SetText("Too long")
	h.tap(e.save)
	if !strings.Contains(e.status.Text, "not uploaded") {
		t.Errorf("saving with a refused file: %q", e.status.Text)
	}
	// The same file is fine for TikTok (3–60 s): it is checked again and sent.
	e.typ.SetSelected(typeLabel(h.ui.tr, "tiktok_video"))
	h.ui.Wait()
	if !strings.Contains(e.problems.Text, "96×54") || !strings.Contains(e.problems.Text, "540") {
		t.Errorf("as TikTok: %q", e.problems.Text)
	}
	if e.instr.Text != "Share this video on TikTok" {
		t.Errorf("TikTok instructions %q", e.instr.Text)
	}
}

func TestManagerPreviewAsMemberMatchesTheirOwnFeed(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	p := m.preview
	p.query.SetText("member2@")
	if len(p.buttons) != 1 {
		t.Fatalf("%d members match member2@", len(p.buttons))
	}
	test.Tap(p.buttons[0])
	h.ui.Wait()
	if previewUI(p) == nil {
		t.Fatalf("no preview: %q", p.status.Text)
	}
	if got := previewUI(p).tr.Location().String(); got != "America/New_York" {
		t.Errorf("preview in %s, want member2's America/New_York", got)
	}
	own := newHarness(t, srv.URL, false)
	own.signIn(testserver.Member(2))
	a, b := shownCards(t, previewUI(p).feedView), shownCards(t, own.ui.feedView)
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("preview %d cards, member2 %d", len(a), len(b))
	}
	for i := range a {
		if previewUI(p).feedView.items[i].ID != own.ui.feedView.items[i].ID || a[i] != b[i] {
			t.Errorf("card %d: preview %+v, member %+v", i, a[i], b[i])
		}
	}
	// A WeChat activity says "do this on your phone", as on member2's desktop.
	test.Tap(previewUI(p).feedView.cardAt(0).card)
	act := previewUI(p).activity
	if act == nil || !act.notice.Visible() || act.notice.Text != h.ui.tr.T("share.phone_only") {
		t.Fatalf("preview activity notice missing")
	}
	if !act.action.Disabled() {
		t.Error("a preview can perform")
	}
	if mine := own.open(previewUI(p).feedView.items[0].Message[:6]); mine.when.Text != act.when.Text {
		t.Errorf("when: preview %q, member %q", act.when.Text, mine.when.Text)
	}
}

func TestManagerDuplicateAndRemove(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	var src *activityRow
	for _, r := range m.list.rows {
		if r.item.Status == "live" && r.item.Type == "wechat_photo" && r.item.MediaID != "" {
			src = r
			break
		}
	}
	if src == nil {
		t.Fatal("no live WeChat Photo with media in the demo")
	}
	before := len(m.list.rows)
	test.Tap(src.duplicate)
	e := m.editor
	if e.editing != nil || e.message.Text != src.item.Message || e.mediaID != src.item.MediaID {
		t.Fatalf("duplicate form: %q media %q", e.message.Text, e.mediaID)
	}
	e.message.SetText(src.item.Message + " (again)")
	h.tap(e.save)
	if len(m.list.rows) != before+1 {
		t.Fatalf("%d activities after duplicate, want %d (status %q)", len(m.list.rows), before+1, e.status.Text)
	}
	var dup client.Activity
	for _, r := range m.list.rows {
		if strings.HasSuffix(r.item.Message, " (again)") {
			dup = r.item
		}
	}
	// Edit it, then remove it from the member view.
	for _, r := range m.list.rows {
		if r.item.ID == dup.ID {
			test.Tap(r.edit)
		}
	}
	m.editor.points.SetText("7")
	h.tap(m.editor.save)
	m.list.remove(dup.ID)
	h.ui.Wait()
	mgr := apiAs(t, srv.URL, testserver.Manager)
	a, err := mgr.Activity(context.Background(), programOf(t, mgr), dup.ID)
	if err != nil || a.Points != 7 || a.Status != "removed" {
		t.Fatalf("after edit and remove: %+v, %v", a, err)
	}
}

// flaky breaks PATCH requests (upload chunks) after the first few while
// broken is set, as a dropped connection does.
type flaky struct {
	mu      sync.Mutex
	broken  bool
	patches int
	offsets []string // Upload-Offset of each chunk that got through
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPatch {
		f.mu.Lock()
		f.patches++
		if f.broken && f.patches > 3 {
			f.mu.Unlock()
			return nil, errors.New("connection reset by peer")
		}
		f.offsets = append(f.offsets, r.Header.Get(client.HeaderUploadOffset))
		f.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestManagerUploadResumesAfterBrokenConnection(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	net := &flaky{broken: true}
	h.ui.session().API.SetTransport(net)
	test.Tap(m.list.newBtn)
	e := m.editor
	e.upOpts = client.UploadOptions{ChunkSize: 256, Retries: 2, Wait: func(int) time.Duration { return time.Millisecond }}
	e.setFile(mediaFile("image.jpg"))
	h.ui.Wait()
	if e.mediaID != "" || !e.resume.Visible() || !strings.Contains(e.status.Text, "interrupted") {
		t.Fatalf("broken upload: media %q, resume %v, status %q", e.mediaID, e.resume.Visible(), e.status.Text)
	}
	if v := e.progress.Value; v <= 0 || v >= 1 {
		t.Errorf("progress %v after 3 of 8 chunks", v)
	}
	net.mu.Lock()
	net.broken, net.offsets = false, nil
	net.mu.Unlock()
	h.tap(e.resume)
	if e.mediaID == "" {
		t.Fatalf("resume did not finish: %q", e.status.Text)
	}
	if len(net.offsets) == 0 || net.offsets[0] != "768" {
		t.Errorf("resumed at offsets %v, want from byte 768", net.offsets)
	}
}

// TestManagerLinkPhotoPreview: a WeChat Photo without a photo shows the
// image its link's page names, before saving.
func TestManagerLinkPhotoPreview(t *testing.T) {
	img, err := os.ReadFile(mediaFile("image.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/launch":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<html><head><meta property="og:image" content="/launch.jpg"></head></html>`))
		case "/launch.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(img)
		default:
			http.NotFound(w, r)
		}
	}))
	defer site.Close()
	// The server fetches pages only from public addresses unless told.
	t.Setenv("CHORUS_LINK_PREVIEW_ALLOW", "127.0.0.1/32")
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	linkDelay = 0
	m.newActivity()
	e := m.editor
	e.message.SetText("Our launch " + site.URL + "/launch")
	h.ui.Wait()
	if !e.linkPhoto.Visible() || e.linkPhoto.Resource == nil || !bytes.Equal(e.linkPhoto.Resource.Content(), img) {
		t.Fatalf("link photo not shown (visible %v)", e.linkPhoto.Visible())
	}
	// A video activity gets no link photo.
	e.typ.SetSelected(typeLabel(h.ui.tr, "wechat_video"))
	e.message.SetText("Our launch " + site.URL + "/launch ")
	h.ui.Wait()
	if e.linkPhoto.Visible() {
		t.Fatal("a video activity shows a link photo")
	}
}

// previewUI is the member app a preview shows (nil before a member is
// picked).
func previewUI(p *previewView) *UI {
	ui, _ := p.app.(*UI)
	return ui
}
