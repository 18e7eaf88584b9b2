package tiktok

import (
	"errors"
	"testing"
)

func TestPlanChunks(t *testing.T) {
	const MiB, GiB = int64(1 << 20), int64(1 << 30)
	tests := []struct {
		name      string
		size      int64
		wantChunk int64
		wantCount int
		wantLast  int64 // length of the final chunk
	}{
		{"1 MB uploads whole", 1 * MiB, 1 * MiB, 1, 1 * MiB},
		{"5 MB uploads whole", 5 * MiB, 5 * MiB, 1, 5 * MiB},
		{"just under a chunk uploads whole", 10*MiB - 1, 10*MiB - 1, 1, 10*MiB - 1},
		{"between one and two chunks uploads whole", 15 * MiB, 15 * MiB, 1, 15 * MiB},
		{"50 MB, Chorus's TikTok maximum", 50 * MiB, 10 * MiB, 5, 10 * MiB},
		{"64 MB", 64 * MiB, 10 * MiB, 6, 14 * MiB},
		{"65 MB", 65 * MiB, 10 * MiB, 6, 15 * MiB},
		{"200 MB", 200 * MiB, 10 * MiB, 20, 10 * MiB},
		{"4 GB", 4 * GiB, 10 * MiB, 409, 4*GiB - 408*10*MiB},
		// Past 1000 default chunks the chunk grows instead.
		{"20 GB grows the chunk", 20 * GiB, (20*GiB + 999) / 1000, 999, 20*GiB - 998*((20*GiB+999)/1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanChunks(tt.size)
			if err != nil {
				t.Fatalf("PlanChunks(%d): %v", tt.size, err)
			}
			if p.ChunkSize != tt.wantChunk || p.TotalChunks != tt.wantCount {
				t.Fatalf("PlanChunks(%d) = %+v, want chunk %d × %d", tt.size, p, tt.wantChunk, tt.wantCount)
			}
			if err := p.Validate(tt.size); err != nil {
				t.Fatalf("own plan invalid: %v", err)
			}
			checkRanges(t, p, tt.size)
			rs := p.Ranges(tt.size)
			if got := rs[len(rs)-1].Len(); got != tt.wantLast {
				t.Errorf("final chunk is %d bytes, want %d", got, tt.wantLast)
			}
		})
	}
}

// checkRanges asserts the ranges tile [0, size) in order and obey every
// chunk restriction.
func checkRanges(t *testing.T, p ChunkPlan, size int64) {
	t.Helper()
	rs := p.Ranges(size)
	if len(rs) != p.TotalChunks || len(rs) < 1 || len(rs) > MaxChunks {
		t.Fatalf("%d ranges for plan %+v", len(rs), p)
	}
	var next int64
	for i, r := range rs {
		if r.First != next {
			t.Fatalf("range %d starts at %d, want %d", i, r.First, next)
		}
		next = r.Last + 1
		last := i == len(rs)-1
		switch {
		case len(rs) == 1:
			if r.Len() != size || size > MaxChunkSize {
				t.Fatalf("whole upload of %d bytes as %d", size, r.Len())
			}
		case !last && r.Len() != p.ChunkSize:
			t.Fatalf("range %d is %d bytes, want chunk size %d", i, r.Len(), p.ChunkSize)
		case r.Len() < MinChunkSize:
			t.Fatalf("range %d is %d bytes, under the 5 MB minimum", i, r.Len())
		case last && r.Len() > MaxFinalChunkSize:
			t.Fatalf("final range is %d bytes, over 128 MB", r.Len())
		}
	}
	if next != size {
		t.Fatalf("ranges end at %d, want %d", next, size)
	}
}

