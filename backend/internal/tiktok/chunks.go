package tiktok

import (
	"errors"
	"fmt"
)

// Chunk rules from [media-transfer] ("Chunk restrictions"). "MB" is read so
// that every size we produce is valid whether TikTok means 10^6 or 2^20 bytes;
// see the package documentation.
const (
	mib = 1 << 20

	// MinChunkSize: "Each chunk must be at least 5 MB" (5 MiB ≥ 5,000,000).
	MinChunkSize int64 = 5 * mib
	// MaxChunkSize: "but no greater than 64 MB" (64,000,000 ≤ 64 MiB).
	MaxChunkSize int64 = 64_000_000
	// MaxFinalChunkSize: "except for the final chunk, which can be greater
	// than chunk_size (up to 128 MB) to accommodate any trailing bytes".
	MaxFinalChunkSize int64 = 128_000_000
	// MaxChunks: "a minimum of 1 chunk and a maximum of 1000 chunks".
	MaxChunks = 1000

	// DefaultChunkSize keeps a failed chunk cheap to resend on a phone-grade
	// uplink while our 50 MiB TikTok videos still need at most 5 requests.
	DefaultChunkSize int64 = 10 * mib
)

// ErrInvalidPlan is wrapped by every chunk-plan error. It is final: no retry
// of the same plan can succeed.
var ErrInvalidPlan = errors.New("tiktok: invalid chunk plan")

// ChunkPlan is what the init request declares as chunk_size and
// total_chunk_count.
type ChunkPlan struct {
	ChunkSize   int64
	TotalChunks int
}

// Range is one chunk's inclusive byte range, as Content-Range writes it.
type Range struct {
	First, Last int64
}

// Len is the chunk's byte count (its Content-Length).
func (r Range) Len() int64 { return r.Last - r.First + 1 }

// ContentRange is the header value [media-transfer] prescribes:
// "bytes {FIRST_BYTE}-{LAST_BYTE}/{TOTAL_BYTE_LENGTH}".
func (r Range) ContentRange(total int64) string {
	return fmt.Sprintf("bytes %d-%d/%d", r.First, r.Last, total)
}

// PlanChunks picks a chunk plan for a video of size bytes that satisfies
// TikTok's chunk restrictions, using DefaultChunkSize unless that would need
// more than MaxChunks chunks.
//
// It does not enforce TikTok's 4 GB video cap or Chorus's 50 MiB TikTok limit:
// those are media rules checked before a video is accepted. It fails only when
// no plan exists (more than 1000 × 64 MB), or for an empty file.
func PlanChunks(size int64) (ChunkPlan, error) {
	chunk := DefaultChunkSize
	if size > chunk*MaxChunks {
		// Smallest chunk that keeps floor(size/chunk) ≤ 1000.
		chunk = (size + MaxChunks - 1) / MaxChunks
		if chunk > MaxChunkSize {
			return ChunkPlan{}, fmt.Errorf("%w: a video of %d bytes needs more than %d chunks of %d bytes", ErrInvalidPlan, size, MaxChunks, MaxChunkSize)
		}
	}
	return PlanChunksWithSize(size, chunk)
}

