package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

func mediaPath(e *apitest.Env, rest ...string) string {
	return e.URL + "/api/v1/programs/" + e.ProgramID + "/media/" + strings.Join(rest, "/")
}

// patch sends a chunk by hand and returns the status and Upload-Offset.
func patch(t *testing.T, e *apitest.Env, token, id string, offset int64, chunk []byte) (int, int64, string) {
	t.Helper()
	req, _ := http.NewRequest("PATCH", mediaPath(e, "uploads", id), bytes.NewReader(chunk))
	req.Header.Set("Content-Type", client.ContentTypeOffsetStream)
	req.Header.Set(client.HeaderUploadOffset, strconv.FormatInt(offset, 10))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.HTTP().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	off, _ := strconv.ParseInt(resp.Header.Get(client.HeaderUploadOffset), 10, 64)
	return resp.StatusCode, off, string(b)
}

// cutChunk starts a PATCH declaring len(chunk) bytes, sends only the first
// `send` of them, and leaves the connection hanging (a phone that lost its
// network): the server only learns of it when a later request takes over.
func cutChunk(t *testing.T, e *apitest.Env, token, id string, offset int64, chunk []byte, send int) net.Conn {
	t.Helper()
	u, _ := url.Parse(mediaPath(e, "uploads", id))
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\n%s: %d\r\nContent-Length: %d\r\n\r\n",
		u.Path, u.Host, token, client.ContentTypeOffsetStream, client.HeaderUploadOffset, offset, len(chunk))
	if _, err := conn.Write(chunk[:send]); err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestMediaUploadResume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		dir := t.TempDir()
		e := apitest.New(t, st, func(o *httpapi.Options) {
			var err error
			if o.Media, err = media.OpenDir(dir, media.Options{Store: st}); err != nil {
				t.Fatal(err)
			}
		})
		pid := e.ProgramID
		tok := loginToken(t, e, "mgr@acme.test")
		file := apitest.TestData("mp4_h264_moovend_15s.mp4")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		size := int64(len(data))
		up := must[client.Upload](t)(e.Manager.CreateUpload(ctx, pid, client.UploadRequest{Kind: "wechat_video", Filename: "team.mp4", Size: size}))
		if up.Offset != 0 || up.Size != size || up.ID == "" || up.ExpiresAt.Before(time.Now().Add(23*time.Hour)) {
			t.Fatalf("upload: %+v", up)
		}

		// First chunk, then a wrong offset: 409 with where it stands.
		if code, off, body := patch(t, e, tok, up.ID, 0, data[:3000]); code != 204 || off != 3000 {
			t.Fatalf("first chunk: %d %d %s", code, off, body)
		}
		code, off, body := patch(t, e, tok, up.ID, 2000, data[2000:4000])
		if code != 409 || off != 3000 || !strings.Contains(body, `"code":"offset_mismatch"`) {
			t.Fatalf("wrong offset: %d %d %s", code, off, body)
		}
		if _, err := e.Manager.CompleteUpload(ctx, pid, up.ID); apitest.Code(err) != "upload_incomplete" || client.Status(err) != 409 {
			t.Fatalf("complete too early: %v", err)
		}

		// The connection breaks half-way through a chunk and is left
		// hanging; HEAD may not know yet. The resumed upload takes over,
		// learns the true offset (the 1000 bytes that did arrive count)
		// and finishes.
		conn := cutChunk(t, e, tok, up.ID, 3000, data[3000:6000], 1000)
		defer conn.Close()
		waitFor(t, "the server to receive the cut chunk's bytes", func() bool {
			fi, err := os.Stat(filepath.Join(dir, "uploads", up.ID+".part"))
			return err == nil && fi.Size() == 4000
		})
		// HEAD gives the offset known to be safe on disk: the hanging
		// chunk is not recorded until it ends.
		at, length, err := e.Manager.UploadStatus(ctx, pid, up.ID)
		if err != nil || length != size || at != 3000 {
			t.Fatalf("HEAD: %d %d %v", at, length, err)
		}
		var offsets []int64
		res, err := e.Manager.ResumeUpload(ctx, pid, up.ID, bytes.NewReader(data), size, at,
			client.UploadOptions{ChunkSize: 2048, Progress: func(o, _ int64) { offsets = append(offsets, o) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(offsets) == 0 || offsets[0] != 4000 {
			t.Fatalf("resume did not continue after the bytes that arrived: offsets %v", offsets)
		}
		want := client.MediaProbe{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 15000, SizeBytes: size}
		if res.MediaID == "" || res.Kind != "wechat_video" || res.ContentType != "video/mp4" || res.Probe != want {
			t.Fatalf("complete: %+v", res)
		}
		again := must[client.UploadResult](t)(e.Manager.CompleteUpload(ctx, pid, up.ID))
		if again != res {
			t.Fatalf("complete again: %+v, want %+v", again, res)
		}
		if at, _, _ := e.Manager.UploadStatus(ctx, pid, up.ID); at != size {
			t.Fatalf("HEAD after complete: %d", at)
		}
		var got bytes.Buffer
		ct := must[string](t)(e.Manager.DownloadMedia(ctx, pid, res.MediaID, &got))
		if ct != "video/mp4" || !bytes.Equal(got.Bytes(), data) {
			t.Fatalf("download: %s, %d bytes, equal %v", ct, got.Len(), bytes.Equal(got.Bytes(), data))
		}
		// Finished uploads take no more bytes.
		if code, _, body := patch(t, e, tok, up.ID, size, []byte("x")); code != 409 {
			t.Fatalf("patch after complete: %d %s", code, body)
		}
	})
}

