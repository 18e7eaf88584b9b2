package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Options configure the media service.
type Options struct {
	Store   *store.Store
	Storage Storage
	// StagingDir holds uploads in progress. With Local storage keep it on
	// the same file system, so a finished upload is renamed, not copied.
	StagingDir string
	Limits     mediacheck.Limits
	// UploadTTL is how long an untouched upload is kept (default a day).
	UploadTTL time.Duration
	Preview   PreviewOptions
	Log       *slog.Logger
	Now       func() time.Time
}

// Service runs uploads, imports and lookups of media.
type Service struct {
	st      *store.Store
	storage Storage
	staging string
	limits  mediacheck.Limits
	ttl     time.Duration
	log     *slog.Logger
	now     func() time.Time
	preview *Previewer

	mu     sync.Mutex
	active map[string]*holder // upload id -> the request writing it
	thumbs sync.Map           // storage key -> *sync.Mutex
	thumbQ chan struct{}      // bounds thumbnails decoded at once
}

type holder struct {
	interrupt func()
	done      chan struct{}
}

// New makes the service, creating the staging directory.
func New(o Options) (*Service, error) {
	if o.Store == nil || o.Storage == nil || o.StagingDir == "" {
		return nil, errors.New("media: Store, Storage and StagingDir are required")
	}
	if err := os.MkdirAll(o.StagingDir, 0o700); err != nil {
		return nil, fmt.Errorf("media staging directory: %w", err)
	}
	if o.Limits.PhotoMaxBytes <= 0 {
		o.Limits = mediacheck.DefaultLimits()
	}
	if o.UploadTTL <= 0 {
		o.UploadTTL = 24 * time.Hour
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{st: o.Store, storage: o.Storage, staging: o.StagingDir, limits: o.Limits, ttl: o.UploadTTL,
		log: o.Log, now: o.Now, preview: NewPreviewer(o.Preview),
		active: map[string]*holder{}, thumbQ: make(chan struct{}, 2)}, nil
}

// OpenDir is the default set-up: objects in dir/objects, uploads staged in
// dir/uploads (one file system, so completing an upload is a rename).
func OpenDir(dir string, o Options) (*Service, error) {
	l, err := NewLocal(filepath.Join(dir, "objects"))
	if err != nil {
		return nil, err
	}
	o.Storage, o.StagingDir = l, filepath.Join(dir, "uploads")
	return New(o)
}

// Storage is where the bytes live.
func (s *Service) Storage() Storage { return s.storage }

// Limits are the configurable media limits in force.
func (s *Service) Limits() mediacheck.Limits { return s.limits }

// UploadTTL is how long an untouched upload is kept.
func (s *Service) UploadTTL() time.Duration { return s.ttl }

// ContentType is the MIME type served for a container.
func ContentType(container string) string {
	switch container {
	case mediacheck.ContainerMP4:
		return "video/mp4"
	case mediacheck.ContainerMOV:
		return "video/quicktime"
	case mediacheck.ContainerWebM:
		return "video/webm"
	case mediacheck.ContainerMKV:
		return "video/x-matroska"
	case mediacheck.ContainerJPEG:
		return "image/jpeg"
	case mediacheck.ContainerPNG:
		return "image/png"
	case mediacheck.ContainerGIF:
		return "image/gif"
	case mediacheck.ContainerWebP:
		return "image/webp"
	}
	return "application/octet-stream"
}

func objectKey(programID, mediaID string) string { return programID + "/" + mediaID }

func (s *Service) partPath(uploadID string) string {
	return filepath.Join(s.staging, uploadID+".part")
}

// Refused is the error for a file its kind's rules refuse: code
// media_refused, the first problem as the message, and every problem in
// Fields as code → message.
func Refused(ps []mediacheck.Problem) *domain.Error {
	e := &domain.Error{Code: wire.CodeMediaRefused, Message: ps[0].Message, Fields: map[string]string{}}
	if len(ps) > 1 {
		e.Message += fmt.Sprintf(" (and %d more)", len(ps)-1)
	}
	for _, p := range ps {
		if prev, ok := e.Fields[p.Code]; ok {
			e.Fields[p.Code] = prev + "; " + p.Message
		} else {
			e.Fields[p.Code] = p.Message
		}
	}
	return e
}

// MismatchError is returned when a chunk does not start where the upload
// stands; Offset is where it does.
type MismatchError struct {
	Offset int64
	err    *domain.Error
}

func (m *MismatchError) Error() string { return m.err.Error() }

// Unwrap gives the API error.
func (m *MismatchError) Unwrap() error { return m.err }

func mismatch(have, sent int64) error {
	return &MismatchError{Offset: have, err: domain.Errorf(wire.CodeOffsetMismatch,
		"the upload stands at byte %d, not %d: send from byte %d", have, sent, have)}
}

// CreateUpload starts a resumable upload after judging what the client
// declares: an impossible upload is refused before any byte is sent.
func (s *Service) CreateUpload(ctx context.Context, programID, userID, kind, filename string, size int64) (store.Upload, error) {
	f := domain.Fields{}
	k, ok := mediacheck.ParseKind(strings.TrimSpace(kind))
	if !ok {
		f.Add("kind", "must be wechat_photo, wechat_video or tiktok_video")
	}
	filename = cleanName(filename)
	if filename == "" {
		f.Add("filename", "is required: the name of the file being uploaded")
	}
	if size <= 0 {
		f.Add("size", "must be the file's size in bytes, more than 0")
	}
	if err := f.Err(); err != nil {
		return store.Upload{}, err
	}
	if ps := mediacheck.CheckDeclared(k, filename, size, s.limits); len(ps) > 0 {
		return store.Upload{}, Refused(ps)
	}
	now := s.now()
	u := store.Upload{ID: domain.NewID("upl"), ProgramID: programID, Kind: string(k), Filename: filename, Size: size,
		MediaID: domain.NewID("med"), CreatedBy: userID, CreatedAt: now, UpdatedAt: now}
	pf, err := os.OpenFile(s.partPath(u.ID), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return store.Upload{}, fmt.Errorf("stage upload: %w", err)
	}
	pf.Close()
	if err := s.st.CreateUpload(ctx, u); err != nil {
		os.Remove(s.partPath(u.ID))
		return store.Upload{}, err
	}
	return u, nil
}

// cleanName keeps a file name's last element, printable, at most 255 bytes.
func cleanName(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	for len(name) > 255 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}

// Upload returns an upload of the program, with the offset on disk.
func (s *Service) Upload(ctx context.Context, programID, id string) (store.Upload, error) {
	return s.st.Upload(ctx, programID, id)
}

// lockOf locks upload id for a request of programID, once it is known to
// be that program's upload: taking the lock interrupts the request holding
// it, so a caller from another program (who may have learnt the id) must be
// turned away before, not after. Callers read the upload again under the
// lock.
func (s *Service) lockOf(ctx context.Context, programID, id string, interrupt func()) (func(), error) {
	if _, err := s.st.Upload(ctx, programID, id); err != nil {
		return nil, err
	}
	return s.lock(ctx, id, interrupt)
}

// lock makes the caller the one request writing upload id. Callers check
// the upload is their program's first (lockOf). A request still
// holding it (often one whose connection died unnoticed) is interrupted
// and waited for, so a client resuming after a cut is never locked out by
// its own dead connection.
func (s *Service) lock(ctx context.Context, id string, interrupt func()) (func(), error) {
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		cur := s.active[id]
		if cur == nil {
			h := &holder{interrupt: interrupt, done: make(chan struct{})}
			s.active[id] = h
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				delete(s.active, id)
				s.mu.Unlock()
				close(h.done)
			}, nil
		}
		s.mu.Unlock()
		if cur.interrupt != nil {
			cur.interrupt()
		}
		select {
		case <-cur.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline:
			return nil, domain.Errorf(domain.CodeConflict, "another request is still writing this upload; try again shortly")
		}
	}
}

