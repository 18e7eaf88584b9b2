package seed

import (
	"context"
	"embed"
	"fmt"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
)

// The demo program's photo and videos: tiny real files made by
// demomedia/make.sh (a launch banner with words on it, and two videos whose
// frames say what they are), stored through the media service like any
// upload: hashed, and the videos given posters when ffmpeg is on the PATH.
//
//go:embed demomedia/*.jpg demomedia/*.mp4
var demoFiles embed.FS

var demoMedia = []struct {
	kind mediacheck.Kind
	file string
}{
	{mediacheck.KindWeChatPhoto, "photo_launch.jpg"},
	{mediacheck.KindWeChatVideo, "video_wechat.mp4"},
	{mediacheck.KindTikTokVideo, "video_tiktok.mp4"},
}

// DemoOption adjusts the demo seed.
type DemoOption func(*demoOptions)

type demoOptions struct {
	media *media.Service
}

// WithMedia stores the demo's photo and videos in svc, so its activities
// carry real media. Without it the demo has no video activities (they
// need media) and no photos.
func WithMedia(svc *media.Service) DemoOption {
	return func(o *demoOptions) { o.media = svc }
}

// demoMediaIDs are the demo program's media ids by kind.
type demoMediaIDs map[mediacheck.Kind]string

// For is the media id for an activity of type t ("" if none).
func (ids demoMediaIDs) For(t domain.ActivityType) string {
	spec, _ := domain.LookupType(t)
	return ids[mediacheck.Kind(spec.MediaKind)]
}

// importDemoMedia stores the demo files for the program and returns the
// media id of each kind.
func importDemoMedia(ctx context.Context, svc *media.Service, programID, userID string) (demoMediaIDs, error) {
	ids := demoMediaIDs{}
	if svc == nil {
		return ids, nil
	}
	for _, d := range demoMedia {
		f, err := demoFiles.Open("demomedia/" + d.file)
		if err != nil {
			return nil, err
		}
		m, err := svc.Import(ctx, programID, userID, d.kind, d.file, store.MediaSourceDemo, "", f, 1<<30)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("demo media %s: %w", d.file, err)
		}
		ids[d.kind] = m.ID
	}
	return ids, nil
}