// TestMediaUploadCutClosed: the connection closes half-way through a
// chunk; the bytes that arrived are kept and HEAD says so.
func TestMediaUploadCutClosed(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	pid := e.ProgramID
	tok := loginToken(t, e, "mgr@acme.test")
	data, _ := os.ReadFile(apitest.TestData("image.jpg"))
	up := must[client.Upload](t)(e.Manager.CreateUpload(ctx, pid, client.UploadRequest{Kind: "wechat_photo", Filename: "a.jpg", Size: int64(len(data))}))
	conn := cutChunk(t, e, tok, up.ID, 0, data, 700)
	time.Sleep(20 * time.Millisecond)
	conn.Close()
	var at int64
	waitFor(t, "HEAD to show the bytes that arrived", func() bool {
		at, _, _ = e.Manager.UploadStatus(ctx, pid, up.ID)
		return at == 700
	})
	res, err := e.Manager.ResumeUpload(ctx, pid, up.ID, bytes.NewReader(data), int64(len(data)), at, client.UploadOptions{})
	if err != nil || res.Probe.Container != "jpeg" || res.Probe.Width != 64 {
		t.Fatalf("resume: %+v %v", res, err)
	}
	var got bytes.Buffer
	if _, err := e.Manager.DownloadMedia(ctx, pid, res.MediaID, &got); err != nil || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("download after resume: %v", err)
	}
}

