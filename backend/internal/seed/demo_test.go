package seed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image/jpeg"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// TestDemoMedia: the demo's photo and videos are stored with their
// SHA-256, and its WeChat Video and TikTok activities' videos have posters
// when ffmpeg is on the PATH.
func TestDemoMedia(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, err := media.OpenDir(t.TempDir(), media.Options{Store: st})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Demo(ctx, st, auth.Params{Time: 1, Memory: 1024, Threads: 1}, time.Now(), WithMedia(svc))
		if err != nil {
			t.Fatal(err)
		}
		as, err := st.Activities(ctx, res.Program.ID, store.ActivityFilter{})
		if err != nil {
			t.Fatal(err)
		}
		sums := map[string]string{}
		for _, d := range demoMedia {
			b, err := demoFiles.ReadFile("demomedia/" + d.file)
			if err != nil {
				t.Fatal(err)
			}
			s := sha256.Sum256(b)
			sums[d.file] = hex.EncodeToString(s[:])
		}
		seen := map[domain.ActivityType]bool{}
		for _, a := range as {
			if a.MediaID == "" {
				continue
			}
			m, err := st.Media(ctx, res.Program.ID, a.MediaID)
			if err != nil {
				t.Fatal(err)
			}
			if m.SHA256 == "" || m.SHA256 != sums[m.Filename] {
				t.Errorf("%s: sha256 %q, want %q", m.Filename, m.SHA256, sums[m.Filename])
			}
			seen[a.Type] = true
			if a.Type == domain.TypeWeChatPhoto {
				if m.Width != 1200 || m.Height != 675 || !media.HasThumbnail(m) {
					t.Errorf("photo: %+v", m)
				}
				continue
			}
			if m.Poster != media.PostersAvailable() {
				t.Errorf("%s video %s: poster %v with ffmpeg %v", a.Type, m.Filename, m.Poster, media.PostersAvailable())
			}
			if !m.Poster {
				continue
			}
			_, obj, err := svc.Thumbnail(ctx, res.Program.ID, m.ID)
			if err != nil {
				t.Fatalf("%s poster: %v", m.Filename, err)
			}
			img, err := jpeg.Decode(obj)
			obj.Close()
			if err != nil || max(img.Bounds().Dx(), img.Bounds().Dy()) != media.ThumbLongSide {
				t.Fatalf("%s poster: %v %v", m.Filename, img.Bounds(), err)
			}
		}
		for _, ty := range []domain.ActivityType{domain.TypeWeChatPhoto, domain.TypeWeChatVideo, domain.TypeTikTokVideo} {
			if !seen[ty] {
				t.Errorf("no %s activity with media", ty)
			}
		}
	})
}
