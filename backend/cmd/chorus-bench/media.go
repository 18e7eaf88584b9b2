package main

// The media parts of chorus-bench (-only probe,upload):
//
//   probe   mediacheck.ProbeFile against ffprobe on the same files (every
//           media file of backend/mediacheck/testdata, and a 4.5 GiB
//           sparse MP4 whose moov follows its mdat), per file, with ratio;
//   upload  a 1 GiB (-upload-size) resumable upload over loopback, in
//           64 MiB PATCH chunks, against writing the same bytes straight to
//           a file on the same disk (ratio), with the heap and the process's
//           peak resident memory while it runs.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/seed"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

type mediaParams struct {
	testdata   string
	uploadSize int64
	chunk      int64
	uploadDir  string
}

func mediaFlags(fs *flag.FlagSet) *mediaParams {
	m := &mediaParams{}
	fs.StringVar(&m.testdata, "testdata", "backend/mediacheck/testdata", "media files for the probe benchmark")
	fs.Int64Var(&m.uploadSize, "upload-size", 1<<30, "bytes of the benchmark upload")
	fs.Int64Var(&m.chunk, "upload-chunk", 64<<20, "bytes per PATCH of the benchmark upload")
	fs.StringVar(&m.uploadDir, "upload-dir", "", "where the benchmark upload and its disk ceiling write (default: the temp directory; /dev/shm isolates the HTTP path from the disk)")
	return m
}

// mediaParts runs the media parts named in only; it reports whether only
// names any database part as well.
func mediaParts(ctx context.Context, only string, m *mediaParams, out io.Writer) (dbParts bool, err error) {
	for _, part := range strings.Split(only, ",") {
		switch strings.TrimSpace(part) {
		case "probe":
			err = errors.Join(err, benchProbe(m, out))
		case "upload":
			err = errors.Join(err, benchUpload(ctx, m, out))
		case "":
		default:
			dbParts = true
		}
	}
	return dbParts, err
}

// --- probe ----------------------------------------------------------------

func benchProbe(m *mediaParams, out io.Writer) error {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		return errors.New("probe: ffprobe is missing; `make deps` installs ffmpeg")
	}
	entries, err := os.ReadDir(m.testdata)
	if err != nil {
		return fmt.Errorf("probe: %w (run from the repository root or pass -testdata)", err)
	}
	var files []string
	for _, e := range entries {
		p := filepath.Join(m.testdata, e.Name())
		switch filepath.Ext(p) {
		case ".mp4", ".mov", ".webm", ".mkv", ".jpg", ".png", ".gif", ".webp":
		default:
			continue
		}
		if _, err := mediacheck.ProbeFile(p); err == nil { // both tools get files both read
			files = append(files, p)
		}
	}
	dir, err := os.MkdirTemp("", "chorus-bench-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	huge, err := sparseMP4(filepath.Join(m.testdata, "mp4_h264_moovend_15s.mp4"), filepath.Join(dir, "huge.mp4"), 9<<29)
	if err != nil {
		return err
	}

	fmt.Fprintf(out, "\n[media] probe: %d files of %s, and a 4.5 GiB sparse MP4 (moov last)\n", len(files), m.testdata)
	ours := timeIt(func() error {
		for _, f := range files {
			if _, err := mediacheck.ProbeFile(f); err != nil {
				return err
			}
		}
		return nil
	}, 500*time.Millisecond, 20)
	theirs := timeIt(func() error {
		for _, f := range files {
			if err := ffprobe(f); err != nil {
				return err
			}
		}
		return nil
	}, 2*time.Second, 2)
	if ours.err != nil || theirs.err != nil {
		return errors.Join(ours.err, theirs.err)
	}
	n := time.Duration(len(files))
	fmt.Fprintf(out, "%-9s %-17s %10s per file | ffprobe %10s per file | ratio %.4f (%.0f× faster)\n", "media", "probe testdata",
		(ours.per / n).Round(100*time.Nanosecond), (theirs.per / n).Round(10*time.Microsecond),
		float64(ours.per)/float64(theirs.per), float64(theirs.per)/float64(ours.per))
	hugeOurs := timeIt(func() error { _, err := mediacheck.ProbeFile(huge); return err }, 300*time.Millisecond, 20)
	hugeTheirs := timeIt(func() error { return ffprobe(huge) }, time.Second, 2)
	if hugeOurs.err != nil || hugeTheirs.err != nil {
		return errors.Join(hugeOurs.err, hugeTheirs.err)
	}
	fmt.Fprintf(out, "%-9s %-17s %10s          | ffprobe %10s          | ratio %.4f (%.0f× faster)\n", "media", "probe 4.5 GiB mp4",
		hugeOurs.per.Round(100*time.Nanosecond), hugeTheirs.per.Round(10*time.Microsecond),
		float64(hugeOurs.per)/float64(hugeTheirs.per), float64(hugeTheirs.per)/float64(hugeOurs.per))
	return nil
}

