package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/jpeg"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

func fileSHA256(t *testing.T, path string) (string, int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), int64(len(b))
}

func requireFFmpeg(t *testing.T) {
	t.Helper()
	if !media.PostersAvailable() {
		t.Fatal("ffmpeg is not on the PATH: make deps installs it (Debian package ffmpeg)")
	}
}

// hideFFmpeg leaves the PATH with nothing on it.
func hideFFmpeg(t *testing.T) {
	t.Helper()
	t.Setenv("PATH", t.TempDir())
	if media.PostersAvailable() {
		t.Fatal("ffmpeg is still found")
	}
}

// TestMediaFactsInFeed: a video uploaded with ffmpeg on the PATH gets a
// poster, served as a JPEG by the thumbnail route and as the share page's
// <video poster>; feed items and the manager's activities carry the
// media's type, size, SHA-256 (the file's own), size in pixels, duration
// and thumbnail flag, on both databases.
func TestMediaFactsInFeed(t *testing.T) {
	requireFFmpeg(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		_, ann := e.AddMember("ann@acme.test", "UTC")
		vidPath, photoPath := apitest.TestData("mp4_portrait_540x960.mp4"), apitest.TestData("image.jpg")
		vid := e.UploadMedia("tiktok_video", vidPath)
		img := e.UploadMedia("wechat_photo", photoPath)
		vidSum, vidSize := fileSHA256(t, vidPath)
		imgSum, imgSize := fileSHA256(t, photoPath)

		wantVid := client.MediaInfo{ID: vid.MediaID, Kind: "tiktok_video", ContentType: "video/mp4", Filename: "mp4_portrait_540x960.mp4",
			SizeBytes: vidSize, SHA256: vidSum, Width: 540, Height: 960, DurationMS: vid.Probe.DurationMS, Thumbnail: true}
		wantImg := client.MediaInfo{ID: img.MediaID, Kind: "wechat_photo", ContentType: "image/jpeg", Filename: "image.jpg",
			SizeBytes: imgSize, SHA256: imgSum, Width: img.Probe.Width, Height: img.Probe.Height, Thumbnail: true}
		if wantVid.DurationMS < 2900 || wantVid.DurationMS > 3100 || wantImg.Width == 0 {
			t.Fatalf("probe: %+v %+v", vid.Probe, img.Probe)
		}

		// The poster: a JPEG fitting 320×320, the video's shape.
		var out bytes.Buffer
		ct, err := ann.MediaThumbnail(ctx, pid, vid.MediaID, &out)
		if err != nil || ct != "image/jpeg" {
			t.Fatalf("video thumbnail: %q %v", ct, err)
		}
		poster, err := jpeg.Decode(&out)
		if err != nil {
			t.Fatalf("poster is not a JPEG: %v", err)
		}
		if b := poster.Bounds(); b.Dx() != 180 || b.Dy() != 320 {
			t.Fatalf("poster is %v, want 180×320", b)
		}

		tiktok := must[client.Activity](t)(e.Manager.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("tiktok_video"),
			Instructions: apitest.Ptr("Post it"), MediaID: &vid.MediaID, Points: apitest.Ptr(10)}))
		if tiktok.Media == nil || *tiktok.Media != wantVid {
			t.Fatalf("created activity's media: %+v, want %+v", tiktok.Media, wantVid)
		}
		pic := photo(t, e, "Look https://example.com", 5, client.ActivityInput{MediaID: &img.MediaID})
		if pic.Media == nil || *pic.Media != wantImg {
			t.Fatalf("photo activity's media: %+v, want %+v", pic.Media, wantImg)
		}
		bare := photo(t, e, "No photo https://example.com", 5, client.ActivityInput{})
		if bare.Media != nil {
			t.Fatalf("an activity without media has %+v", bare.Media)
		}

		feed := must[client.Feed](t)(ann.Feed(ctx, pid, ""))
		seen := 0
		for _, it := range feed.Items {
			var want *client.MediaInfo
			switch it.ID {
			case tiktok.ID:
				want = &wantVid
			case pic.ID:
				want = &wantImg
			}
			if want == nil {
				if it.Media != nil {
					t.Errorf("feed item %s without media has %+v", it.ID, it.Media)
				}
				continue
			}
			seen++
			if it.Media == nil || *it.Media != *want {
				t.Errorf("feed item %s media %+v, want %+v", it.ID, it.Media, want)
			}
		}
		if seen != 2 {
			t.Fatalf("feed: %+v", feed.Items)
		}
		// The same from the cache, from the single item, and in the
		// manager's list and reads.
		again := must[client.Feed](t)(ann.Feed(ctx, pid, ""))
		for i := range again.Items {
			if (again.Items[i].Media == nil) != (feed.Items[i].Media == nil) || again.Items[i].Media != nil && *again.Items[i].Media != *feed.Items[i].Media {
				t.Fatalf("cached feed differs: %+v", again.Items[i])
			}
		}
		list := must[[]client.Activity](t)(e.Manager.Activities(ctx, pid, client.ActivityQuery{}))
		got := map[string]*client.MediaInfo{}
		for _, a := range list {
			got[a.ID] = a.Media
		}
		if got[tiktok.ID] == nil || *got[tiktok.ID] != wantVid || got[pic.ID] == nil || *got[pic.ID] != wantImg || got[bare.ID] != nil {
			t.Fatalf("activity list media: %+v", got)
		}
		if a := must[client.Activity](t)(e.Manager.Activity(ctx, pid, tiktok.ID)); a.Media == nil || *a.Media != wantVid {
			t.Fatalf("GET activity media: %+v", a.Media)
		}
		// Editing an activity to another media answers the new facts.
		png := e.UploadMedia("wechat_photo", apitest.TestData("image.png"))
		sum2, size2 := fileSHA256(t, apitest.TestData("image.png"))
		upd := must[client.Activity](t)(e.Manager.UpdateActivity(ctx, pid, pic.ID, client.ActivityInput{MediaID: &png.MediaID}))
		if upd.Media == nil || upd.Media.ID != png.MediaID || upd.Media.SHA256 != sum2 || upd.Media.SizeBytes != size2 ||
			upd.Media.ContentType != "image/png" || upd.Media.Width != png.Probe.Width || !upd.Media.Thumbnail {
			t.Fatalf("PATCH activity media: %+v", upd.Media)
		}
		feed = must[client.Feed](t)(ann.Feed(ctx, pid, ""))
		for _, it := range feed.Items {
			if it.ID == pic.ID && (it.Media == nil || it.Media.ID != png.MediaID || it.Media.SHA256 != sum2) {
				t.Fatalf("feed after the edit: %+v", it.Media)
			}
		}

		// The share page shows the poster on its <video>.
		link := must[client.ShareLink](t)(ann.ShareLink(ctx, pid, tiktok.ID, ""))
		base := strings.TrimPrefix(link.URL, e.URL)
		resp, page := get(t, e.HTTP(), "GET", link.URL)
		if resp.StatusCode != 200 || !strings.Contains(string(page), `poster="`+base+`/thumbnail"`) {
			t.Fatalf("share page: %d, no poster in %s", resp.StatusCode, page)
		}
		resp, b := get(t, e.HTTP(), "GET", link.URL+"/thumbnail")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("share page poster: %d %v", resp.StatusCode, resp.Header)
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("share page poster: %v", err)
		}
	})
}

