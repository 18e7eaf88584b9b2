package mediacheck

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzProbe runs every reader (the container is chosen by magic bytes, so
// mutations wander between them). Seeds are the testdata files plus
// header-only MP4s, which mutate faster than files full of media data.
// Inputs that once failed live in testdata/fuzz/FuzzProbe and run with
// every `go test`.
func FuzzProbe(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "make.sh" {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, name := range []string{"mp4_h264_moovend_15s.mp4", "mp4_h264_faststart_15_5s.mp4", "mp4_fragmented.mp4"} {
		b := readTestdata(f, name)
		var head []byte
		for _, x := range topBoxes(f, b) {
			if x.typ == "mdat" {
				head = append(head, 0, 0, 0, 8, 'm', 'd', 'a', 't')
			} else {
				head = append(head, b[x.off:x.off+x.size]...)
			}
		}
		f.Add(head)
	}
	f.Add(unknownSizeClusters(f, readTestdata(f, "webm_vp9_live.webm")))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := Probe(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("error %v does not wrap ErrUnreadable", err)
			}
			return
		}
		if info.Container == "" || info.Width < 0 || info.Height < 0 || info.DurationMS < 0 || info.SizeBytes != int64(len(b)) {
			t.Fatalf("implausible result %+v", info)
		}
		for _, k := range []Kind{KindWeChatPhoto, KindWeChatVideo, KindTikTokVideo} {
			for _, p := range Check(k, info, DefaultLimits()) {
				if p.Code == "" || p.Message == "" {
					t.Fatalf("empty problem %+v", p)
				}
			}
		}
	})
}