func ffprobe(file string) error {
	out, err := exec.Command("ffprobe", "-v", "error", "-show_format", "-show_streams", file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffprobe %s: %v\n%s", file, err, out)
	}
	return nil
}

type timing struct {
	per time.Duration
	err error
}

// timeIt runs fn at least min times and for at least d, and returns the
// mean time per run.
func timeIt(fn func() error, d time.Duration, min int) timing {
	start := time.Now()
	n := 0
	for n < min || time.Since(start) < d {
		if err := fn(); err != nil {
			return timing{err: err}
		}
		n++
	}
	return timing{per: time.Since(start) / time.Duration(n)}
}

// mp4Parts splits an MP4 laid out ftyp, free (8 bytes), mdat, moov – as
// ffmpeg writes it without faststart – into the bytes before the mdat
// payload, the payload and the moov.
func mp4Parts(src []byte) (ftyp, payload, moov []byte, err error) {
	var off int
	boxes := map[string][2]int{}
	for off+8 <= len(src) {
		size := int(binary.BigEndian.Uint32(src[off:]))
		if size < 8 || off+size > len(src) {
			return nil, nil, nil, errors.New("unexpected MP4 layout")
		}
		boxes[string(src[off+4:off+8])] = [2]int{off, size}
		off += size
	}
	f, fr, md, mo := boxes["ftyp"], boxes["free"], boxes["mdat"], boxes["moov"]
	if fr[1] != 8 || fr[0] != f[0]+f[1] || md[0] != fr[0]+8 || mo[0] != md[0]+md[1] {
		return nil, nil, nil, errors.New("want ftyp, free(8), mdat, moov")
	}
	return src[f[0] : f[0]+f[1]], src[md[0]+8 : md[0]+md[1]], src[mo[0] : mo[0]+mo[1]], nil
}

// bigMP4 is an MP4 of size bytes: src's header and samples, its mdat grown
// with zeros (a 64-bit mdat header replaces free+mdat, so every sample
// offset in the moov stays true), then its moov. Probe sees src's video.
type bigMP4 struct {
	head, moov []byte
	pad        int64
}

func newBigMP4(srcPath string, size int64) (*bigMP4, error) {
	src, err := os.ReadFile(srcPath)
	if err != nil {
		return nil, err
	}
	ftyp, payload, moov, err := mp4Parts(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", srcPath, err)
	}
	pad := size - int64(len(ftyp)+16+len(payload)+len(moov))
	if pad < 0 {
		return nil, errors.New("size too small")
	}
	head := append([]byte{}, ftyp...)
	var hdr [16]byte
	binary.BigEndian.PutUint32(hdr[0:], 1)
	copy(hdr[4:], "mdat")
	binary.BigEndian.PutUint64(hdr[8:], uint64(16+len(payload))+uint64(pad))
	head = append(append(head, hdr[:]...), payload...)
	return &bigMP4{head: head, moov: moov, pad: pad}, nil
}

func (b *bigMP4) size() int64 { return int64(len(b.head)+len(b.moov)) + b.pad }

