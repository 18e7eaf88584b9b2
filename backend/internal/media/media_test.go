package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

var ctx = context.Background()

func TestLocalStorage(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if n, err := l.Put(ctx, "prg_1/med_1", strings.NewReader("hello")); err != nil || n != 5 {
		t.Fatalf("put: %d %v", n, err)
	}
	st, err := l.Stat(ctx, "prg_1/med_1")
	if err != nil || st.Size != 5 {
		t.Fatalf("stat: %+v %v", st, err)
	}
	obj, err := l.Open(ctx, "prg_1/med_1")
	if err != nil {
		t.Fatal(err)
	}
	obj.Seek(1, io.SeekStart)
	b, _ := io.ReadAll(obj)
	obj.Close()
	if string(b) != "ello" {
		t.Fatalf("read %q", b)
	}
	if err := l.Delete(ctx, "prg_1/med_1"); err != nil {
		t.Fatal(err)
	}
	if err := l.Delete(ctx, "prg_1/med_1"); err != nil {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := l.Open(ctx, "prg_1/med_1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open deleted: %v", err)
	}
	if _, err := l.Stat(ctx, "prg_1/none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("stat missing: %v", err)
	}
	for _, bad := range []string{"", "/etc/passwd", "../x", "a/../../x", "a//b", `a\b`, "a/.hidden", "a/./b"} {
		if _, err := l.Put(ctx, bad, strings.NewReader("x")); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
	// A failed put leaves nothing behind.
	if _, err := l.Put(ctx, "prg_1/med_2", io.MultiReader(strings.NewReader("abc"), errReader{})); err == nil {
		t.Fatal("put of a failing reader succeeded")
	}
	if _, err := l.Stat(ctx, "prg_1/med_2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("half-written object visible: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(l.Root(), "prg_1"))
	if len(entries) != 0 {
		t.Fatalf("temp files left: %v", entries)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestPublicAddresses(t *testing.T) {
	for ip, public := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1:248:1893:25c8:1946": true, "8.8.8.8": true,
		"127.0.0.1": false, "127.1.2.3": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "fd12::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "224.0.0.1": false, "255.255.255.255": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"64:ff9b::a00:1": false, "64:ff9b::808:808": true, "198.18.0.1": false, "ff02::1": false,
	} {
		if got := isPublic(netip.MustParseAddr(ip)); got != public {
			t.Errorf("isPublic(%s) = %v", ip, got)
		}
	}
	allow, err := ParseAllow(" 127.0.0.1, 10.0.0.0/8 ,")
	if err != nil || len(allow) != 2 {
		t.Fatalf("ParseAllow: %v %v", allow, err)
	}
	p := NewPreviewer(PreviewOptions{Allow: allow})
	for ip, ok := range map[string]bool{"127.0.0.1": true, "::ffff:127.0.0.1": true, "127.0.0.2": false, "10.9.8.7": true, "192.168.0.1": false} {
		if p.Allowed(netip.MustParseAddr(ip)) != ok {
			t.Errorf("allowed(%s) != %v", ip, ok)
		}
	}
	if _, err := ParseAllow("localhost"); err == nil {
		t.Fatal("a host name in the allow-list")
	}
}

func TestFirstLink(t *testing.T) {
	for msg, want := range map[string]string{
		"我们的新产品今天发布！Our new product launches today: https://example.com/launch": "https://example.com/launch",
		"See https://example.com/a?b=1&c=2. Thanks":                             "https://example.com/a?b=1&c=2",
		"(https://example.com/x)":                                  "https://example.com/x",
		"wiki https://en.wikipedia.org/wiki/Foo_(bar) yes":         "https://en.wikipedia.org/wiki/Foo_(bar)",
		"链接：https://example.cn/新闻，欢迎转发":                            "https://example.cn/新闻",
		"HTTP://EXAMPLE.COM/Up and http://second.example":          "HTTP://EXAMPLE.COM/Up",
		"no link here, just ftp://example.com and www.example.com": "",
		"https://": "",
	} {
		if got := FirstLink(msg); got != want {
			t.Errorf("FirstLink(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestOGImage(t *testing.T) {
	for page, want := range map[string]pageImage{
		`<html><head><meta property="og:image" content="https://cdn.example/a.jpg"><meta name="twitter:image" content="/t.jpg"></head></html>`: {url: "https://cdn.example/a.jpg"},
		`<head><meta name="twitter:image" content="/t.jpg"><meta property="og:image:secure_url" content="/s.jpg">`:                             {url: "/s.jpg"},
		`<head><base href="https://static.example/x/"><meta name="twitter:image:src" content="t.jpg"></head>`:                                  {url: "t.jpg", base: "https://static.example/x/"},
		`<head><meta property="og:image" content="a&amp;b.jpg"/></head>`:                                                                       {url: "a&b.jpg"},
		`<head><title>x</title></head><body><meta property="og:image" content="/late.jpg"></body>`:                                             {},
		`<head><meta property="og:image" content="  "></head>`:                                                                                 {},
		`garbage <<<>>> \x00`: {},
	} {
		if got := ogImage(strings.NewReader(page)); got != want {
			t.Errorf("%s: %+v, want %+v", page, got, want)
		}
	}
}

// TestPreviewGuard: pages on the server's own network are refused at
// dial time (a name that resolves there, too) unless allowed; redirects
// and sizes are bounded.
func TestPreviewGuard(t *testing.T) {
	hops := 0
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/page":
			fmt.Fprint(w, `<html><head><meta property="og:image" content="img/a.png"></head>`)
		case "/loop":
			hops++
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/direct.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write([]byte{0xFF, 0xD8, 0xFF})
		case "/huge":
			w.Header().Set("Content-Type", "text/html")
			w.Write(bytes.Repeat([]byte("<p>padding</p>"), 200_000))
			fmt.Fprint(w, `<meta property="og:image" content="/too-late.jpg">`)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		}
	}))
	defer site.Close()
	port := site.URL[strings.LastIndex(site.URL, ":")+1:]

	blocked := NewPreviewer(PreviewOptions{})
	for _, u := range []string{site.URL + "/page", "http://localhost:" + port + "/page"} {
		if _, err := blocked.ImageURL(ctx, u); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("%s without the allow-list: %v", u, err)
		}
	}
	p := NewPreviewer(PreviewOptions{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, PageTimeout: 200 * time.Millisecond})
	if got, err := p.ImageURL(ctx, site.URL+"/page"); err != nil || got != site.URL+"/img/a.png" {
		t.Fatalf("page: %q %v", got, err)
	}
	if got, err := p.ImageURL(ctx, site.URL+"/direct.jpg"); err != nil || got != site.URL+"/direct.jpg" {
		t.Fatalf("direct image: %q %v", got, err)
	}
	if _, err := p.ImageURL(ctx, site.URL+"/loop"); err == nil || !strings.Contains(err.Error(), "redirects") || hops != 4 {
		t.Fatalf("redirect loop: %v after %d hops", err, hops)
	}
	if got, err := p.ImageURL(ctx, site.URL+"/huge"); err != nil || got != "" {
		t.Fatalf("image named after the first MiB: %q %v", got, err)
	}
	if _, err := p.ImageURL(ctx, site.URL+"/slow"); err == nil {
		t.Fatal("a page slower than the timeout")
	}
	if _, err := p.ImageURL(ctx, "file:///etc/passwd"); err == nil {
		t.Fatal("a file: link")
	}
}

