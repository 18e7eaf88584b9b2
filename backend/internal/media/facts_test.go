package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

func testFile(t *testing.T, name string) ([]byte, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "mediacheck", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

// TestUploadSHA256: the SHA-256 follows the chunks as they arrive, across
// requests, a chunk cut short, a lost hash state and a retried complete,
// and is the file's own.
func TestUploadSHA256(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, _ := newService(t, st, nil)
		prog, mgr := program(t, st)
		data, want := testFile(t, "mp4_portrait_540x960.mp4")
		n := int64(len(data))
		u, err := s.CreateUpload(ctx, prog.ID, mgr.ID, "tiktok_video", "v.mp4", n)
		if err != nil {
			t.Fatal(err)
		}
		third := n / 3
		if off, err := s.Append(ctx, prog.ID, u.ID, 0, third, bytes.NewReader(data[:third]), nil); err != nil || off != third {
			t.Fatalf("first chunk: %d %v", off, err)
		}
		if _, at := s.loadHash(u.ID); at != third {
			t.Fatalf("hash state covers %d bytes, want %d", at, third)
		}
		// A chunk whose body breaks off: what arrived counts, hash too.
		cut := io.MultiReader(bytes.NewReader(data[third:third+100]), errReader{})
		if off, err := s.Append(ctx, prog.ID, u.ID, third, third, cut, nil); err == nil || off != third+100 {
			t.Fatalf("cut chunk: %d %v", off, err)
		}
		// The state is lost (a crash before it was saved): rebuilt from disk.
		os.Remove(s.hashPath(u.ID))
		at := third + 100
		if off, err := s.Append(ctx, prog.ID, u.ID, at, n-at, bytes.NewReader(data[at:]), nil); err != nil || off != n {
			t.Fatalf("last chunk: %d %v", off, err)
		}
		m, err := s.Complete(ctx, prog.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.SHA256 != want {
			t.Fatalf("sha256 %s, want %s", m.SHA256, want)
		}
		if _, err := os.Stat(s.hashPath(u.ID)); !os.IsNotExist(err) {
			t.Fatalf("hash state kept after complete: %v", err)
		}
		if got, err := st.Media(ctx, prog.ID, m.ID); err != nil || got.SHA256 != want || got.Poster != m.Poster {
			t.Fatalf("stored: %+v %v", got, err)
		}
		if again, err := s.Complete(ctx, prog.ID, u.ID); err != nil || again.SHA256 != want {
			t.Fatalf("complete again: %+v %v", again, err)
		}
	})
}

// TestImportSHA256AndPoster: an import is hashed as it is copied; a video
// gets a poster when ffmpeg is on the PATH and none without.
func TestImportSHA256AndPoster(t *testing.T) {
	st := storetest.SQLite(t)
	s, _ := newService(t, st, nil)
	prog, _ := program(t, st)
	img, imgSum := testFile(t, "image.jpg")
	m, err := s.Import(ctx, prog.ID, "", mediacheck.KindWeChatPhoto, "a.jpg", store.MediaSourceDemo, "", bytes.NewReader(img), 1<<20)
	if err != nil || m.SHA256 != imgSum || m.Poster || !HasThumbnail(m) {
		t.Fatalf("photo: %+v %v", m, err)
	}
	vid, vidSum := testFile(t, "mp4_portrait_540x960.mp4")
	if PostersAvailable() {
		m, err = s.Import(ctx, prog.ID, "", mediacheck.KindTikTokVideo, "v.mp4", store.MediaSourceDemo, "", bytes.NewReader(vid), 1<<30)
		if err != nil || m.SHA256 != vidSum || !m.Poster || !HasThumbnail(m) {
			t.Fatalf("video with ffmpeg: %+v %v", m, err)
		}
		_, obj, err := s.Thumbnail(ctx, prog.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := jpeg.Decode(obj)
		obj.Close()
		if err != nil || p.Bounds().Dx() != 180 || p.Bounds().Dy() != 320 {
			t.Fatalf("poster: %v %v", p.Bounds(), err)
		}
	}
	t.Setenv("PATH", t.TempDir())
	m, err = s.Import(ctx, prog.ID, "", mediacheck.KindTikTokVideo, "v.mp4", store.MediaSourceDemo, "", bytes.NewReader(vid), 1<<30)
	if err != nil || m.SHA256 != vidSum || m.Poster || HasThumbnail(m) {
		t.Fatalf("video without ffmpeg: %+v %v", m, err)
	}
	if _, _, err := s.Thumbnail(ctx, prog.ID, m.ID); !isCode(err, wire.CodeThumbnailUnavailable) {
		t.Fatalf("thumbnail without a poster: %v", err)
	}
}

// TestPosterOfOddVideos: a landscape video fits 320 wide; a video whose
// frame at 1 s does not exist still gets one (its first); a file ffmpeg
// cannot read gives none and no error to the caller.
func TestPosterOfOddVideos(t *testing.T) {
	if !PostersAvailable() {
		t.Fatal("ffmpeg is not on the PATH: make deps installs it (Debian package ffmpeg)")
	}
	st := storetest.SQLite(t)
	s, _ := newService(t, st, nil)
	dir := filepath.Join("..", "..", "mediacheck", "testdata")
	for _, c := range []struct {
		file       string
		durationMS int64
		w, h       int
	}{
		{"mp4_h264_3s.mp4", 3000, 96, 54},         // small: kept at its size
		{"webm_vp9.webm", 3508, 96, 54},           // WebM
		{"mp4_rotated_90.mp4", 3000, 0, 0},        // turned: just a JPEG
		{"mp4_h264_3s.mp4", 60_000, 96, 54},       // says longer than it is: 1 s
		{"mp4_portrait_540x960.mp4", 0, 180, 320}, // no duration known: first frame
	} {
		b, err := s.makePoster(ctx, filepath.Join(dir, c.file), c.durationMS)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		if c.w != 0 && (w != c.w || h != c.h) || max(w, h) > ThumbLongSide {
			t.Fatalf("%s: %d×%d, want %d×%d", c.file, w, h, c.w, c.h)
		}
	}
	// 0.3 s long but said to be 5 s: nothing at 0.5 s, so the first frame.
	short := filepath.Join(t.TempDir(), "short.mp4")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=0.3",
		"-pix_fmt", "yuv420p", short).CombinedOutput(); err != nil {
		t.Fatalf("make a short video: %v %s", err, out)
	}
	if b, err := s.makePoster(ctx, short, 5000); err != nil || len(b) == 0 {
		t.Fatalf("poster of a short video: %d bytes, %v", len(b), err)
	}
	junk := filepath.Join(t.TempDir(), "junk.mp4")
	os.WriteFile(junk, []byte("not a video at all"), 0o600)
	if _, err := s.makePoster(ctx, junk, 1000); err == nil {
		t.Fatal("a poster of junk")
	}
	if s.storePoster(ctx, "p/x", junk, 1000) {
		t.Fatal("stored a poster of junk")
	}
}

func TestPosterAt(t *testing.T) {
	for _, c := range []struct {
		ms   int64
		want time.Duration
	}{{0, 0}, {500, 50 * time.Millisecond}, {5000, 500 * time.Millisecond}, {10_000, time.Second}, {15_000, time.Second}, {600_000, time.Second}} {
		if got := posterAt(c.ms); got != c.want {
			t.Errorf("posterAt(%d) = %v, want %v", c.ms, got, c.want)
		}
	}
}

func isCode(err error, code string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == code
}
