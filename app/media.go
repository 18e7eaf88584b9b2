package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
	"github.com/chorus-advocacy/chorus/platform"
)

// mediaRef is what the app knows of an activity's media: its id, and the
// server's facts when it sent them (MediaInfo; nil before the server
// describes media, then only the id is known).
type mediaRef struct {
	ID   string
	Info *client.MediaInfo
	// Video: the activity type takes a video.
	Video bool
}

func mediaOf(it client.FeedItem) mediaRef {
	return mediaRef{ID: it.MediaID, Info: it.Media, Video: kindOf(it.Type, it.Network).video}
}

func mediaOfActivity(a client.Activity) mediaRef {
	return mediaRef{ID: a.MediaID, Info: a.Media, Video: kindOf(a.Type, "").video}
}

// shareType is the platform's word for the media: "image" or "video".
func (m mediaRef) shareType() string {
	if m.isVideo() {
		return "video"
	}
	return "image"
}

func (m mediaRef) isVideo() bool {
	if m.Info != nil && m.Info.ContentType != "" {
		return strings.HasPrefix(m.Info.ContentType, "video/")
	}
	return m.Video
}

// hasThumb: GET …/thumbnail may answer (always asked when the server did not
// say; a refusal is remembered).
func (m mediaRef) hasThumb() bool { return m.Info == nil || m.Info.Thumbnail }

// ext is the file name extension the cached file gets (players and share
// targets go by it).
func (m mediaRef) ext(contentType string) string {
	if contentType == "" && m.Info != nil {
		contentType = m.Info.ContentType
	}
	if i := strings.IndexByte(contentType, ';'); i >= 0 {
		contentType = contentType[:i]
	}
	switch strings.TrimSpace(contentType) {
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/jpeg":
		return ".jpg"
	case "video/quicktime":
		return ".mov"
	case "video/webm":
		return ".webm"
	case "video/mp4":
		return ".mp4"
	}
	if m.Info != nil {
		if e := filepath.Ext(m.Info.Filename); e != "" {
			return strings.ToLower(e)
		}
	}
	if m.isVideo() {
		return ".mp4"
	}
	return ".jpg"
}

// cachedMedia is an activity's file, fetched and checked: a local path (in a
// browser, an object URL of a Blob), its type, and a photo's bytes to show.
type cachedMedia struct {
	Path      string
	MediaType string // "image" or "video"
	Data      []byte // a photo's bytes (nil for videos)
}

// errMediaMismatch: the downloaded file is not the one the server described.
var errMediaMismatch = errors.New("the downloaded file does not match: try again")

// mediaStore keeps the media of the feed beside the cached feed, so the
// offline feed shows pictures too: thumbnails (small JPEGs) and the files
// handed to WeChat. It holds no widgets; screens ask it from goroutines.
type mediaStore struct {
	root fyne.URI
	// http fetches the files (ranged requests, which backend/client has no
	// call for).
	http *http.Client

	mu       sync.Mutex
	thumbs   map[string][]byte      // by media id; nil entry: the server has none
	decoded  map[string]image.Image // thumbnails decoded, so a card rebound while scrolling does not decode again
	files    map[string]cachedMedia
	inflight map[string]*mediaJob
}

// mediaJob is one file being fetched; callers wait on done.
type mediaJob struct {
	done chan struct{}
	file cachedMedia
	err  error

	mu       sync.Mutex
	progress []func(done, total int64)
}

func (j *mediaJob) report(done, total int64) {
	j.mu.Lock()
	fs := append([]func(int64, int64){}, j.progress...)
	j.mu.Unlock()
	for _, f := range fs {
		f(done, total)
	}
}

func newMediaStore(root fyne.URI) *mediaStore {
	return &mediaStore{root: root, http: &http.Client{}, thumbs: map[string][]byte{}, files: map[string]cachedMedia{}, inflight: map[string]*mediaJob{}}
}

// onDisk: the cache is a folder of files (every driver but the browser's).
func (s *mediaStore) onDisk() bool { return s.root != nil && s.root.Scheme() == "file" }

func (s *mediaStore) dir() string { return filepath.Join(s.root.Path(), "media") }

func safeID(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, id)
}

func (s *mediaStore) thumbName(id string) string { return "media-thumb-" + safeID(id) + ".jpg" }

// maxDecoded bounds the decoded thumbnails kept (a 1,000-activity feed
// scrolled end to end must not hold them all).
const maxDecoded = 128

// decodedThumb is a thumbnail already decoded, if any.
func (s *mediaStore) decodedThumb(id string) (image.Image, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	img, ok := s.decoded[id]
	return img, ok
}

// decodeThumb decodes a thumbnail's bytes (off the UI goroutine) and keeps
// the picture; nil when b is not an image.
func (s *mediaStore) decodeThumb(id string, b []byte) image.Image {
	img := decodeImage(b)
	if img == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.decoded == nil || len(s.decoded) >= maxDecoded {
		s.decoded = map[string]image.Image{}
	}
	s.decoded[id] = img
	return img
}