func newService(t *testing.T, st *store.Store, now func() time.Time) (*Service, string) {
	dir := t.TempDir()
	s, err := OpenDir(dir, Options{Store: st, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func TestSweepAbandonedUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now()
		clock := func() time.Time { return now }
		s, dir := newService(t, st, clock)
		prog, mgr := program(t, st)
		old, err := s.CreateUpload(ctx, prog.ID, mgr.ID, "wechat_photo", "a.jpg", 100)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(ctx, prog.ID, old.ID, 0, 10, bytes.NewReader(make([]byte, 10)), nil); err != nil {
			t.Fatal(err)
		}
		orphan := filepath.Join(dir, "uploads", "import-123.part")
		os.WriteFile(orphan, []byte("x"), 0o600)
		os.Chtimes(orphan, now.Add(-25*time.Hour), now.Add(-25*time.Hour))
		now = now.Add(23 * time.Hour)
		fresh, _ := s.CreateUpload(ctx, prog.ID, mgr.ID, "wechat_photo", "b.jpg", 100)
		if n, err := s.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("sweep before a day: %d %v", n, err)
		}
		if _, err := os.Stat(orphan); !os.IsNotExist(err) {
			t.Fatalf("a day-old stray file stays: %v", err)
		}
		now = now.Add(2 * time.Hour)
		if n, err := s.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("sweep after a day: %d %v", n, err)
		}
		if _, err := s.Upload(ctx, prog.ID, old.ID); !isNotFound(err) {
			t.Fatalf("abandoned upload still there: %v", err)
		}
		if _, err := os.Stat(s.partPath(old.ID)); !os.IsNotExist(err) {
			t.Fatalf("its bytes are still there: %v", err)
		}
		if _, err := os.Stat(s.hashPath(old.ID)); !os.IsNotExist(err) {
			t.Fatalf("its hash state is still there: %v", err)
		}
		if _, err := s.Upload(ctx, prog.ID, fresh.ID); err != nil {
			t.Fatalf("a recent upload was swept: %v", err)
		}
	})
}

