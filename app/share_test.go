package app

import (
	"bytes"
	"context"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/platform"
)

// newWebHarness is the web build in a browser: phone-sized when mobile.
func newWebHarness(t *testing.T, server string, mobile bool) *harness {
	t.Helper()
	h := newHarness(t, server, mobile)
	h.web = true
	h.start()
	return h
}

// scanQR reads the panel's QR code as a phone's scanner would: from the
// PNG the app draws, with an independent decoder.
func scanQR(t *testing.T, p *sharePanel) string {
	t.Helper()
	if p.qr.Resource == nil {
		t.Fatal("the share panel has no QR image")
	}
	png := p.qr.Resource.Content()
	want, err := qrPNG(p.url)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(png, want) {
		t.Error("the QR image is not qrPNG of the panel's link")
	}
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 220 || b.Dy() < 220 {
		t.Errorf("QR image %v, too small to scan", b)
	}
	if s := p.qr.MinSize(); s.Width < 220 || s.Height < 220 {
		t.Errorf("QR drawn at %v, too small to scan", s)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image is the code as generated (byte-equal to qrPNG above), so it
	// is read as a pure barcode: zxing's camera-frame detector misjudges the
	// module size of some clean renderings ("dimension = 27") depending on
	// the random token, which made this test fail now and then.
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("the QR code does not scan: %v", err)
	}
	return res.GetText()
}

// getPage fetches a share page as a phone's browser would.
func getPage(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// checkPanel: the panel shows url as a QR code that scans, with the link to
// read and copy, and the scan hint.
func checkPanel(t *testing.T, h *harness, p *sharePanel, server string) string {
	t.Helper()
	if p == nil {
		t.Fatal("no share panel")
	}
	if !strings.HasPrefix(p.url, server+"/s/") {
		t.Errorf("share link %q, want %s/s/{token}", p.url, server)
	}
	if got := scanQR(t, p); got != p.url {
		t.Errorf("QR code says %q, want %q", got, p.url)
	}
	if p.link.Text != p.url {
		t.Errorf("link shown %q, want %q", p.link.Text, p.url)
	}
	if p.hint.Text != "Scan with your phone's camera or WeChat" {
		t.Errorf("hint %q", p.hint.Text)
	}
	h.tap(p.copy)
	if got := h.app.Clipboard().Content(); got != p.url {
		t.Errorf("clipboard %q after Copy link, want %q", got, p.url)
	}
	if p.copy.Text != "Link copied" {
		t.Errorf("copy button says %q after copying", p.copy.Text)
	}
	// The test server's public address is loopback: the panel says a phone
	// cannot open it.
	if !p.local.Visible() || !strings.Contains(p.local.Text, "127.0.0.1") {
		t.Errorf("loopback link without a word: %q visible=%v", p.local.Text, p.local.Visible())
	}
	if code, _ := getPage(t, p.url); code != http.StatusOK {
		t.Errorf("GET %s: %d", p.url, code)
	}
	return p.url
}

// A member with no phone: the desktop never says "sent", and shows the QR
// code of the member's share page.
func TestDesktopHandoffWithoutPhoneShowsQR(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Member(1))
	a := h.open("我们的新产品")
	if a.action.Text != "Share on WeChat" {
		t.Fatalf("action %q", a.action.Text)
	}
	h.tap(a.action)
	if strings.Contains(a.result.Text, "Sent") || !strings.HasPrefix(a.result.Text, "No phone has Chorus yet") {
		t.Errorf("result %q, want no phone", a.result.Text)
	}
	p := a.panel
	if p == nil {
		t.Fatal("no QR panel after the handoff")
	}
	if p.status.Text != a.result.Text || !p.status.Visible() {
		t.Errorf("panel says %q (visible %v), screen %q", p.status.Text, p.status.Visible(), a.result.Text)
	}
	got := checkPanel(t, h, p, srv.URL)
	api := apiAs(t, srv.URL, testserver.Member(1))
	if own, err := api.ShareLink(context.Background(), programOf(t, api), a.item.ID, ""); err != nil || own.URL != got {
		t.Errorf("handoff's page %q, member1's share link %q (%v)", got, own.URL, err)
	}
	h.tap(p.close)
	if len(h.win.Canvas().Overlays().List()) != 0 {
		t.Error("Close left the panel open")
	}
}

// With a phone registered, the desktop says sent, and shows the QR code too.
func TestDesktopHandoffWithPhoneSaysSentAndShowsQR(t *testing.T) {
	srv := testserver.Start(t)
	api := apiAs(t, srv.URL, testserver.Member(1))
	if _, err := api.RegisterDevice(context.Background(), client.DeviceInput{Platform: "fcm", Token: "fcm-token-member1-phone"}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Member(1))
	a := h.open("我们的新产品")
	h.tap(a.action)
	if !strings.HasPrefix(a.result.Text, "Sent to your phone") {
		t.Errorf("result %q, want sent", a.result.Text)
	}
	checkPanel(t, h, a.panel, srv.URL)
}

// "Open on my phone" on a desktop: the member's own share page, no push.
func TestDesktopOpenOnMyPhoneShowsOwnShareLinkQR(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Member(1))
	a := h.open("我们的新产品")
	if !a.phoneLink.Visible() || a.phoneLink.Text != "Open on my phone" {
		t.Fatalf("phone link %q visible=%v", a.phoneLink.Text, a.phoneLink.Visible())
	}
	h.tap(a.phoneLink)
	if a.panel == nil {
		t.Fatalf("no panel: %q", a.result.Text)
	}
	if a.panel.status.Visible() {
		t.Errorf("panel claims %q without any push", a.panel.status.Text)
	}
	checkPanel(t, h, a.panel, srv.URL)
	if !a.panel.expires.Visible() {
		t.Error("the link's end is not shown")
	}
}

