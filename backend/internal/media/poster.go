package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Video posters: when the ffmpeg binary is on the PATH, a video gets a
// JPEG of one frame (at 1 s, or a tenth of a shorter video) when it is
// stored, at most ThumbLongSide pixels on its longer side, kept where a
// photo's thumbnail is; the thumbnail route serves it. Without ffmpeg, or
// when it fails, the video simply has no poster: never a refused upload.

// posterTimeout bounds one ffmpeg run.
const posterTimeout = 30 * time.Second

// maxPosterBytes bounds what is kept of ffmpeg's output.
const maxPosterBytes = 2 << 20

// ffmpegPath is the ffmpeg binary on the PATH, looked up at each use (the
// PATH may change; tests hide it), or "".
func ffmpegPath() string {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		return ""
	}
	return p
}

// PostersAvailable says whether videos stored now get posters.
func PostersAvailable() bool { return ffmpegPath() != "" }

// posterAt is where the poster frame is taken: 1 s in, or a tenth of a
// video shorter than 10 s.
func posterAt(durationMS int64) time.Duration {
	return min(time.Second, time.Duration(durationMS)*time.Millisecond/10)
}

// makePoster runs ffmpeg on the local file path and returns a JPEG of one
// of its frames, or nil when there is no ffmpeg. Input is read from that
// file only (no network or other protocols), one frame is decoded and
// encoded, and the run is killed after posterTimeout.
func (s *Service) makePoster(ctx context.Context, path string, durationMS int64) ([]byte, error) {
	bin := ffmpegPath()
	if bin == "" {
		return nil, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	select {
	case s.thumbQ <- struct{}{}:
		defer func() { <-s.thumbQ }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	ctx, cancel := context.WithTimeout(ctx, posterTimeout)
	defer cancel()
	out, err := os.CreateTemp(s.staging, "poster-*.jpg")
	if err != nil {
		return nil, err
	}
	outPath := out.Name()
	out.Close()
	defer os.Remove(outPath)
	b, err := runFFmpeg(ctx, bin, abs, outPath, posterAt(durationMS))
	if err == nil && len(b) == 0 && durationMS > 0 {
		b, err = runFFmpeg(ctx, bin, abs, outPath, 0) // no frame there: the first one
	}
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, errors.New("ffmpeg made no frame")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("ffmpeg's poster: %w", err)
	}
	if cfg.Width > ThumbLongSide || cfg.Height > ThumbLongSide {
		return nil, fmt.Errorf("ffmpeg's poster is %d×%d", cfg.Width, cfg.Height)
	}
	return b, nil
}

func runFFmpeg(ctx context.Context, bin, in, out string, at time.Duration) ([]byte, error) {
	long := strconv.Itoa(ThumbLongSide)
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-protocol_whitelist", "file", "-threads", "2",
		"-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64),
		"-i", "file:" + in,
		"-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", "1",
		// fit within ThumbLongSide², never enlarging; square pixels
		"-vf", "scale=w='min(" + long + ",iw*sar)':h='min(" + long + ",ih)':force_original_aspect_ratio=decrease,setsar=1",
		"-f", "image2", "-c:v", "mjpeg", "-q:v", "4", "-update", "1",
		"file:" + out}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, max: 4096}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ffmpeg: %w", ctx.Err())
		}
		return nil, fmt.Errorf("ffmpeg: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	st, err := os.Stat(out)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxPosterBytes {
		return nil, fmt.Errorf("ffmpeg's poster is %d bytes", st.Size())
	}
	return os.ReadFile(out)
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// storePoster makes and stores the poster of the video at path (a local
// file) for the media stored under key; it reports whether there is one.
// Failures are logged: a video without a poster is still a video.
func (s *Service) storePoster(ctx context.Context, key, path string, durationMS int64) bool {
	b, err := s.makePoster(ctx, path, durationMS)
	if err != nil {
		s.log.Warn("video poster", "key", key, "err", err)
		return false
	}
	if b == nil {
		return false
	}
	if _, err := s.storage.Put(ctx, thumbKey(key), bytes.NewReader(b)); err != nil {
		s.log.Warn("store video poster", "key", key, "err", err)
		return false
	}
	return true
}