// PlanChunksWithSize is PlanChunks with an explicit chunk size, for callers
// (and tests) that want smaller or larger requests than the default.
func PlanChunksWithSize(size, chunkSize int64) (ChunkPlan, error) {
	if size <= 0 {
		return ChunkPlan{}, fmt.Errorf("%w: video size %d must be positive", ErrInvalidPlan, size)
	}
	if chunkSize < MinChunkSize || chunkSize > MaxChunkSize {
		return ChunkPlan{}, fmt.Errorf("%w: chunk size %d outside [%d, %d]", ErrInvalidPlan, chunkSize, MinChunkSize, MaxChunkSize)
	}
	// "Videos with a total size less than 5 MB must be uploaded as a whole,
	// with chunk_size equal to the entire video's byte size." We extend this
	// to anything up to one chunk, where floor(size/chunk) would be 0.
	if size <= chunkSize {
		return ChunkPlan{ChunkSize: size, TotalChunks: 1}, nil
	}
	total := size / chunkSize
	if total == 1 {
		// One chunk with trailing bytes is legal, but declaring chunk_size as
		// the whole file says the same thing without leaning on the "final
		// chunk may be larger" clause. Above 64 MB a whole upload is not
		// allowed, so split in two instead.
		if size <= MaxChunkSize {
			return ChunkPlan{ChunkSize: size, TotalChunks: 1}, nil
		}
		chunkSize, total = size/2, 2
	}
	p := ChunkPlan{ChunkSize: chunkSize, TotalChunks: int(total)}
	return p, p.Validate(size)
}

// Validate reports whether p is a plan TikTok accepts for a video of size
// bytes. InitInboxUpload calls it so a bad plan never costs an init request
// (6 per minute) or a pending share.
func (p ChunkPlan) Validate(size int64) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidPlan}, args...)...)
	}
	switch {
	case size <= 0:
		return bad("video size %d must be positive", size)
	case p.ChunkSize <= 0 || p.TotalChunks < 1:
		return bad("chunk size %d and count %d must be positive", p.ChunkSize, p.TotalChunks)
	case p.TotalChunks > MaxChunks:
		return bad("%d chunks exceed TikTok's maximum of %d", p.TotalChunks, MaxChunks)
	}
	if p.TotalChunks == 1 && p.ChunkSize == size {
		// Whole-file upload, the only way a chunk may be under 5 MB; but
		// "videos with a total size greater than 64 MB must be uploaded in
		// multiple chunks".
		if size > MaxChunkSize {
			return bad("video of %d bytes exceeds %d and must be uploaded in several chunks", size, MaxChunkSize)
		}
		return nil
	}
	if int64(p.TotalChunks) != size/p.ChunkSize {
		// "total_chunk_count should be equal to video_size divided by
		// chunk_size, rounded down to the nearest integer."
		return bad("total_chunk_count %d != floor(%d / %d)", p.TotalChunks, size, p.ChunkSize)
	}
	if p.ChunkSize < MinChunkSize || p.ChunkSize > MaxChunkSize {
		return bad("chunk size %d outside [%d, %d]", p.ChunkSize, MinChunkSize, MaxChunkSize)
	}
	if p.TotalChunks == 1 && size > MaxChunkSize {
		return bad("video of %d bytes exceeds %d and must be uploaded in several chunks", size, MaxChunkSize)
	}
	if last := size - int64(p.TotalChunks-1)*p.ChunkSize; last > MaxFinalChunkSize {
		return bad("final chunk of %d bytes exceeds %d", last, MaxFinalChunkSize)
	}
	return nil
}

// Ranges lists the byte range of each chunk, in the order they must be sent
// ("File chunks must be uploaded sequentially"). The trailing bytes belong to
// the last chunk. It returns nil if p is not valid for size.
func (p ChunkPlan) Ranges(size int64) []Range {
	if p.Validate(size) != nil {
		return nil
	}
	rs := make([]Range, p.TotalChunks)
	for i := range rs {
		first := int64(i) * p.ChunkSize
		last := first + p.ChunkSize - 1
		if i == len(rs)-1 {
			last = size - 1
		}
		rs[i] = Range{First: first, Last: last}
	}
	return rs
}

// Next returns the chunk that starts at byte uploaded, which is where a
// resumed upload continues (uploaded comes from Status.UploadedBytes). ok is
// false when uploaded is the whole video or not a chunk boundary.
func (p ChunkPlan) Next(size, uploaded int64) (r Range, ok bool) {
	for _, r := range p.Ranges(size) {
		if r.First == uploaded {
			return r, true
		}
	}
	return Range{}, false
}
