package mediacheck

import (
	"slices"
	"testing"
)

// The editor's file dialog offers a kind's own extensions: photos for a
// WeChat photo, videos for the video kinds, nothing for an unknown kind.
func TestExtensions(t *testing.T) {
	if got := Extensions(KindWeChatPhoto); !slices.Contains(got, ".jpg") || slices.Contains(got, ".mp4") {
		t.Errorf("WeChat photo: %v", got)
	}
	if got := Extensions(KindTikTokVideo); !slices.Contains(got, ".mp4") || slices.Contains(got, ".jpg") {
		t.Errorf("TikTok video: %v", got)
	}
	if got := Extensions("nonsense"); got != nil {
		t.Errorf("unknown kind: %v", got)
	}
	Extensions(KindWeChatVideo)[0] = "changed"
	if Extensions(KindWeChatVideo)[0] == "changed" {
		t.Error("the rules can be changed through the answer")
	}
}
