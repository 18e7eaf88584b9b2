// Package mediacheck reads the facts the activity media rules need (container,
// video codec, frame size, duration, byte size) from a file's headers alone,
// and holds those rules, so that the server and the manager's desktop app
// refuse exactly the same files with exactly the same reasons.
//
// It is deliberately outside backend/internal: app/ must import it, and it
// must stay free of HTTP, SQL and Fyne for the same reason.
package mediacheck

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/gabriel-vasile/mimetype"
)

// Info holds the facts Probe learnt from a file's headers.
type Info struct {
	Container  string // "mp4", "mov", "webm", "mkv", "jpeg", "png", "gif", "webp"
	VideoCodec string // "h264", "hevc", "vp8", "vp9", "av1", "mpeg4", …; "" for images and files without a video track
	// Width and Height are the displayed frame size: an MP4/MOV track whose
	// matrix turns it a quarter turn reports the turned size (960×540 coded,
	// shown upright as 540×960, reports 540×960).
	Width, Height int
	DurationMS    int64 // the longest track; 0 for still images
	SizeBytes     int64
}

// Container names, as they appear in Info.Container.
const (
	ContainerMP4  = "mp4"
	ContainerMOV  = "mov"
	ContainerWebM = "webm"
	ContainerMKV  = "mkv"
	ContainerJPEG = "jpeg"
	ContainerPNG  = "png"
	ContainerGIF  = "gif"
	ContainerWebP = "webp"
)

// ErrUnreadable is wrapped by every error Probe and ProbeFile return, so
// callers need one errors.Is test to tell "this file is broken or foreign"
// from success; the wrapping error says why in a few words.
var ErrUnreadable = errors.New("mediacheck: unreadable media")

// ErrUnsupportedFormat is wrapped (together with ErrUnreadable) when the file
// is readable but is not one of the containers Probe knows, such as a text
// file, a PDF or a HEIC photo. It lets callers say "wrong kind of file"
// instead of "damaged file".
var ErrUnsupportedFormat = fmt.Errorf("%w: unsupported format", ErrUnreadable)

func unreadable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnreadable, fmt.Sprintf(format, args...))
}

func unsupported(what string) error {
	return fmt.Errorf("%w (%s)", ErrUnsupportedFormat, what)
}

var errTruncated = unreadable("file ends early (truncated)")

// ProbeFile probes the file at path; see Probe.
func ProbeFile(path string) (Info, error) {
	// Stat before opening: opening a named pipe would block until some
	// writer appeared.
	st, err := os.Stat(path)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if !st.Mode().IsRegular() {
		return Info{}, unreadable("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	return Probe(f, st.Size())
}

// Probe identifies the container by its magic bytes (never by a file name)
// and reads only headers: the media data of a multi-gigabyte video is skipped
// by its declared size, never read. Damaged, truncated or hostile input gives
// an error wrapping ErrUnreadable; it never panics, loops without bound or
// allocates more than a few MiB whatever the size fields claim.
//
// On error the returned Info still carries SizeBytes and, once recognised,
// Container, so a caller can show what it could learn.
func Probe(r io.ReaderAt, size int64) (Info, error) {
	info := Info{SizeBytes: size}
	if size <= 0 {
		return info, unreadable("empty file")
	}
	s := newSource(r, size)
	head, err := s.at(0, int(min(size, 16)))
	if err != nil {
		return info, err
	}
	var p func(*source, *Info) error
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		info.Container, p = ContainerJPEG, probeJPEG
	case bytes.HasPrefix(head, pngSignature):
		info.Container, p = ContainerPNG, probePNG
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		info.Container, p = ContainerGIF, probeGIF
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		info.Container, p = ContainerWebP, probeWebP
	case bytes.HasPrefix(head, ebmlMagic):
		p = probeMatroska
	case len(head) >= 8 && isBMFFStart(string(head[4:8])):
		p = probeBMFF
	default:
		return info, unsupported(sniff(s))
	}
	if err := p(s, &info); err != nil {
		return info, err
	}
	return info, nil
}

// sniff names a foreign file's type for the error message ("text/plain;
// charset=utf-8", "application/pdf"), so a manager learns what they picked.
func sniff(s *source) string {
	b, err := s.at(0, int(min(s.size, 3072)))
	if err != nil {
		return "unknown type"
	}
	return mimetype.Detect(b).String()
}

// chunk is the smallest read the source issues: headers sit close together,
// so one read usually answers the next few requests too.
const chunk = 16 << 10

// maxRead caps any single read, whatever a size field in the file says.
const maxRead = 16 << 20

// source is a bounds-checked, lightly cached view of the file. Slices it
// returns are only valid until the next call.
type source struct {
	r      io.ReaderAt
	size   int64
	buf    []byte
	win    []byte // cached bytes, starting at winOff
	winOff int64
}

func newSource(r io.ReaderAt, size int64) *source {
	return &source{r: r, size: size}
}

// at returns exactly n bytes at off, or an error if they lie outside the file.
func (s *source) at(off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off > s.size || int64(n) > s.size-off {
		return nil, errTruncated
	}
	if n > maxRead {
		return nil, unreadable("refusing to read %d bytes of headers", n)
	}
	if off >= s.winOff && off-s.winOff+int64(n) <= int64(len(s.win)) {
		return s.win[off-s.winOff:][:n], nil
	}
	want := int64(max(n, chunk))
	want = min(want, s.size-off)
	if int64(cap(s.buf)) < want {
		s.buf = make([]byte, want)
	}
	b := s.buf[:want]
	m, err := s.r.ReadAt(b, off)
	if m < n {
		s.win = nil
		if err == nil || errors.Is(err, io.EOF) {
			return nil, errTruncated
		}
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	s.win, s.winOff = b[:m], off
	return b[:n], nil
}

// findBackward reports whether pat occurs in [from, size), searching from the
// end of the file and giving up after limit bytes. Used to find an image's end
// marker, which normally is the very last thing in the file.
func (s *source) findBackward(pat []byte, from, limit int64) (bool, error) {
	const step = 64 << 10
	end := s.size
	stop := max(from, s.size-limit)
	for end-stop >= int64(len(pat)) {
		start := max(stop, end-step)
		b, err := s.at(start, int(end-start))
		if err != nil {
			return false, err
		}
		if bytes.LastIndex(b, pat) >= 0 {
			return true, nil
		}
		if start == stop {
			break
		}
		// Overlap so a pattern straddling two windows is still seen.
		end = start + int64(len(pat)) - 1
	}
	return false, nil
}

func be16(b []byte) uint32 { return uint32(b[0])<<8 | uint32(b[1]) }
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
func be64(b []byte) uint64 { return uint64(be32(b))<<32 | uint64(be32(b[4:])) }
func le16(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 }
func le24(b []byte) uint32 { return le16(b) | uint32(b[2])<<16 }
func le32(b []byte) uint32 { return le24(b) | uint32(b[3])<<24 }

// scaleMS converts ticks of 1/timescale seconds to milliseconds, rounding to
// the nearest, without overflowing on hostile values.
func scaleMS(ticks, timescale uint64) int64 {
	if timescale == 0 {
		return 0
	}
	ms := float64(ticks) * 1000 / float64(timescale)
	if ms >= 1<<62 {
		return 1 << 62
	}
	return int64(ms + 0.5)
}

// clampInt keeps hostile 64-bit values inside an int on 32-bit phones.
func clampInt(v uint64) int {
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(v)
}