func TestMediaUploadRefusals(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	pid := e.ProgramID
	tok := loginToken(t, e, "mgr@acme.test")
	_, member := e.AddMember("ann@acme.test", "UTC")

	// Declared too large, or the wrong format: refused before any byte.
	for _, c := range []struct {
		in    client.UploadRequest
		codes []string
		says  string
	}{
		{client.UploadRequest{Kind: "wechat_video", Filename: "big.mp4", Size: 5 << 30}, []string{"too_large"}, "file is 5 GB; WeChat allows less than 4 GB"},
		{client.UploadRequest{Kind: "tiktok_video", Filename: "clip.mov", Size: 60 << 20}, []string{"unsupported_format", "too_large"}, "TikTok"},
		{client.UploadRequest{Kind: "wechat_photo", Filename: "photo.heic", Size: 1000}, []string{"unsupported_format"}, "JPEG, PNG, GIF or WebP"},
	} {
		_, err := e.Manager.CreateUpload(ctx, pid, c.in)
		ps := client.MediaProblems(err)
		if client.Status(err) != 422 || apitest.Code(err) != "media_refused" || len(ps) != len(c.codes) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v (%+v)", c.in, err, ps)
			continue
		}
		for i, p := range ps {
			if p.Code != c.codes[i] || p.Message == "" {
				t.Errorf("%+v: problem %d: %+v", c.in, i, p)
			}
		}
	}
	if _, err := e.Manager.CreateUpload(ctx, pid, client.UploadRequest{Kind: "fax", Filename: "", Size: 0}); apitest.Code(err) != "validation_failed" ||
		!strings.Contains(err.Error(), "kind") || !strings.Contains(err.Error(), "filename") || !strings.Contains(err.Error(), "size") {
		t.Fatalf("bad request: %v", err)
	}
	if _, err := member.CreateUpload(ctx, pid, client.UploadRequest{Kind: "wechat_photo", Filename: "a.jpg", Size: 10}); client.Status(err) != 403 {
		t.Fatalf("member starts an upload: %v", err)
	}

	// A video longer than WeChat allows is refused on complete, with the
	// reason a manager understands.
	long := apitest.TestData("mp4_h264_faststart_15_5s.mp4")
	f, _ := os.Open(long)
	defer f.Close()
	fi, _ := f.Stat()
	_, err := e.Manager.UploadMedia(ctx, pid, client.UploadRequest{Kind: "wechat_video", Filename: "long.mp4", Size: fi.Size()}, f, client.UploadOptions{})
	ps := client.MediaProblems(err)
	if client.Status(err) != 422 || len(ps) != 1 || ps[0].Code != "too_long" || ps[0].Message != "video is 15.5 s; WeChat allows at most 15 s" {
		t.Fatalf("long video: %v %+v", err, ps)
	}
	// Text pretending to be a video: the content decides, not the name.
	fake := apitest.TestData("text_renamed.mp4")
	_, err = e.Manager.UploadMedia(ctx, pid, client.UploadRequest{Kind: "tiktok_video", Filename: "fake.mp4", Size: 40}, mustOpen(t, fake), client.UploadOptions{})
	if ps := client.MediaProblems(err); len(ps) != 1 || ps[0].Code != "unsupported_format" {
		t.Fatalf("text file: %v", err)
	}

	// More bytes than declared, a chunk without an offset or with the
	// wrong content type.
	up := must[client.Upload](t)(e.Manager.CreateUpload(ctx, pid, client.UploadRequest{Kind: "wechat_photo", Filename: "a.jpg", Size: 10}))
	if code, off, body := patch(t, e, tok, up.ID, 0, make([]byte, 11)); code != 413 || off != 0 || !strings.Contains(body, "body_too_large") {
		t.Fatalf("too many bytes: %d %d %s", code, off, body)
	}
	req, _ := http.NewRequest("PATCH", mediaPath(e, "uploads", up.ID), strings.NewReader("abc"))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", client.ContentTypeOffsetStream)
	if resp, err := e.HTTP().Do(req); err != nil || resp.StatusCode != 400 {
		t.Fatalf("no Upload-Offset: %v %v", resp.Status, err)
	}
	req, _ = http.NewRequest("PATCH", mediaPath(e, "uploads", up.ID), strings.NewReader("abc"))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(client.HeaderUploadOffset, "0")
	if resp, err := e.HTTP().Do(req); err != nil || resp.StatusCode != 415 {
		t.Fatalf("JSON chunk: %v %v", resp.Status, err)
	}
	// Another program's manager cannot see or touch it.
	otherPID, other := e.OtherProgram()
	if _, _, err := other.UploadStatus(ctx, pid, up.ID); client.Status(err) != 403 {
		t.Fatalf("other manager HEAD: %v", err)
	}
	if _, _, err := other.UploadStatus(ctx, otherPID, up.ID); client.Status(err) != 404 {
		t.Fatalf("other program's path: %v", err)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestMediaServing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		_, _ = e.AddMember("ann@acme.test", "UTC")
		annTok := loginToken(t, e, "ann@acme.test")
		otherPID, _ := e.OtherProgram()
		otherTok := loginToken(t, e, "boss@other.test")
		file := apitest.TestData("mp4_portrait_540x960.mp4")
		data, _ := os.ReadFile(file)
		res := e.UploadMedia("tiktok_video", file)
		vid := e.UploadMedia("wechat_video", apitest.TestData("mov_h264.mov"))

		get := func(tok, path string, hdr ...string) (*http.Response, []byte) {
			t.Helper()
			req, _ := http.NewRequest("GET", path, nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			for i := 0; i+1 < len(hdr); i += 2 {
				req.Header.Set(hdr[i], hdr[i+1])
			}
			resp, err := e.HTTP().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, b
		}
		// The whole file, to a member, with its type and a strong ETag.
		resp, b := get(annTok, mediaPath(e, vid.MediaID))
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "video/quicktime" || etag != `"`+vid.MediaID+`"` ||
			resp.Header.Get("Accept-Ranges") != "bytes" || int64(len(b)) != vid.Probe.SizeBytes {
			t.Fatalf("GET: %d %v %d bytes", resp.StatusCode, resp.Header, len(b))
		}
		// A range, and the tail.
		resp, b = get(annTok, mediaPath(e, res.MediaID), "Range", "bytes=100-199")
		if resp.StatusCode != 206 || !bytes.Equal(b, data[100:200]) || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-199/%d", len(data)) ||
			resp.Header.Get("Content-Type") != "video/mp4" {
			t.Fatalf("range: %d %v %d bytes", resp.StatusCode, resp.Header, len(b))
		}
		resp, b = get(annTok, mediaPath(e, res.MediaID), "Range", "bytes=-10")
		if resp.StatusCode != 206 || !bytes.Equal(b, data[len(data)-10:]) {
			t.Fatalf("suffix range: %d %d bytes", resp.StatusCode, len(b))
		}
		resp, _ = get(annTok, mediaPath(e, res.MediaID), "Range", fmt.Sprintf("bytes=%d-", len(data)+10))
		if resp.StatusCode != 416 {
			t.Fatalf("range outside: %d", resp.StatusCode)
		}
		// If-None-Match: nothing to send again.
		resp, b = get(annTok, mediaPath(e, vid.MediaID), "If-None-Match", etag)
		if resp.StatusCode != 304 || len(b) != 0 {
			t.Fatalf("If-None-Match: %d %d bytes", resp.StatusCode, len(b))
		}
		// HEAD says how big it is without the bytes.
		req, _ := http.NewRequest("HEAD", mediaPath(e, vid.MediaID), nil)
		req.Header.Set("Authorization", "Bearer "+annTok)
		if hr, err := e.HTTP().Do(req); err != nil || hr.StatusCode != 200 || hr.ContentLength != vid.Probe.SizeBytes {
			t.Fatalf("HEAD: %v %v", hr, err)
		}
		// Only people of the program; other programs' media do not exist here.
		if resp, _ := get("", mediaPath(e, vid.MediaID)); resp.StatusCode != 401 {
			t.Fatalf("anonymous: %d", resp.StatusCode)
		}
		if resp, _ := get(otherTok, mediaPath(e, vid.MediaID)); resp.StatusCode != 403 {
			t.Fatalf("non-member: %d", resp.StatusCode)
		}
		if resp, _ := get(otherTok, e.URL+"/api/v1/programs/"+otherPID+"/media/"+vid.MediaID); resp.StatusCode != 404 {
			t.Fatalf("through another program: %d", resp.StatusCode)
		}
		if resp, _ := get(annTok, mediaPath(e, "med_nope")); resp.StatusCode != 404 {
			t.Fatalf("unknown media: %d", resp.StatusCode)
		}
		// A video's thumbnail is its poster when ffmpeg made one (without
		// ffmpeg: TestMediaPosterWithoutFFmpeg).
		if media.PostersAvailable() {
			if resp, b := get(annTok, mediaPath(e, vid.MediaID, "thumbnail")); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || len(b) == 0 {
				t.Fatalf("video thumbnail: %d %v", resp.StatusCode, resp.Header)
			}
		}
		if resp, _ := get(annTok, mediaPath(e, vid.MediaID, "poster")); resp.StatusCode != 404 {
			t.Fatalf("unknown variant: %d", resp.StatusCode)
		}
	})
}

