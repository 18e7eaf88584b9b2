package media

import (
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// An upload's SHA-256 is computed as its chunks arrive, so completing a
// 4 GB video does not read it again. The digest's state is saved beside
// the staged bytes (upl_x.sha) at each point where the offset is recorded:
// 8 bytes of offset, then the digest's binary state. A state that is
// missing, unreadable or ahead of the bytes on disk (a crash) is rebuilt
// by hashing the staged bytes once.

func (s *Service) hashPath(uploadID string) string {
	return filepath.Join(s.staging, uploadID+".sha")
}

// loadHash returns the saved digest of upload id and the offset it
// covers; a fresh digest at 0 when none can be used.
func (s *Service) loadHash(uploadID string) (hash.Hash, int64) {
	h := sha256.New()
	b, err := os.ReadFile(s.hashPath(uploadID))
	if err != nil || len(b) < 8 {
		return h, 0
	}
	at := int64(binary.BigEndian.Uint64(b[:8]))
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(b[8:]); err != nil || at < 0 {
		return sha256.New(), 0
	}
	return h, at
}

// saveHash records h as covering the upload's first at bytes. A failure
// only costs a re-read later.
func (s *Service) saveHash(uploadID string, h hash.Hash, at int64) {
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return
	}
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(state)), uint64(at))
	b = append(b, state...)
	p := s.hashPath(uploadID)
	if err := os.WriteFile(p+".tmp", b, 0o600); err != nil {
		os.Remove(p + ".tmp")
		return
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		os.Remove(p + ".tmp")
	}
}

// hashUpTo returns the digest of upload id's staged bytes up to offset
// cur: the saved state, caught up by reading only the bytes it does not
// cover (none in the usual case).
func (s *Service) hashUpTo(uploadID string, cur int64) (hash.Hash, error) {
	h, at := s.loadHash(uploadID)
	if at > cur {
		h, at = sha256.New(), 0
	}
	if at == cur {
		return h, nil
	}
	f, err := os.Open(s.partPath(uploadID))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := copyBuffered(h, io.NewSectionReader(f, at, cur-at))
	if err != nil {
		return nil, err
	}
	if n != cur-at {
		return nil, fmt.Errorf("hash upload %s: %d of %d bytes on disk", uploadID, at+n, cur)
	}
	return h, nil
}

// hashObject hashes a stored object whole (media stored before hashes
// were recorded, or a complete that stopped after storing the file).
func hashObject(obj Object) (string, error) {
	if _, err := obj.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := copyBuffered(h, obj); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HashingReader hashes what http.ServeContent reads when it sends a whole
// object from its start (a GET without Range): sum says whether every byte
// went through, in order.
type HashingReader struct {
	Object
	h      hash.Hash
	pos    int64
	broken bool
}

// NewHashingReader wraps obj so the bytes read from its start are hashed.
func NewHashingReader(obj Object) *HashingReader {
	return &HashingReader{Object: obj, h: sha256.New()}
}

func (r *HashingReader) Read(p []byte) (int, error) {
	n, err := r.Object.Read(p)
	if n > 0 && !r.broken {
		r.h.Write(p[:n])
	}
	r.pos += int64(n)
	return n, err
}

func (r *HashingReader) Seek(off int64, whence int) (int64, error) {
	pos, err := r.Object.Seek(off, whence)
	if err != nil {
		r.broken = true
		return pos, err
	}
	switch {
	case pos == 0:
		r.h.Reset()
		r.broken = false
	case pos != r.pos:
		r.broken = true // a seek away from what was hashed (a Range, or the size asked)
	}
	r.pos = pos
	return pos, nil
}

// Sum is the hex SHA-256 of the object if exactly its size bytes were read
// in order from its start.
func (r *HashingReader) Sum(size int64) (string, bool) {
	if r.broken || r.pos != size {
		return "", false
	}
	return hex.EncodeToString(r.h.Sum(nil)), true
}

// RecordSHA256 records the SHA-256 of media stored before hashes were
// computed on arrival, once its bytes were read whole (served).
func (s *Service) RecordSHA256(ctx context.Context, m store.Media, sum string) error {
	if m.SHA256 != "" {
		return nil
	}
	return s.st.SetMediaSHA256(ctx, m.ProgramID, m.ID, sum)
}