// program makes a program and its manager straight in the store.
func program(t *testing.T, st *store.Store) (domain.Program, domain.User) {
	t.Helper()
	u := domain.User{ID: domain.NewID("usr"), Email: domain.NewID("m") + "@p.test", Name: "M", Timezone: "UTC", Locale: "en", CreatedAt: time.Now()}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	p := domain.Program{ID: domain.NewID("prg"), Name: "P", Timezone: "UTC", CreatedAt: time.Now()}
	if err := st.CreateProgram(ctx, p, u.ID); err != nil {
		t.Fatal(err)
	}
	return p, u
}

func TestImportLimits(t *testing.T) {
	st := storetest.SQLite(t)
	s, _ := newService(t, st, nil)
	s.limits.PhotoMaxBytes = 2000
	prog, _ := program(t, st)
	_, err := s.Import(ctx, prog.ID, "", mediacheck.KindWeChatPhoto, "big.jpg", store.MediaSourceLinkPreview, "", bytes.NewReader(make([]byte, 5000)), 1000)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != wire.CodeMediaRefused || de.Fields["too_large"] == "" {
		t.Fatalf("too large: %v", err)
	}
	img, _ := os.ReadFile("../../mediacheck/testdata/image.gif")
	m, err := s.Import(ctx, prog.ID, "", mediacheck.KindWeChatPhoto, "", store.MediaSourceLinkPreview, "http://x/y", bytes.NewReader(img), 2000)
	if err != nil || m.Container != "gif" || m.ContentType != "image/gif" || m.Filename != m.ID+".gif" || m.Width != 64 {
		t.Fatalf("import: %+v %v", m, err)
	}
}

func TestExifOrientation(t *testing.T) {
	// A JPEG header with an APP1 EXIF block whose IFD0 says orientation 6.
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0}
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	jpg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	jpg = append(jpg, app1...)
	jpg = append(jpg, 0xFF, 0xDA)
	if o := exifOrientation(bytes.NewReader(jpg)); o != 6 {
		t.Fatalf("orientation %d, want 6", o)
	}
	if o := exifOrientation(bytes.NewReader(jpg[:20])); o != 1 {
		t.Fatalf("truncated: %d", o)
	}
}