func TestMediaThumbnail(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	_, ann := e.AddMember("ann@acme.test", "UTC")
	// An 800×600 PNG with transparency becomes a 320×240 JPEG on white.
	img := image.NewNRGBA(image.Rect(0, 0, 800, 600))
	for y := 0; y < 600; y++ {
		for x := 0; x < 800; x++ {
			img.Set(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 200, A: 255})
		}
	}
	for y := 0; y < 100; y++ {
		for x := 0; x < 100; x++ {
			img.Set(x, y, color.NRGBA{})
		}
	}
	path := filepath.Join(t.TempDir(), "big.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, buf.Bytes(), 0o600)
	big := e.UploadMedia("wechat_photo", path)
	small := e.UploadMedia("wechat_photo", apitest.TestData("image.jpg"))
	for _, c := range []struct {
		id   string
		w, h int
	}{{big.MediaID, 320, 240}, {small.MediaID, 64, 48}, {big.MediaID, 320, 240}} {
		var out bytes.Buffer
		ct, err := ann.MediaThumbnail(ctx, e.ProgramID, c.id, &out)
		if err != nil || ct != "image/jpeg" {
			t.Fatalf("thumbnail: %q %v", ct, err)
		}
		th, err := jpeg.Decode(&out)
		if err != nil {
			t.Fatalf("not a JPEG: %v", err)
		}
		if b := th.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Fatalf("thumbnail %v, want %d×%d", b, c.w, c.h)
		}
		if c.id == big.MediaID {
			if r, g, b, _ := th.At(5, 5).RGBA(); r>>8 < 240 || g>>8 < 240 || b>>8 < 240 {
				t.Fatalf("transparent corner is not white: %d %d %d", r>>8, g>>8, b>>8)
			}
		}
	}
}

