package mediacheck

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

const (
	mib = 1 << 20
	gib = 1 << 30
)

func mp4(ms int64, w, h int, size int64) Info {
	return Info{Container: "mp4", VideoCodec: "h264", Width: w, Height: h, DurationMS: ms, SizeBytes: size}
}

func codes(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestCheckBoundaries(t *testing.T) {
	webm := func(i Info) Info { i.Container = "webm"; i.VideoCodec = "vp9"; return i }
	withContainer := func(i Info, c string) Info { i.Container = c; return i }
	cases := []struct {
		name string
		kind Kind
		info Info
		want []string
	}{
		// WeChat Video: MP4 or MOV, < 4 GiB, ≤ 15 s.
		{"wechat 15.0 s", KindWeChatVideo, mp4(15_000, 96, 54, 1000), nil},
		{"wechat 15.001 s", KindWeChatVideo, mp4(15_001, 96, 54, 1000), []string{"too_long"}},
		{"wechat 4 GiB - 1", KindWeChatVideo, mp4(1000, 96, 54, 4*gib-1), nil},
		{"wechat 4 GiB", KindWeChatVideo, mp4(1000, 96, 54, 4*gib), []string{"too_large"}},
		{"wechat mov", KindWeChatVideo, withContainer(mp4(1000, 96, 54, 1000), "mov"), nil},
		{"wechat tiny video", KindWeChatVideo, mp4(1, 2, 2, 1), nil},
		{"wechat webm", KindWeChatVideo, webm(mp4(1000, 96, 54, 1000)), []string{"unsupported_format"}},
		{"wechat mkv", KindWeChatVideo, withContainer(mp4(1000, 96, 54, 1000), "mkv"), []string{"unsupported_format"}},
		{"wechat jpeg", KindWeChatVideo, Info{Container: "jpeg", Width: 64, Height: 48, SizeBytes: 100}, []string{"unsupported_format"}},
		{"wechat audio only", KindWeChatVideo, Info{Container: "mp4", DurationMS: 1000, SizeBytes: 100}, []string{"unsupported_format"}},
		{"wechat everything wrong", KindWeChatVideo, webm(mp4(16_200, 96, 54, 5*gib)),
			[]string{"unsupported_format", "too_large", "too_long"}},

		// TikTok Video: MP4 or WebM, ≤ 50 MiB, 3–60 s, shorter side ≥ 540.
		{"tiktok ok", KindTikTokVideo, mp4(3000, 540, 960, 50*mib), nil},
		{"tiktok webm ok", KindTikTokVideo, webm(mp4(60_000, 960, 540, 1000)), nil},
		{"tiktok 50 MiB + 1", KindTikTokVideo, mp4(3000, 540, 960, 50*mib+1), []string{"too_large"}},
		{"tiktok 2.999 s", KindTikTokVideo, mp4(2999, 540, 960, 1000), []string{"too_short"}},
		{"tiktok 60.001 s", KindTikTokVideo, mp4(60_001, 540, 960, 1000), []string{"too_long"}},
		{"tiktok 539 wide", KindTikTokVideo, mp4(3000, 539, 960, 1000), []string{"resolution_too_low"}},
		{"tiktok 539 high", KindTikTokVideo, mp4(3000, 960, 539, 1000), []string{"resolution_too_low"}},
		{"tiktok mov", KindTikTokVideo, withContainer(mp4(3000, 540, 960, 1000), "mov"), []string{"unsupported_format"}},
		{"tiktok gif", KindTikTokVideo, Info{Container: "gif", Width: 600, Height: 600, SizeBytes: 100}, []string{"unsupported_format"}},
		{"tiktok audio only", KindTikTokVideo, Info{Container: "mp4", DurationMS: 5000, SizeBytes: 100}, []string{"unsupported_format"}},
		{"tiktok everything wrong", KindTikTokVideo, withContainer(mp4(2000, 480, 854, 61*mib), "mkv"),
			[]string{"unsupported_format", "too_large", "too_short", "resolution_too_low"}},

		// WeChat Photo: JPEG, PNG, GIF or WebP, ≤ 20 MiB by default.
		{"photo jpeg", KindWeChatPhoto, Info{Container: "jpeg", Width: 1, Height: 1, SizeBytes: 20 * mib}, nil},
		{"photo png", KindWeChatPhoto, Info{Container: "png", SizeBytes: 1}, nil},
		{"photo gif", KindWeChatPhoto, Info{Container: "gif", SizeBytes: 1}, nil},
		{"photo webp", KindWeChatPhoto, Info{Container: "webp", SizeBytes: 1}, nil},
		{"photo 20 MiB + 1", KindWeChatPhoto, Info{Container: "jpeg", SizeBytes: 20*mib + 1}, []string{"too_large"}},
		{"photo mp4", KindWeChatPhoto, mp4(1000, 96, 54, 1000), []string{"unsupported_format"}},
		{"photo mp4 too big", KindWeChatPhoto, mp4(99_000, 96, 54, 30*mib), []string{"unsupported_format", "too_large"}},
		{"photo nothing known", KindWeChatPhoto, Info{}, []string{"unsupported_format"}},

		{"unknown kind", Kind("instagram_reel"), mp4(3000, 540, 960, 1000), []string{"unsupported_format"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Check(c.kind, c.info, DefaultLimits())
			if !reflect.DeepEqual(codes(got), c.want) {
				t.Errorf("Check = %+v, want codes %v", got, c.want)
			}
			for _, p := range got {
				if p.Message == "" {
					t.Errorf("problem %s has no message", p.Code)
				}
			}
		})
	}
}

func TestCheckPhotoLimitConfigurable(t *testing.T) {
	info := Info{Container: "png", SizeBytes: 10*mib + 1}
	if ps := Check(KindWeChatPhoto, info, Limits{PhotoMaxBytes: 10 * mib}); !reflect.DeepEqual(codes(ps), []string{"too_large"}) {
		t.Errorf("10 MiB limit: %+v", ps)
	}
	if ps := Check(KindWeChatPhoto, info, Limits{}); ps != nil {
		t.Errorf("zero Limits must mean the default 20 MiB: %+v", ps)
	}
	if got := DefaultLimits().PhotoMaxBytes; got != 20*mib {
		t.Errorf("default photo limit = %d", got)
	}
}

func TestCheckMessages(t *testing.T) {
	cases := []struct {
		kind Kind
		info Info
		want []string
	}{
		{KindWeChatVideo, mp4(16_200, 96, 54, 1000), []string{"video is 16.2 s; WeChat allows at most 15 s"}},
		{KindWeChatVideo, mp4(15_001, 96, 54, 1000), []string{"video is 15.001 s; WeChat allows at most 15 s"}},
		{KindWeChatVideo, mp4(15_040, 96, 54, 1000), []string{"video is 15.04 s; WeChat allows at most 15 s"}},
		{KindWeChatVideo, mp4(1000, 96, 54, 4*gib), []string{
			"file is 4,294,967,296 bytes; WeChat allows less than 4,294,967,296 bytes (4 GB)"}},
		{KindWeChatVideo, mp4(1000, 96, 54, 5*gib+300*mib), []string{"file is 5.3 GB; WeChat allows less than 4 GB"}},
		{KindWeChatVideo, Info{Container: "webm", VideoCodec: "vp9", DurationMS: 1000, Width: 1, Height: 1, SizeBytes: 1},
			[]string{"file is a WebM video; WeChat videos must be MP4 or MOV"}},
		{KindTikTokVideo, mp4(3000, 480, 854, 1000), []string{
			"video is 480×854; TikTok needs the shorter side to be at least 540 pixels"}},
		{KindTikTokVideo, mp4(3000, 540, 960, 64_277_000), []string{"file is 61.3 MB; TikTok allows at most 50 MB"}},
		{KindTikTokVideo, mp4(3000, 540, 960, 50*mib+1), []string{
			"file is 52,428,801 bytes; TikTok allows at most 52,428,800 bytes (50 MB)"}},
		{KindTikTokVideo, mp4(2900, 540, 960, 1000), []string{"video is 2.9 s; TikTok needs at least 3 s"}},
		{KindTikTokVideo, mp4(2999, 540, 960, 1000), []string{"video is 2.999 s; TikTok needs at least 3 s"}},
		{KindTikTokVideo, mp4(61_300, 540, 960, 1000), []string{"video is 61.3 s; TikTok allows at most 60 s"}},
		{KindTikTokVideo, Info{Container: "mov", VideoCodec: "h264", DurationMS: 3000, Width: 540, Height: 540, SizeBytes: 1},
			[]string{"file is a MOV video; TikTok videos must be MP4 or WebM"}},
		{KindWeChatPhoto, Info{Container: "mp4", SizeBytes: 1}, []string{
			"file is an MP4 video; WeChat photos must be JPEG, PNG, GIF or WebP"}},
		{KindWeChatPhoto, Info{Container: "png", SizeBytes: 21*mib + 500*1024}, []string{
			"file is 21.5 MB; WeChat allows at most 20 MB"}},
	}
	for _, c := range cases {
		got := Check(c.kind, c.info, DefaultLimits())
		var msgs []string
		for _, p := range got {
			msgs = append(msgs, p.Message)
		}
		if !reflect.DeepEqual(msgs, c.want) {
			t.Errorf("Check(%s, %+v):\n got %q\nwant %q", c.kind, c.info, msgs, c.want)
		}
	}
}

func TestCheckDeclared(t *testing.T) {
	cases := []struct {
		kind Kind
		name string
		size int64
		want []string
	}{
		{KindWeChatVideo, "clip.mp4", 4*gib - 1, nil},
		{KindWeChatVideo, "CLIP.MOV", 1, nil},
		{KindWeChatVideo, "clip.mp4", 4 * gib, []string{"too_large"}},
		{KindWeChatVideo, "clip.webm", 1, []string{"unsupported_format"}},
		{KindWeChatVideo, "clip", 1, []string{"unsupported_format"}},
		{KindWeChatVideo, "clip.mkv", 5 * gib, []string{"unsupported_format", "too_large"}},
		{KindTikTokVideo, "dance.webm", 50 * mib, nil},
		{KindTikTokVideo, "dance.mp4", 50*mib + 1, []string{"too_large"}},
		{KindTikTokVideo, "dance.mov", 1, []string{"unsupported_format"}},
		{KindWeChatPhoto, "team.JPG", 20 * mib, nil},
		{KindWeChatPhoto, "team.jpeg", 1, nil},
		{KindWeChatPhoto, "team.webp", 1, nil},
		{KindWeChatPhoto, "team.heic", 1, []string{"unsupported_format"}},
		{KindWeChatPhoto, "team.png", 20*mib + 1, []string{"too_large"}},
		{KindWeChatPhoto, "team.png", -1, nil}, // size not declared
		{Kind("nope"), "a.mp4", 1, []string{"unsupported_format"}},
	}
	for _, c := range cases {
		got := CheckDeclared(c.kind, c.name, c.size, DefaultLimits())
		if !reflect.DeepEqual(codes(got), c.want) {
			t.Errorf("CheckDeclared(%s, %q, %d) = %+v, want %v", c.kind, c.name, c.size, got, c.want)
		}
	}
	got := CheckDeclared(KindTikTokVideo, "dance.avi", 1, DefaultLimits())
	want := `file name ends in ".avi"; TikTok videos must be MP4 or WebM (.mp4, .m4v, .webm)`
	if len(got) != 1 || got[0].Message != want {
		t.Errorf("message = %+v, want %q", got, want)
	}
}

func TestParseKind(t *testing.T) {
	for _, s := range []string{"wechat_photo", "wechat_video", "tiktok_video"} {
		if k, ok := ParseKind(s); !ok || string(k) != s {
			t.Errorf("ParseKind(%q) = %q, %v", s, k, ok)
		}
	}
	for _, s := range []string{"", "WeChat_Photo", "tiktok", " tiktok_video"} {
		if k, ok := ParseKind(s); ok {
			t.Errorf("ParseKind(%q) = %q, true; want false", s, k)
		}
	}
}

func TestProbeProblem(t *testing.T) {
	_, err := ProbeFile(filepath.Join("testdata", "text_renamed.mp4"))
	p := ProbeProblem(KindWeChatVideo, err)
	if p.Code != CodeUnsupportedFormat || p.Message != "file is not a supported image or video; WeChat videos must be MP4 or MOV" {
		t.Errorf("text file: %+v", p)
	}
	p = ProbeProblem("", fmt.Errorf("%w: box \"mdat\" runs past the end of the file (truncated)", ErrUnreadable))
	want := `file could not be read; it may be damaged or incomplete (box "mdat" runs past the end of the file (truncated))`
	if p.Code != CodeUnreadable || p.Message != want {
		t.Errorf("truncated: %+v", p)
	}
	if p := ProbeProblem("", errors.New("disk on fire")); p.Code != CodeUnreadable {
		t.Errorf("plain error: %+v", p)
	}
}

// The rules applied to what Probe reads from real files.
func TestCheckTestdata(t *testing.T) {
	cases := []struct {
		file string
		kind Kind
		want []string
	}{
		{"mp4_h264_moovend_15s.mp4", KindWeChatVideo, nil},
		{"mp4_h264_faststart_15_5s.mp4", KindWeChatVideo, []string{"too_long"}},
		{"mov_h264.mov", KindWeChatVideo, nil},
		{"webm_vp8.webm", KindWeChatVideo, []string{"unsupported_format"}},
		{"mp4_portrait_540x960.mp4", KindTikTokVideo, nil},
		{"mp4_rotated_90.mp4", KindTikTokVideo, nil},
		{"mp4_portrait_480x854.mp4", KindTikTokVideo, []string{"resolution_too_low"}},
		{"mp4_h264_2_9s.mp4", KindTikTokVideo, []string{"too_short", "resolution_too_low"}},
		{"mp4_h264_3s.mp4", KindTikTokVideo, []string{"resolution_too_low"}},
		{"webm_vp9_live.webm", KindTikTokVideo, []string{"resolution_too_low"}},
		{"mkv_h264.mkv", KindTikTokVideo, []string{"unsupported_format", "resolution_too_low"}},
		{"image.jpg", KindWeChatPhoto, nil},
		{"image.png", KindWeChatPhoto, nil},
		{"image.gif", KindWeChatPhoto, nil},
		{"image_animated.webp", KindWeChatPhoto, nil},
		{"image.png", KindTikTokVideo, []string{"unsupported_format"}},
	}
	for _, c := range cases {
		info, err := ProbeFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := Check(c.kind, info, DefaultLimits()); !reflect.DeepEqual(codes(got), c.want) {
			t.Errorf("%s as %s: %+v, want %v", c.file, c.kind, got, c.want)
		}
	}
}