func TestPlanChunksErrors(t *testing.T) {
	for _, size := range []int64{0, -1, 1000*MaxChunkSize + MaxChunkSize + 1} {
		if p, err := PlanChunks(size); !errors.Is(err, ErrInvalidPlan) {
			t.Errorf("PlanChunks(%d) = %+v, %v; want ErrInvalidPlan", size, p, err)
		}
	}
	for _, chunk := range []int64{MinChunkSize - 1, MaxChunkSize + 1} {
		if _, err := PlanChunksWithSize(100<<20, chunk); !errors.Is(err, ErrInvalidPlan) {
			t.Errorf("PlanChunksWithSize(100 MiB, %d) = %v; want ErrInvalidPlan", chunk, err)
		}
	}
}

func TestPlanChunksWithSizeOver64MBNeverWhole(t *testing.T) {
	// 100 MB with a 64 MB chunk would be floor = 1 chunk, but files over
	// 64 MB must go in several.
	p, err := PlanChunksWithSize(100_000_000, MaxChunkSize)
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalChunks < 2 {
		t.Fatalf("plan %+v uploads 100 MB in one chunk", p)
	}
	checkRanges(t, p, 100_000_000)
}

func TestValidateRejects(t *testing.T) {
	const MiB = int64(1 << 20)
	tests := []struct {
		name string
		size int64
		p    ChunkPlan
	}{
		{"count not floor(size/chunk)", 35 * MiB, ChunkPlan{10 * MiB, 4}},
		{"chunk under 5 MB", 12 * MiB, ChunkPlan{4 * MiB, 3}},
		{"chunk over 64 MB", 200 * MiB, ChunkPlan{65 * MiB, 3}},
		{"whole upload over 64 MB", 65_000_000, ChunkPlan{65_000_000, 1}},
		{"single chunk smaller than the file", 3 * MiB, ChunkPlan{1 * MiB, 1}},
		{"more than 1000 chunks", 6000 * MiB, ChunkPlan{5 * MiB, 1200}},
		{"final chunk over 128 MB", 64_000_000 + 65_000_000, ChunkPlan{64_000_000, 1}},
		{"zero plan", 10 * MiB, ChunkPlan{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Validate(tt.size); !errors.Is(err, ErrInvalidPlan) {
				t.Fatalf("Validate(%d) of %+v = %v, want ErrInvalidPlan", tt.size, tt.p, err)
			}
			if rs := tt.p.Ranges(tt.size); rs != nil {
				t.Fatalf("Ranges of an invalid plan = %v", rs)
			}
		})
	}
}

func TestRangeContentRange(t *testing.T) {
	// The media transfer guide's example: 50,000,123 bytes in 10,000,000-byte
	// chunks, the trailing 123 bytes merged into the fifth.
	p := ChunkPlan{ChunkSize: 10_000_000, TotalChunks: 5}
	rs := p.Ranges(50_000_123)
	want := []string{
		"bytes 0-9999999/50000123",
		"bytes 10000000-19999999/50000123",
		"bytes 20000000-29999999/50000123",
		"bytes 30000000-39999999/50000123",
		"bytes 40000000-50000122/50000123",
	}
	if len(rs) != len(want) {
		t.Fatalf("got %d ranges", len(rs))
	}
	for i, r := range rs {
		if got := r.ContentRange(50_000_123); got != want[i] {
			t.Errorf("chunk %d: %q, want %q", i+1, got, want[i])
		}
	}
	if rs[4].Len() != 10_000_123 {
		t.Errorf("last chunk %d bytes", rs[4].Len())
	}
}

func TestNext(t *testing.T) {
	p := ChunkPlan{ChunkSize: 10_000_000, TotalChunks: 5}
	const size = 50_000_123
	if r, ok := p.Next(size, 0); !ok || r.First != 0 {
		t.Errorf("Next(0) = %v, %v", r, ok)
	}
	if r, ok := p.Next(size, 40_000_000); !ok || r.Last != size-1 {
		t.Errorf("Next(40e6) = %v, %v", r, ok)
	}
	for _, at := range []int64{size, 123, -1} {
		if r, ok := p.Next(size, at); ok {
			t.Errorf("Next(%d) = %v, want none", at, r)
		}
	}
}