// cachedThumb is the thumbnail held in memory, if any, without waiting.
func (s *mediaStore) cachedThumb(id string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.thumbs[id]
	return b, ok
}

// thumb returns the media's thumbnail (a photo's small JPEG, a video's
// poster): from memory, from the disk cache, else from the server, then
// kept. nil, nil when the server has none.
func (s *mediaStore) thumb(ctx context.Context, api *client.Client, pid string, m mediaRef) ([]byte, error) {
	if m.ID == "" {
		return nil, nil
	}
	if b, ok := s.cachedThumb(m.ID); ok {
		return b, nil
	}
	if b, err := s.loadBlob(s.thumbName(m.ID)); err == nil && len(b) > 0 {
		s.keepThumb(m.ID, b)
		return b, nil
	}
	if !m.hasThumb() {
		s.keepThumb(m.ID, nil)
		return nil, nil
	}
	var buf bytes.Buffer
	if _, err := api.MediaThumbnail(ctx, pid, m.ID, &buf); err != nil {
		switch client.Code(err) {
		case wire.CodeThumbnailUnavailable, wire.CodeNotFound:
			s.keepThumb(m.ID, nil)
			return nil, nil
		}
		return nil, err
	}
	b := buf.Bytes()
	s.keepThumb(m.ID, b)
	_ = s.saveBlob(s.thumbName(m.ID), b)
	return b, nil
}

func (s *mediaStore) keepThumb(id string, b []byte) {
	s.mu.Lock()
	s.thumbs[id] = b
	s.mu.Unlock()
}