func TestActivityMediaMustFit(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	pid := e.ProgramID
	photo := e.UploadMedia("wechat_photo", apitest.TestData("image.png"))
	portrait := e.UploadMedia("tiktok_video", apitest.TestData("mp4_portrait_540x960.mp4"))
	otherPID, other := e.OtherProgram()
	_ = otherPID
	create := func(typ, mediaID string) (client.Activity, error) {
		return e.Manager.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr(typ), Message: apitest.Ptr("m"), MediaID: apitest.Ptr(mediaID)})
	}
	for _, c := range []struct{ typ, media, says string }{
		{"wechat_video", photo.MediaID, "does not suit a WeChat Video activity: file is a PNG image; WeChat videos must be MP4 or MOV"},
		{"tiktok_video", photo.MediaID, "TikTok videos must be MP4 or WebM"},
		{"wechat_photo", portrait.MediaID, "WeChat photos must be JPEG, PNG, GIF or WebP"},
		{"wechat_video", "med_nope", "no such media in this program"},
	} {
		_, err := create(c.typ, c.media)
		if apitest.Code(err) != "validation_failed" || !strings.Contains(err.Error(), "media_id") || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s with %s: %v", c.typ, c.media, err)
		}
	}
	// Another program's media is not this program's.
	theirs := must[client.Upload](t)(other.CreateUpload(ctx, otherPID, client.UploadRequest{Kind: "wechat_photo", Filename: "x.png", Size: 469}))
	data, _ := os.ReadFile(apitest.TestData("image.png"))
	must[int64](t)(other.UploadChunk(ctx, otherPID, theirs.ID, 0, bytes.NewReader(data), int64(len(data))))
	theirMedia := must[client.UploadResult](t)(other.CompleteUpload(ctx, otherPID, theirs.ID))
	if _, err := create("wechat_photo", theirMedia.MediaID); !strings.Contains(fmt.Sprint(err), "no such media in this program") {
		t.Fatalf("other program's media: %v", err)
	}
	// Right kind; and a video whose facts also pass the other kind's rules.
	if a, err := create("wechat_photo", photo.MediaID); err != nil || a.MediaID != photo.MediaID {
		t.Fatalf("photo: %v", err)
	}
	if _, err := create("tiktok_video", portrait.MediaID); err != nil {
		t.Fatalf("tiktok: %v", err)
	}
	if _, err := create("wechat_video", portrait.MediaID); err != nil {
		t.Fatalf("a 3 s MP4 for WeChat: %v", err)
	}
}

