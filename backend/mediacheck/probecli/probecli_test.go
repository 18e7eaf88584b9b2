package probecli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func td(name string) string { return filepath.Join("..", "testdata", name) }

func run(t *testing.T, args ...string) (int, []map[string]any, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(args, &out, &errOut)
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", l, err)
		}
		lines = append(lines, m)
	}
	return code, lines, errOut.String()
}

func TestRunKindOK(t *testing.T) {
	code, lines, stderr := run(t, "--kind", "wechat_video", td("mp4_h264_moovend_15s.mp4"), td("mov_h264.mov"))
	if code != 0 || len(lines) != 2 || stderr != "" {
		t.Fatalf("code %d, %d lines, stderr %q", code, len(lines), stderr)
	}
	want := map[string]any{
		"file": td("mp4_h264_moovend_15s.mp4"), "kind": "wechat_video", "ok": true,
		"container": "mp4", "video_codec": "h264", "width": 96.0, "height": 54.0,
		"duration_ms": 15000.0, "size_bytes": 8604.0, "problems": []any{},
	}
	if !reflect.DeepEqual(lines[0], want) {
		t.Errorf("got  %v\nwant %v", lines[0], want)
	}
}

func TestRunRefused(t *testing.T) {
	code, lines, _ := run(t, "-kind=tiktok_video", td("mp4_portrait_540x960.mp4"), td("mp4_h264_2_9s.mp4"), td("text_renamed.mp4"))
	if code != 1 || len(lines) != 3 {
		t.Fatalf("code %d, %d lines", code, len(lines))
	}
	if lines[0]["ok"] != true {
		t.Errorf("540x960 3 s refused: %v", lines[0])
	}
	got := []string{}
	for _, p := range lines[1]["problems"].([]any) {
		got = append(got, p.(map[string]any)["code"].(string))
	}
	if lines[1]["ok"] != false || !reflect.DeepEqual(got, []string{"too_short", "resolution_too_low"}) {
		t.Errorf("2.9 s file: %v", lines[1])
	}
	ps := lines[2]["problems"].([]any)
	if lines[2]["ok"] != false || len(ps) != 1 || ps[0].(map[string]any)["code"] != "unsupported_format" {
		t.Errorf("text file: %v", lines[2])
	}
}

func TestRunWithoutKind(t *testing.T) {
	// Facts only: ok means readable.
	code, lines, _ := run(t, td("mp4_h264_2_9s.mp4"), td("image.png"))
	if code != 0 || len(lines) != 2 {
		t.Fatalf("code %d, %d lines", code, len(lines))
	}
	if _, has := lines[0]["kind"]; has {
		t.Errorf("kind present without --kind: %v", lines[0])
	}
	if lines[1]["container"] != "png" || lines[1]["ok"] != true {
		t.Errorf("png: %v", lines[1])
	}

	code, lines, _ = run(t, td("missing.mp4"))
	ps, _ := lines[0]["problems"].([]any)
	if code != 1 || lines[0]["ok"] != false || len(ps) != 1 || ps[0].(map[string]any)["code"] != "unreadable" {
		t.Errorf("missing file: code %d, %v", code, lines)
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--kind", "wechat_photo"},
		{"--kind", "instagram", td("image.png")},
		{"--colour", td("image.png")},
	} {
		code, lines, stderr := run(t, args...)
		if code != 2 || len(lines) != 0 || !strings.Contains(stderr, "usage: probe") {
			t.Errorf("%q: code %d, stdout %v, stderr %q", args, code, lines, stderr)
		}
	}
	if code, _, _ := run(t, "-h"); code != 0 {
		t.Errorf("-h: code %d", code)
	}
}