func (s *mediaStore) loadBlob(name string) ([]byte, error) {
	if s.root == nil {
		return nil, errNotCached
	}
	u, err := storage.Child(s.root, name)
	if err != nil {
		return nil, err
	}
	if ok, err := storage.Exists(u); err == nil && !ok {
		return nil, errNotCached
	}
	r, err := storage.Reader(u)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func (s *mediaStore) saveBlob(name string, b []byte) error {
	if s.root == nil {
		return errNotCached
	}
	if s.onDisk() {
		if err := os.MkdirAll(s.root.Path(), 0o700); err != nil {
			return err
		}
	}
	u, err := storage.Child(s.root, name)
	if err != nil {
		return err
	}
	w, err := storage.Writer(u)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// cachedFile is the file fetched before, if any, without waiting.
func (s *mediaStore) cachedFile(id string) (cachedMedia, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	return f, ok
}

// file fetches the media's file into the app's storage (resuming a broken
// download with a Range request), checks it against the size and SHA-256
// the server gave, and returns it. Calls for the same media share one
// download; progress (may be nil) hears of its bytes.
func (s *mediaStore) file(ctx context.Context, dl mediaDownloader, m mediaRef, progress func(done, total int64)) (cachedMedia, error) {
	if m.ID == "" {
		return cachedMedia{}, errors.New("this activity has no media")
	}
	s.mu.Lock()
	if f, ok := s.files[m.ID]; ok {
		s.mu.Unlock()
		return f, nil
	}
	j, running := s.inflight[m.ID]
	if !running {
		j = &mediaJob{done: make(chan struct{})}
		s.inflight[m.ID] = j
	}
	if progress != nil {
		j.mu.Lock()
		j.progress = append(j.progress, progress)
		j.mu.Unlock()
	}
	s.mu.Unlock()
	if !running {
		// The first caller fetches (on its own goroutine, which the app's
		// runner waits for); later callers wait for its result.
		j.file, j.err = s.fetch(ctx, dl, m, j.report)
		s.mu.Lock()
		delete(s.inflight, m.ID)
		if j.err == nil {
			s.files[m.ID] = j.file
		}
		s.mu.Unlock()
		close(j.done)
		return j.file, j.err
	}
	select {
	case <-j.done:
		return j.file, j.err
	case <-ctx.Done():
		return cachedMedia{}, ctx.Err()
	}
}

func (s *mediaStore) fetch(ctx context.Context, dl mediaDownloader, m mediaRef, progress func(done, total int64)) (cachedMedia, error) {
	if s.onDisk() {
		return s.fetchToDisk(ctx, dl, m, progress)
	}
	// A browser: the file is kept as a Blob, ready for the share sheet.
	var buf bytes.Buffer
	ct, err := dl.get(ctx, m.ID, 0, &progressWriter{w: &buf, total: size(m), report: progress})
	if err != nil {
		return cachedMedia{}, err
	}
	if err := check(m, int64(buf.Len()), sha256.Sum256(buf.Bytes())); err != nil {
		return cachedMedia{}, err
	}
	name := "chorus-" + safeID(m.ID) + m.ext(ct)
	path, err := platform.PrepareFile(name, platform.MIMEType(name, m.shareType()), buf.Bytes())
	if err != nil {
		return cachedMedia{}, err
	}
	f := cachedMedia{Path: path, MediaType: m.shareType()}
	if !m.isVideo() {
		f.Data = buf.Bytes()
	}
	return f, nil
}

func size(m mediaRef) int64 {
	if m.Info != nil {
		return m.Info.SizeBytes
	}
	return 0
}

// check compares a file with what the server said of it.
func check(m mediaRef, n int64, sum [32]byte) error {
	if m.Info == nil {
		return nil
	}
	if m.Info.SizeBytes > 0 && n != m.Info.SizeBytes {
		return fmt.Errorf("%w (%d bytes, expected %d)", errMediaMismatch, n, m.Info.SizeBytes)
	}
	if m.Info.SHA256 != "" && !strings.EqualFold(hex.EncodeToString(sum[:]), m.Info.SHA256) {
		return errMediaMismatch
	}
	return nil
}

// fetchToDisk downloads into media/<id>.part, resuming from its length, and
// renames it once complete and checked. A finished file found on disk is
// used as it is (it was checked before it got its name).
func (s *mediaStore) fetchToDisk(ctx context.Context, dl mediaDownloader, m mediaRef, progress func(done, total int64)) (cachedMedia, error) {
	dir := s.dir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cachedMedia{}, err
	}
	base := filepath.Join(dir, safeID(m.ID))
	if matches, _ := filepath.Glob(base + ".*"); len(matches) > 0 {
		for _, p := range matches {
			if strings.HasSuffix(p, ".part") {
				continue
			}
			if st, err := os.Stat(p); err == nil && (size(m) == 0 || st.Size() == size(m)) {
				return s.finished(p, m)
			}
		}
	}
	part := base + ".part"
	f, err := os.OpenFile(part, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return cachedMedia{}, err
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return cachedMedia{}, err
	}
	if total := size(m); total > 0 && have > total {
		have = 0
	}
	pw := &progressWriter{w: f, done: have, total: size(m), report: progress}
	ct, err := dl.get(ctx, m.ID, have, pw)
	var restart errRestart
	if errors.As(err, &restart) {
		// The server sent the whole file: start again from its first byte.
		if err = f.Truncate(0); err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err == nil {
			pw.done = 0
			ct, err = restart.finish(pw)
		}
	}
	if err != nil {
		return cachedMedia{}, err
	}
	if err := f.Sync(); err != nil {
		return cachedMedia{}, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return cachedMedia{}, err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return cachedMedia{}, err
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	if err := check(m, n, sum); err != nil {
		f.Close()
		os.Remove(part)
		return cachedMedia{}, err
	}
	f.Close()
	final := base + m.ext(ct)
	if err := os.Rename(part, final); err != nil {
		return cachedMedia{}, err
	}
	return s.finished(final, m)
}

func (s *mediaStore) finished(path string, m mediaRef) (cachedMedia, error) {
	f := cachedMedia{Path: path, MediaType: m.shareType()}
	if !m.isVideo() {
		b, err := os.ReadFile(path)
		if err != nil {
			return cachedMedia{}, err
		}
		f.Data = b
	}
	return f, nil
}

// progressWriter counts what passes and reports it.
type progressWriter struct {
	w           io.Writer
	done, total int64
	report      func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.report != nil {
		p.report(p.done, p.total)
	}
	return n, err
}

// mediaDownloader gets GET …/media/{mid} from offset on; the app's own
// ranged request, as backend/client's DownloadMedia always starts at 0.
type mediaDownloader struct {
	http   *http.Client
	server string
	token  string
	pid    string
}

// errRestart: the server answered a Range request with the whole file;
// finish writes it (from its first byte) to the writer it is given.
type errRestart struct {
	resp *http.Response
}

func (e errRestart) Error() string { return "the server sent the whole file" }

func (e errRestart) finish(w io.Writer) (string, error) {
	defer e.resp.Body.Close()
	_, err := io.Copy(w, e.resp.Body)
	return e.resp.Header.Get("Content-Type"), err
}

func (d mediaDownloader) get(ctx context.Context, mid string, offset int64, w io.Writer) (string, error) {
	u := d.server + "/api/v1/programs/" + url.PathEscape(d.pid) + "/media/" + url.PathEscape(mid)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	if d.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	hc := d.http
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	switch {
	case resp.StatusCode == http.StatusPartialContent && offset > 0:
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && offset > 0:
		// Nothing left to fetch: the part file is whole (the check decides).
		resp.Body.Close()
		return "", nil
	case resp.StatusCode == http.StatusOK && offset > 0:
		return "", errRestart{resp: resp}
	case resp.StatusCode == http.StatusOK:
	default:
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		return "", client.ResponseError(resp.StatusCode, body)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return "", err
	}
	return resp.Header.Get("Content-Type"), nil
}

// decodeImage reads a photo or poster; nil when it is not a picture Go reads.
func decodeImage(b []byte) image.Image {
	if len(b) == 0 {
		return nil
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	return img
}