func TestLinkPreviewPhoto(t *testing.T) {
	st := storetest.SQLite(t)
	img, _ := os.ReadFile(apitest.TestData("image.jpg"))
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/launch":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><html><head><title>Launch</title>
<meta property="og:title" content="Our launch">
<meta property="og:image" content="/static/launch.jpg?v=2">
</head><body>…</body></html>`)
		case "/moved":
			http.Redirect(w, r, "/launch", http.StatusFound)
		case "/static/launch.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(img)
		default:
			http.NotFound(w, r)
		}
	}))
	defer site.Close()

	runner := jobs.New(st, slog.New(slog.DiscardHandler))
	runner.Poll, runner.Backoff = 20*time.Millisecond, 10*time.Millisecond
	svc := apitest.NewMedia(t, st, func(o *media.Options) {
		o.Preview.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	e := apitest.New(t, st, func(o *httpapi.Options) { o.Jobs, o.Media = runner, svc })
	done := make(chan struct{})
	ctxRun, stop := context.WithCancel(context.Background())
	go func() { runner.Run(ctxRun); close(done) }()
	defer func() { stop(); <-done }()

	a := photo(t, e, "我们的新产品今天发布！Read more: "+site.URL+"/moved.", 10, client.ActivityInput{})
	if a.MediaID != "" {
		t.Fatalf("the activity is saved at once, without waiting: %+v", a)
	}
	var got client.Activity
	waitFor(t, "the link's preview photo", func() bool {
		got = must[client.Activity](t)(e.Manager.Activity(ctx, e.ProgramID, a.ID))
		return got.MediaID != ""
	})
	var out bytes.Buffer
	if ct, err := e.Manager.DownloadMedia(ctx, e.ProgramID, got.MediaID, &out); err != nil || ct != "image/jpeg" || !bytes.Equal(out.Bytes(), img) {
		t.Fatalf("preview photo: %q %v", ct, err)
	}
	m, err := st.Media(ctx, e.ProgramID, got.MediaID)
	if err != nil || m.Source != store.MediaSourceLinkPreview || m.SourceURL != site.URL+"/static/launch.jpg?v=2" || m.Kind != "wechat_photo" {
		t.Fatalf("media row: %+v %v", m, err)
	}
	if sum := sha256.Sum256(img); m.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("link preview photo's sha256 %q, want the file's", m.SHA256)
	}
	// The editor's preview shows the page's image before saving.
	prev := must[client.LinkPreviewResult](t)(e.Manager.PreviewLinks(ctx, e.ProgramID, "see "+site.URL+"/moved"))
	if prev.ImageURL != site.URL+"/static/launch.jpg?v=2" {
		t.Fatalf("preview image: %+v", prev)
	}
	// The editor shows that image as the server fetched it: the manager's
	// machine fetches nothing a page names.
	out.Reset()
	if ct, err := e.Manager.LinkPreviewImage(ctx, e.ProgramID, site.URL+"/moved", &out); err != nil || ct != "image/jpeg" || !bytes.Equal(out.Bytes(), img) {
		t.Fatalf("editor's preview image: %q %v", ct, err)
	}
	if _, err := e.Manager.LinkPreviewImage(ctx, e.ProgramID, site.URL+"/nothing-here", &out); client.Status(err) != 404 {
		t.Fatalf("a page that is gone: %v", err)
	}
	if _, err := e.Manager.LinkPreviewImage(ctx, e.ProgramID, "http://[::1]:9/x", &out); client.Status(err) != 404 {
		t.Fatalf("a private address: %v", err)
	}
	_, member := e.AddMember("ann@acme.test", "UTC")
	if _, err := member.LinkPreviewImage(ctx, e.ProgramID, site.URL+"/moved", &out); client.Status(err) != 403 {
		t.Fatalf("a member used the fetcher: %v", err)
	}
	// A photo the manager chose is never replaced.
	mine := e.UploadMedia("wechat_photo", apitest.TestData("image.gif"))
	b := photo(t, e, "see "+site.URL+"/launch", 10, client.ActivityInput{MediaID: &mine.MediaID})
	time.Sleep(100 * time.Millisecond)
	if got := must[client.Activity](t)(e.Manager.Activity(ctx, e.ProgramID, b.ID)); got.MediaID != mine.MediaID {
		t.Fatalf("chosen photo replaced: %+v", got)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