// TestMediaPosterWithoutFFmpeg: with no ffmpeg on the PATH a video upload
// still succeeds, without a poster: the thumbnail route answers 404
// thumbnail_unavailable, the facts say so, and the share page's <video>
// has no poster.
func TestMediaPosterWithoutFFmpeg(t *testing.T) {
	hideFFmpeg(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		_, ann := e.AddMember("ann@acme.test", "UTC")
		path := apitest.TestData("mov_h264.mov")
		vid := e.UploadMedia("wechat_video", path)
		sum, size := fileSHA256(t, path)
		var out bytes.Buffer
		if _, err := ann.MediaThumbnail(ctx, pid, vid.MediaID, &out); client.Status(err) != 404 || apitest.Code(err) != wire.CodeThumbnailUnavailable {
			t.Fatalf("thumbnail without a poster: %v", err)
		}
		a := must[client.Activity](t)(e.Manager.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("wechat_video"),
			Message: apitest.Ptr("Watch"), MediaID: &vid.MediaID, Points: apitest.Ptr(10)}))
		want := client.MediaInfo{ID: vid.MediaID, Kind: "wechat_video", ContentType: "video/quicktime", Filename: "mov_h264.mov",
			SizeBytes: size, SHA256: sum, Width: 96, Height: 54, DurationMS: vid.Probe.DurationMS}
		if a.Media == nil || *a.Media != want {
			t.Fatalf("media %+v, want %+v", a.Media, want)
		}
		feed := must[client.Feed](t)(ann.Feed(ctx, pid, ""))
		if len(feed.Items) != 1 || feed.Items[0].Media == nil || *feed.Items[0].Media != want {
			t.Fatalf("feed: %+v", feed.Items)
		}
		link := must[client.ShareLink](t)(ann.ShareLink(ctx, pid, a.ID, ""))
		resp, page := get(t, e.HTTP(), "GET", link.URL)
		if resp.StatusCode != 200 || !strings.Contains(string(page), "<video") || strings.Contains(string(page), "poster=") {
			t.Fatalf("share page: %d %s", resp.StatusCode, page)
		}
		if resp, _ := get(t, e.HTTP(), "GET", link.URL+"/thumbnail"); resp.StatusCode != 404 {
			t.Fatalf("share page thumbnail: %d", resp.StatusCode)
		}
	})
}