// The manager's member view gives that member's share page, to send on.
func TestManagerPreviewShareLinkIsTheMembers(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	p := m.preview
	p.query.SetText("member2@")
	test.Tap(p.buttons[0])
	h.ui.Wait()
	if previewUI(p) == nil {
		t.Fatalf("no preview: %q", p.status.Text)
	}
	test.Tap(previewUI(p).feedView.cardAt(0).card)
	act := previewUI(p).activity
	if act == nil {
		t.Fatal("no activity")
	}
	if act.phoneLink.Disabled() || act.phoneLink.Text != "Share page link" {
		t.Fatalf("share page link %q disabled=%v", act.phoneLink.Text, act.phoneLink.Disabled())
	}
	test.Tap(act.phoneLink)
	h.ui.Wait()
	panel := act.panel
	if panel == nil {
		t.Fatalf("no panel: %q", act.result.Text)
	}
	if !strings.Contains(panel.status.Text, "Emma Johnson") {
		t.Errorf("panel status %q does not name the member", panel.status.Text)
	}
	got := checkPanel(t, h, panel, srv.URL)

	// It is member2's page: the very link member2 gets for the activity
	// (one per member and activity), not another member's.
	ctx := context.Background()
	own := apiAs(t, srv.URL, testserver.Member(2))
	pid := programOf(t, own)
	mine, err := own.ShareLink(ctx, pid, act.item.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if got != mine.URL {
		t.Errorf("the manager's link for member2 %q, member2's own %q", got, mine.URL)
	}
	other := apiAs(t, srv.URL, testserver.Member(1))
	if theirs, err := other.ShareLink(ctx, pid, act.item.ID, ""); err == nil && theirs.URL == got {
		t.Error("member1 and member2 have the same share page")
	}
}

// The web build on a phone: Share hands the file (fetched when the
// activity opened) to the browser's share sheet, which leads to WeChat; the
// text is on the clipboard; nothing says "send to your phone".
func TestWebPhoneShareHandsOverTheFile(t *testing.T) {
	srv := testserver.Start(t)
	h := newWebHarness(t, srv.URL, true)
	h.signIn(testserver.Member(1))
	a := h.open("我们的新产品")
	if a.notice.Visible() {
		t.Errorf("notice %q on a phone's browser", a.notice.Text)
	}
	if a.action.Text != "Share on WeChat" {
		t.Fatalf("action %q", a.action.Text)
	}
	h.ui.Wait()
	h.tap(a.action)
	calls := h.share.wechatCalls()
	if len(calls) != 1 || calls[0].MediaPath == "" || calls[0].MediaType != "image" {
		t.Fatalf("shared %+v, want the photo", calls)
	}
	if len(h.browser.here) != 0 {
		t.Errorf("the app left for %v", h.browser.here)
	}
	if clip := h.app.Clipboard().Content(); !strings.Contains(clip, "/l/") {
		t.Errorf("clipboard %q, want the tracked link", clip)
	}
	if a.ready == nil {
		t.Error("no Ready for WeChat")
	}
}

// Where the browser cannot share files: Save photo and Copy text.
func TestWebPhoneWithoutFileShareOffersSaveAndCopy(t *testing.T) {
	srv := testserver.Start(t)
	h := newWebHarness(t, srv.URL, true)
	h.share.result, h.share.err = platform.Failed, platform.ErrCannotShareFiles
	h.signIn(testserver.Member(1))
	a := h.open("我们的新产品")
	h.ui.Wait()
	h.tap(a.action)
	c := a.saveCopy
	if c == nil {
		t.Fatalf("no Save/Copy; result %q", a.result.Text)
	}
	if c.save.Text != "Save photo" || !c.save.Visible() {
		t.Errorf("save button %q visible=%v", c.save.Text, c.save.Visible())
	}
	h.app.Clipboard().SetContent("")
	h.tap(c.copy)
	if clip := h.app.Clipboard().Content(); !strings.Contains(clip, "/l/") {
		t.Errorf("Copy text put %q on the clipboard", clip)
	}
}

// The web build in a wide window does as the desktop app: the QR code.
func TestWebDesktopHandoffShowsQR(t *testing.T) {
	srv := testserver.Start(t)
	h := newWebHarness(t, srv.URL, false)
	h.signIn(testserver.Member(1))
	a := h.open("我们的新产品")
	h.tap(a.action)
	if len(h.browser.here) != 0 {
		t.Errorf("a wide browser left the app for %v", h.browser.here)
	}
	checkPanel(t, h, a.panel, srv.URL)
}

func TestShareLoopbackHost(t *testing.T) {
	for link, want := range map[string]string{
		"http://127.0.0.1:8080/s/x":      "127.0.0.1",
		"http://localhost/s/x":           "localhost",
		"http://[::1]:8080/s/x":          "::1",
		"https://chorus.acme.com/s/x":    "",
		"http://192.168.1.20:8080/s/x":   "",
		"https://chorus.acme.com:443/s/": "",
	} {
		if got := loopbackHost(link); got != want {
			t.Errorf("loopbackHost(%q) = %q, want %q", link, got, want)
		}
	}
}