// reader streams the file from the start, generating it on the fly.
func (b *bigMP4) reader() io.Reader {
	return io.MultiReader(bytes.NewReader(b.head), io.LimitReader(zeros{}, b.pad), bytes.NewReader(b.moov))
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// sparseMP4 writes a bigMP4 as a sparse file (the zeros are a hole).
func sparseMP4(src, path string, size int64) (string, error) {
	b, err := newBigMP4(src, size)
	if err != nil {
		return "", err
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(b.head); err != nil {
		return "", err
	}
	if _, err := f.WriteAt(b.moov, int64(len(b.head))+b.pad); err != nil {
		return "", err
	}
	return path, nil
}

// --- upload ---------------------------------------------------------------

func benchUpload(ctx context.Context, m *mediaParams, out io.Writer) error {
	dir, err := os.MkdirTemp(m.uploadDir, "chorus-bench-upload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(m.testdata, "mp4_h264_moovend_15s.mp4")
	video, err := newBigMP4(src, m.uploadSize)
	if err != nil {
		return err
	}
	size := video.size()

	// The server, in this process, on loopback.
	st, err := store.Open(ctx, store.Options{DataDir: filepath.Join(dir, "db")})
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := media.OpenDir(filepath.Join(dir, "media"), media.Options{Store: st})
	if err != nil {
		return err
	}
	params := auth.Params{Time: 1, Memory: 1024, Threads: 1}
	prog, _, err := seed.CreateProgram(ctx, st, "Bench", "UTC", seed.UserSpec{Email: "bench@bench.test", Password: "bench-password"}, params)
	if err != nil {
		return err
	}
	api := httpapi.New(httpapi.Options{Store: st, Log: slog.New(slog.DiscardHandler), PublicURL: "http://bench", PasswordParams: params, Media: svc})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: api.Handler()}
	go srv.Serve(ln)
	defer srv.Close()
	c := client.New("http://" + ln.Addr().String()).SetRetryCount(0)
	if _, err := c.Login(ctx, "bench@bench.test", "bench-password"); err != nil {
		return err
	}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapInuse
	rssBefore := procStatus("VmRSS")
	var peakHeap uint64
	// Rounds alternate the ceiling and the upload, so a change in the
	// machine's load hits both alike; a virtual disk's sync times vary a
	// lot, so each side reports its median round.
	var disks, uploads []time.Duration
	var up client.Upload
	for round := 0; round < uploadRounds && err == nil; round++ {
		var d time.Duration
		if d, err = diskWrite(filepath.Join(dir, "disk.bin"), video.reader()); err != nil {
			break
		}
		disks = append(disks, d)
		syscall.Sync()
		h := sampleHeap()
		t1 := time.Now()
		up, err = c.CreateUpload(ctx, prog.ID, client.UploadRequest{Kind: wire.ActivityWeChatVideo, Filename: "big.mp4", Size: size})
		r := video.reader()
		var offset int64
		for offset < size && err == nil {
			n := min(m.chunk, size-offset)
			offset, err = c.UploadChunk(ctx, prog.ID, up.ID, offset, io.LimitReader(r, n), n)
		}
		uploads = append(uploads, time.Since(t1))
		peakHeap = max(peakHeap, h.stop())
		if round < uploadRounds-1 {
			// Like the disk file, the upload's bytes go before the next
			// round, so no round pays for flushing the previous one's.
			os.Remove(filepath.Join(dir, "media", "uploads", up.ID+".part"))
		}
		syscall.Sync()
	}
	var res client.UploadResult
	if err == nil {
		t2 := time.Now()
		res, err = c.CompleteUpload(ctx, prog.ID, up.ID)
		complete := time.Since(t2)
		if err == nil {
			defer fmt.Fprintf(out, "%-9s %-17s %s: %s %s %dx%d %.1f s, %d bytes (probe and move into storage)\n", "media", "complete",
				complete.Round(10*time.Microsecond), res.Probe.Container, res.Probe.VideoCodec, res.Probe.Width, res.Probe.Height,
				float64(res.Probe.DurationMS)/1000, res.Probe.SizeBytes)
		}
	}
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	mb := float64(size) / (1 << 20)
	disk, upload := median(disks), median(uploads)
	fmt.Fprintf(out, "\n[media] upload: %.0f MiB over loopback in %d MiB PATCH chunks, against the same bytes written to a file in %s (both synced every 64 MiB; median of %d rounds)\n",
		mb, m.chunk>>20, filepath.Dir(dir), uploadRounds)
	rate := func(ds []time.Duration) string { // slowest–fastest round
		return fmt.Sprintf("%.0f–%.0f", mb/slices.Max(ds).Seconds(), mb/slices.Min(ds).Seconds())
	}
	fmt.Fprintf(out, "%-9s %-17s %7.0f MiB/s (rounds %s) | disk write %7.0f MiB/s (rounds %s) | ratio %.2f\n", "media", "PATCH upload",
		mb/upload.Seconds(), rate(uploads), mb/disk.Seconds(), rate(disks), disk.Seconds()/upload.Seconds())
	fmt.Fprintf(out, "%-9s %-17s heap in use %.1f MiB before, peak %.1f MiB during | process RSS %s before, peak (VmHWM) %s\n", "media", "memory",
		float64(heapBefore)/(1<<20), float64(peakHeap)/(1<<20), rssBefore, procStatus("VmHWM"))
	return nil
}

const uploadRounds = 5

// heapSampler records the largest HeapInuse seen every 10 ms.
type heapSampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func sampleHeap() *heapSampler {
	h := &heapSampler{done: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			h.peak = max(h.peak, ms.HeapInuse)
			select {
			case <-h.done:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) stop() uint64 {
	close(h.done)
	h.wg.Wait()
	return h.peak
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration{}, ds...)
	slices.Sort(s)
	return s[len(s)/2]
}

// diskWrite writes r to path as the server writes an upload (256 KiB
// writes, a sync every 64 MiB and at the end) and removes it.
func diskWrite(path string, r io.Reader) (time.Duration, error) {
	t0 := time.Now()
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	defer f.Close()
	buf := make([]byte, 256<<10)
	var since int64
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				return 0, err
			}
			if since += int64(n); since >= 64<<20 {
				if err := f.Sync(); err != nil {
					return 0, err
				}
				since = 0
			}
		}
		if rerr != nil {
			break
		}
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// procStatus reads a field of /proc/self/status ("" where there is none).
func procStatus(field string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			fs := strings.Fields(v)
			if len(fs) == 2 && fs[1] == "kB" {
				if kb, err := strconv.ParseFloat(fs[0], 64); err == nil {
					return fmt.Sprintf("%.1f MiB", kb/1024)
				}
			}
			return strings.TrimSpace(v)
		}
	}
	return "n/a"
}