// TestMediaSHA256Backfill: media stored before SHA-256s were recorded get
// theirs the first time their bytes are served whole (not from a Range),
// and the feed shows it at once.
func TestMediaSHA256Backfill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		_, ann := e.AddMember("ann@acme.test", "UTC")
		annTok := loginToken(t, e, "ann@acme.test")
		path := apitest.TestData("image.jpg")
		data, _ := os.ReadFile(path)
		sum, _ := fileSHA256(t, path)
		// As the server stored media before: no sha256 in its row.
		m := store.Media{ID: "med_old", ProgramID: pid, Kind: "wechat_photo", Filename: "old.jpg", ContentType: "image/jpeg",
			Container: "jpeg", Width: 64, Height: 48, SizeBytes: int64(len(data)), StorageKey: pid + "/med_old",
			Source: store.MediaSourceUpload, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
		if _, err := e.Media.Storage().Put(ctx, m.StorageKey, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		a := photo(t, e, "Old photo https://example.com", 5, client.ActivityInput{MediaID: &m.ID})
		if a.Media == nil || a.Media.SHA256 != "" || a.Media.SizeBytes != int64(len(data)) {
			t.Fatalf("old media: %+v", a.Media)
		}
		feedSum := func() string {
			f := must[client.Feed](t)(ann.Feed(ctx, pid, ""))
			if len(f.Items) != 1 || f.Items[0].Media == nil {
				t.Fatalf("feed: %+v", f.Items)
			}
			return f.Items[0].Media.SHA256
		}
		if s := feedSum(); s != "" {
			t.Fatalf("feed sha256 before serving: %q", s)
		}
		// A Range is not the whole file: nothing recorded.
		if resp, _ := get(t, e.HTTP(), "GET", mediaPath(e, m.ID), "Authorization", "Bearer "+annTok, "Range", "bytes=0-9"); resp.StatusCode != 206 {
			t.Fatalf("range: %d", resp.StatusCode)
		}
		if s := feedSum(); s != "" {
			t.Fatalf("feed sha256 after a range: %q", s)
		}
		resp, b := get(t, e.HTTP(), "GET", mediaPath(e, m.ID), "Authorization", "Bearer "+annTok)
		if resp.StatusCode != 200 || !bytes.Equal(b, data) {
			t.Fatalf("GET: %d", resp.StatusCode)
		}
		if s := feedSum(); s != sum {
			t.Fatalf("feed sha256 after serving: %q, want %q", s, sum)
		}
		if a := must[client.Activity](t)(e.Manager.Activity(ctx, pid, a.ID)); a.Media == nil || a.Media.SHA256 != sum {
			t.Fatalf("activity media after serving: %+v", a.Media)
		}
	})
}
