package mediacheck

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// The Probe and FFprobe benchmarks do the same work per op (every testdata
// file once, or one huge sparse file), so `make bench` can print their ratio.

func benchFiles(b *testing.B) []string {
	b.Helper()
	var files []string
	for _, c := range probeCases {
		files = append(files, filepath.Join("testdata", c.file))
	}
	return files
}

func BenchmarkProbe(b *testing.B) {
	files := benchFiles(b)
	for b.Loop() {
		for _, f := range files {
			if _, err := ProbeFile(f); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func ffprobe(b *testing.B, file string) {
	out, err := exec.Command("ffprobe", "-v", "error", "-show_format", "-show_streams", file).CombinedOutput()
	if err != nil {
		b.Fatalf("ffprobe %s: %v\n%s", file, err, out)
	}
}

func needFFprobe(b *testing.B) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		b.Fatal("ffprobe is missing; `make deps` installs ffmpeg")
	}
}

func BenchmarkFFprobe(b *testing.B) {
	needFFprobe(b)
	files := benchFiles(b)
	for b.Loop() {
		for _, f := range files {
			ffprobe(b, f)
		}
	}
}

// hugeFiles are 4.5 GiB sparse files: an MP4 whose moov follows its mdat, and
// a WebM with no header duration (so its clusters are walked).
func hugeFiles(b *testing.B) map[string]string {
	return map[string]string{
		"mp4-moov-last": sparseMP4(b, false),
		"webm-live":     sparseWebM(b),
	}
}

func BenchmarkProbeHuge(b *testing.B) {
	for name, path := range hugeFiles(b) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ProbeFile(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFFprobeHuge(b *testing.B) {
	needFFprobe(b)
	for name, path := range hugeFiles(b) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				ffprobe(b, path)
			}
		})
	}
}