// ErrBodyBroken is wrapped when a chunk's body ends before its bytes do
// (a cut connection, an interrupted request): what arrived is kept.
var ErrBodyBroken = errors.New("chunk ended early")

// syncEvery is how many bytes a long chunk writes between syncs that
// advance the recorded offset, so HEAD shows progress and a crash loses
// at most this much.
const syncEvery = 64 << 20

var bufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// Append writes a chunk that starts at offset. length is the chunk's
// declared length (-1 when unknown). interrupt, if given, stops this
// request's body reads when a later request for the same upload arrives.
// It returns the upload's offset afterwards: bytes that arrived before a
// broken connection count, so a resumed upload continues after them.
func (s *Service) Append(ctx context.Context, programID, id string, offset, length int64, body io.Reader, interrupt func()) (int64, error) {
	unlock, err := s.lockOf(ctx, programID, id, interrupt)
	if err != nil {
		return 0, err
	}
	defer unlock()
	u, err := s.st.Upload(ctx, programID, id)
	if err != nil {
		return 0, err
	}
	if !u.CompletedAt.IsZero() {
		return u.Offset, domain.Errorf(domain.CodeConflict, "this upload is complete")
	}
	f, cur, err := s.openPart(ctx, u)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if offset != cur {
		return cur, mismatch(cur, offset)
	}
	remaining := u.Size - cur
	if length > remaining {
		return cur, domain.Errorf(domain.CodeTooLarge, "the chunk is %d bytes but only %d remain of the %d declared", length, remaining, u.Size)
	}
	if _, err := f.Seek(cur, io.SeekStart); err != nil {
		return cur, err
	}
	// The SHA-256 follows the bytes as they are written (see hash.go).
	h, herr := s.hashUpTo(u.ID, cur)
	if herr != nil {
		s.log.Warn("hash upload", "upload", u.ID, "err", herr)
		h = nil // Complete hashes what is missing
	}
	saveHash := func(at int64) {
		if h != nil {
			s.saveHash(u.ID, h, at)
		}
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	var readErr error
	synced := cur
	for cur < u.Size {
		n, rerr := body.Read(buf[:min(int64(len(buf)), u.Size-cur)])
		if n > 0 {
			if _, werr := f.Write(buf[:n]); werr != nil {
				return s.record(ctx, u, f, synced, werr)
			}
			if h != nil {
				h.Write(buf[:n])
			}
			cur += int64(n)
			if cur-synced >= syncEvery {
				if err := f.Sync(); err != nil {
					return s.record(ctx, u, f, synced, err)
				}
				if err := s.st.SetUploadOffset(context.WithoutCancel(ctx), u.ID, cur, s.now()); err != nil {
					return synced, err
				}
				saveHash(cur)
				synced = cur
			}
		}
		if rerr != nil {
			if !errors.Is(rerr, io.EOF) {
				readErr = rerr
			}
			break
		}
	}
	tooMuch := false
	if cur == u.Size && readErr == nil {
		// The declared size is reached: anything more is refused.
		var one [1]byte
		n, _ := io.ReadFull(body, one[:])
		tooMuch = n > 0
	}
	if err := f.Sync(); err != nil {
		return s.record(ctx, u, f, synced, err)
	}
	// Recorded even when the client went away: its bytes are safe. This
	// also keeps an upload that is still moving from being swept.
	if err := s.st.SetUploadOffset(context.WithoutCancel(ctx), u.ID, cur, s.now()); err != nil {
		return synced, err
	}
	saveHash(cur)
	switch {
	case readErr != nil:
		return cur, fmt.Errorf("%w: upload %s stands at byte %d: %w", ErrBodyBroken, u.ID, cur, readErr)
	case tooMuch:
		return cur, domain.Errorf(domain.CodeTooLarge, "the upload was declared as %d bytes; the chunk goes beyond that", u.Size)
	}
	return cur, nil
}

// record cuts the part file back to what was synced after a write failed.
func (s *Service) record(ctx context.Context, u store.Upload, f *os.File, synced int64, err error) (int64, error) {
	_ = f.Truncate(synced)
	if synced != u.Offset {
		_ = s.st.SetUploadOffset(context.WithoutCancel(ctx), u.ID, synced, s.now())
	}
	return synced, fmt.Errorf("write upload %s: %w", u.ID, err)
}

// openPart opens the staged bytes and reconciles them with the recorded
// offset: bytes past it (written, then a crash before they were recorded)
// are cut off; if fewer are there than recorded, the record follows the disk.
func (s *Service) openPart(ctx context.Context, u store.Upload) (*os.File, int64, error) {
	f, err := os.OpenFile(s.partPath(u.ID), os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, domain.Errorf(domain.CodeNotFound, "this upload's data is not on this server any more; start the upload again")
	}
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	cur := u.Offset
	switch {
	case st.Size() > cur:
		if err := f.Truncate(cur); err != nil {
			f.Close()
			return nil, 0, err
		}
	case st.Size() < cur:
		cur = st.Size()
		if err := s.st.SetUploadOffset(ctx, u.ID, cur, s.now()); err != nil {
			f.Close()
			return nil, 0, err
		}
	}
	return f, cur, nil
}

// Complete probes and checks a fully arrived upload and turns it into
// media. Asking again after success returns the same media.
func (s *Service) Complete(ctx context.Context, programID, id string) (store.Media, error) {
	unlock, err := s.lockOf(ctx, programID, id, nil)
	if err != nil {
		return store.Media{}, err
	}
	defer unlock()
	u, err := s.st.Upload(ctx, programID, id)
	if err != nil {
		return store.Media{}, err
	}
	if !u.CompletedAt.IsZero() {
		return s.st.Media(ctx, programID, u.MediaID)
	}
	key := objectKey(programID, u.MediaID)
	part := s.partPath(u.ID)
	var info mediacheck.Info
	var perr error
	moved := false
	if _, err := os.Stat(part); err == nil {
		if u.Offset < u.Size {
			return store.Media{}, domain.Errorf(wire.CodeUploadIncomplete, "%d of %d bytes have arrived; send the rest first", u.Offset, u.Size)
		}
		info, perr = mediacheck.ProbeFile(part)
	} else if obj, oerr := s.storage.Open(ctx, key); oerr == nil {
		// A complete that stopped after storing the file: finish it.
		info, perr = probeObject(obj)
		obj.Close()
		moved = true
	} else {
		return store.Media{}, domain.Errorf(domain.CodeNotFound, "this upload's data is not on this server any more; start the upload again")
	}
	var ps []mediacheck.Problem
	if perr != nil {
		ps = []mediacheck.Problem{mediacheck.ProbeProblem(mediacheck.Kind(u.Kind), perr)}
	} else {
		ps = mediacheck.Check(mediacheck.Kind(u.Kind), info, s.limits)
	}
	if len(ps) > 0 {
		// Every byte is here and the file is refused: nothing to resume.
		os.Remove(part)
		os.Remove(s.hashPath(u.ID))
		if moved {
			_ = s.storage.Delete(ctx, key)
		}
		if err := s.st.DeleteUpload(ctx, u.ID); err != nil {
			s.log.Warn("forget refused upload", "upload", u.ID, "err", err)
		}
		return store.Media{}, Refused(ps)
	}
	m := mediaRow(u.MediaID, programID, u.Kind, u.Filename, key, info, store.MediaSourceUpload, "", u.CreatedBy, s.now())
	if moved {
		sum, err := s.hashStored(ctx, key)
		if err != nil {
			return store.Media{}, err
		}
		m.SHA256 = sum
		_, err = s.storage.Stat(ctx, thumbKey(key))
		m.Poster = err == nil && !isImage(info.Container)
	} else {
		h, err := s.hashUpTo(u.ID, u.Size)
		if err != nil {
			return store.Media{}, fmt.Errorf("hash upload %s: %w", u.ID, err)
		}
		m.SHA256 = hex.EncodeToString(h.Sum(nil))
		if !isImage(info.Container) {
			m.Poster = s.storePoster(context.WithoutCancel(ctx), key, part, info.DurationMS)
		}
		if err := s.put(ctx, key, part); err != nil {
			return store.Media{}, err
		}
	}
	if err := s.st.CompleteUpload(ctx, u.ID, m, s.now()); err != nil {
		return store.Media{}, err
	}
	os.Remove(s.hashPath(u.ID))
	return m, nil
}

// hashStored returns the hex SHA-256 of a stored object.
func (s *Service) hashStored(ctx context.Context, key string) (string, error) {
	obj, err := s.storage.Open(ctx, key)
	if err != nil {
		return "", err
	}
	defer obj.Close()
	return hashObject(obj)
}

func mediaRow(id, programID, kind, filename, key string, info mediacheck.Info, source, sourceURL, by string, now time.Time) store.Media {
	return store.Media{ID: id, ProgramID: programID, Kind: kind, Filename: filename, ContentType: ContentType(info.Container),
		Container: info.Container, VideoCodec: info.VideoCodec, Width: info.Width, Height: info.Height,
		DurationMS: info.DurationMS, SizeBytes: info.SizeBytes, StorageKey: key, Source: source, SourceURL: sourceURL,
		CreatedBy: by, CreatedAt: now.UTC().Truncate(time.Millisecond)}
}

// put moves a finished local file into storage.
func (s *Service) put(ctx context.Context, key, path string) error {
	if fp, ok := s.storage.(FilePutter); ok {
		return fp.PutFile(ctx, key, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := s.storage.Put(ctx, key, f); err != nil {
		return err
	}
	return os.Remove(path)
}

// probeObject probes a stored object, reading at offsets.
func probeObject(obj Object) (mediacheck.Info, error) {
	size, err := obj.Seek(0, io.SeekEnd)
	if err != nil {
		return mediacheck.Info{}, err
	}
	return mediacheck.Probe(readerAt(obj), size)
}

// readerAt reads an object at offsets: directly when it can, else by
// seeking (callers hold the object alone).
func readerAt(obj Object) io.ReaderAt {
	if ra, ok := obj.(io.ReaderAt); ok {
		return ra
	}
	return &seekReaderAt{obj: obj}
}

type seekReaderAt struct {
	mu  sync.Mutex
	obj Object
}

func (s *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.obj.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(s.obj, p)
}

// Import stores a file that arrives in one piece (the demo's media, a link
// preview's image): at most max bytes are read, then it is probed and
// checked like an upload.
func (s *Service) Import(ctx context.Context, programID, userID string, kind mediacheck.Kind, filename, source, sourceURL string, r io.Reader, max int64) (store.Media, error) {
	tmp, err := os.CreateTemp(s.staging, "import-*.part")
	if err != nil {
		return store.Media{}, err
	}
	path := tmp.Name()
	defer os.Remove(path)
	h := sha256.New()
	n, err := copyBuffered(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return store.Media{}, fmt.Errorf("import media: %w", err)
	}
	if n > max {
		return store.Media{}, Refused([]mediacheck.Problem{{Code: mediacheck.CodeTooLarge,
			Message: fmt.Sprintf("file is more than %s; at most %s is accepted", sizeText(max), sizeText(max))}})
	}
	info, err := mediacheck.ProbeFile(path)
	var ps []mediacheck.Problem
	if err != nil {
		ps = []mediacheck.Problem{mediacheck.ProbeProblem(kind, err)}
	} else {
		ps = mediacheck.Check(kind, info, s.limits)
	}
	if len(ps) > 0 {
		return store.Media{}, Refused(ps)
	}
	id := domain.NewID("med")
	key := objectKey(programID, id)
	poster := !isImage(info.Container) && s.storePoster(ctx, key, path, info.DurationMS)
	if err := s.put(ctx, key, path); err != nil {
		if poster {
			_ = s.storage.Delete(context.WithoutCancel(ctx), thumbKey(key))
		}
		return store.Media{}, err
	}
	filename = cleanName(filename)
	if filename == "" {
		filename = id + extFor(info.Container)
	}
	m := mediaRow(id, programID, string(kind), filename, key, info, source, sourceURL, userID, s.now())
	m.SHA256, m.Poster = hex.EncodeToString(h.Sum(nil)), poster
	if err := s.st.CreateMedia(ctx, m); err != nil {
		_ = s.storage.Delete(context.WithoutCancel(ctx), key)
		_ = s.storage.Delete(context.WithoutCancel(ctx), thumbKey(key))
		return store.Media{}, err
	}
	return m, nil
}

func extFor(container string) string {
	switch container {
	case mediacheck.ContainerJPEG:
		return ".jpg"
	case "":
		return ""
	}
	return "." + container
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Media returns a program's media record.
func (s *Service) Media(ctx context.Context, programID, id string) (store.Media, error) {
	return s.st.Media(ctx, programID, id)
}

// Open returns a program's media and its bytes.
func (s *Service) Open(ctx context.Context, programID, id string) (store.Media, Object, error) {
	m, err := s.st.Media(ctx, programID, id)
	if err != nil {
		return m, nil, err
	}
	obj, err := s.storage.Open(ctx, m.StorageKey)
	if errors.Is(err, ErrNotFound) {
		s.log.Error("media bytes missing from storage", "media", id, "key", m.StorageKey)
		return m, nil, domain.Errorf(domain.CodeNotFound, "this media's file is missing from storage")
	}
	return m, obj, err
}

// File is stored media opened for reading at offsets (TikTok staging reads
// its video in chunks).
type File struct {
	io.ReaderAt
	obj         Object
	size        int64
	contentType string
}

// Size is the file's length in bytes.
func (f *File) Size() int64 { return f.size }

// ContentType is its MIME type.
func (f *File) ContentType() string { return f.contentType }

// Close closes it.
func (f *File) Close() error { return f.obj.Close() }

// OpenMedia opens a program's media for reading at offsets.
func (s *Service) OpenMedia(ctx context.Context, programID, mediaID string) (*File, error) {
	m, obj, err := s.Open(ctx, programID, mediaID)
	if err != nil {
		return nil, err
	}
	return &File{ReaderAt: readerAt(obj), obj: obj, size: m.SizeBytes, contentType: m.ContentType}, nil
}

// CheckForKind says whether media may serve an activity needing kind:
// media checked for that kind, or whose facts pass that kind's rules (a
// 10-second 720p MP4 uploaded for TikTok also suits WeChat). It returns
// the problems otherwise.
func (s *Service) CheckForKind(m store.Media, kind string) []mediacheck.Problem {
	if m.Kind == kind {
		return nil
	}
	info := mediacheck.Info{Container: m.Container, VideoCodec: m.VideoCodec, Width: m.Width, Height: m.Height,
		DurationMS: m.DurationMS, SizeBytes: m.SizeBytes}
	return mediacheck.Check(mediacheck.Kind(kind), info, s.limits)
}

// Delete removes media and its bytes (and thumbnail).
func (s *Service) Delete(ctx context.Context, m store.Media) error {
	if err := s.st.DeleteMedia(ctx, m.ProgramID, m.ID); err != nil {
		return err
	}
	return errors.Join(s.storage.Delete(ctx, m.StorageKey), s.storage.Delete(ctx, thumbKey(m.StorageKey)))
}

// Sweep removes uploads untouched for UploadTTL (their staged bytes and
// records) and staged files nobody records. It returns how many uploads
// it removed. Missing a sweep costs only disk space.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	before := s.now().Add(-s.ttl)
	removed := 0
	for {
		us, err := s.st.StaleUploads(ctx, before, 100)
		if err != nil {
			return removed, err
		}
		for _, u := range us {
			os.Remove(s.partPath(u.ID))
			os.Remove(s.hashPath(u.ID))
			if u.CompletedAt.IsZero() {
				// A complete that stored the file but never recorded it.
				if _, err := s.st.Media(ctx, u.ProgramID, u.MediaID); isNotFound(err) {
					_ = s.storage.Delete(ctx, objectKey(u.ProgramID, u.MediaID))
				}
			}
			if err := s.st.DeleteUpload(ctx, u.ID); err != nil {
				return removed, err
			}
			removed++
		}
		if len(us) < 100 {
			break
		}
	}
	entries, err := os.ReadDir(s.staging)
	if err != nil {
		return removed, err
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".part") && !strings.HasSuffix(name, ".sha") && !strings.HasSuffix(name, ".sha.tmp") {
			continue
		}
		fi, err := e.Info()
		if err != nil || fi.ModTime().After(before) {
			continue
		}
		if id := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, ".part"), ".tmp"), ".sha"); strings.HasPrefix(id, "upl_") {
			if ok, err := s.st.UploadExists(ctx, id); err != nil || ok {
				continue
			}
		}
		os.Remove(filepath.Join(s.staging, name))
	}
	return removed, nil
}

// SweepLoop sweeps now and then every interval until ctx ends.
func (s *Service) SweepLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("sweep uploads", "err", err)
		} else if n > 0 {
			s.log.Info("removed abandoned uploads", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func isNotFound(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.CodeNotFound
}

// copyBuffered copies with a pooled 256 KiB buffer (io.Copy into an
// *os.File would fall back to 32 KiB reads).
func copyBuffered(w io.Writer, r io.Reader) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	return io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{r}, *bp)
}
