package mediacheck

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// probeCase holds what ffprobe reported when testdata/make.sh made the file
// (make.sh prints it again). ffprobe is never run here: CI machines pass with
// the committed files alone.
type probeCase struct {
	file  string
	want  Info // SizeBytes is taken from the file itself
	tolMS int64
}

var probeCases = []probeCase{
	// ffprobe: h264 96x54, format duration 15.000000; moov after mdat.
	{file: "mp4_h264_moovend_15s.mp4", want: Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 15000}},
	// ffprobe: h264 + aac, format 15.500000. The AAC track's mdhd says
	// 15.628 s (priming and padding); its edit list trims it to 15.5 s.
	{file: "mp4_h264_faststart_15_5s.mp4", want: Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 15500}},
	{file: "mp4_h264_2_9s.mp4", want: Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 2900}},
	{file: "mp4_h264_3s.mp4", want: Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 3000}},
	// ffprobe: format mov (brand "qt  "), 4.000000.
	{file: "mov_h264.mov", want: Info{Container: "mov", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 4000}},
	// ffprobe: video 2.000000, audio 4.000000, format 4.000000: the longest track wins.
	{file: "mp4_audio_longer.mp4", want: Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 4000}},
	{file: "mp4_portrait_540x960.mp4", want: Info{Container: "mp4", VideoCodec: "h264", Width: 540, Height: 960, DurationMS: 3000}},
	{file: "mp4_portrait_480x854.mp4", want: Info{Container: "mp4", VideoCodec: "h264", Width: 480, Height: 854, DurationMS: 3000}},
	// ffprobe: 960x540 with rotation=90 side data; we report it as shown.
	{file: "mp4_rotated_90.mp4", want: Info{Container: "mp4", VideoCodec: "h264", Width: 540, Height: 960, DurationMS: 3000}},
	{file: "mp4_hevc.mp4", want: Info{Container: "mp4", VideoCodec: "hevc", Width: 96, Height: 54, DurationMS: 2000}},
	{file: "mp4_av1.mp4", want: Info{Container: "mp4", VideoCodec: "av1", Width: 64, Height: 64, DurationMS: 1000}},
	{file: "mp4_mpeg4.mp4", want: Info{Container: "mp4", VideoCodec: "mpeg4", Width: 96, Height: 54, DurationMS: 2000}},
	// ffprobe: 4.000000. mvhd says 0: the duration comes from the moof boxes.
	{file: "mp4_fragmented.mp4", want: Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 4000}},
	// ffprobe: format 4.008000 (Segment Info Duration).
	{file: "webm_vp8.webm", want: Info{Container: "webm", VideoCodec: "vp8", Width: 96, Height: 54, DurationMS: 4008}},
	{file: "webm_vp9.webm", want: Info{Container: "webm", VideoCodec: "vp9", Width: 96, Height: 54, DurationMS: 3508}},
	// ffprobe: format duration N/A; its packets end at 5.020 s (opus) and
	// 5.007 s (vp9). Without a header duration the last block's length is
	// estimated, so allow one audio frame either way.
	{file: "webm_vp9_live.webm", want: Info{Container: "webm", VideoCodec: "vp9", Width: 96, Height: 54, DurationMS: 5020}, tolMS: 20},
	// ffprobe: format N/A, packets end at 3.000 s.
	{file: "webm_vp8_live.webm", want: Info{Container: "webm", VideoCodec: "vp8", Width: 96, Height: 54, DurationMS: 3000}, tolMS: 20},
	// ffprobe: format matroska, 3.128000.
	{file: "mkv_h264.mkv", want: Info{Container: "mkv", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 3128}},
	{file: "image.jpg", want: Info{Container: "jpeg", Width: 64, Height: 48}},
	{file: "image.png", want: Info{Container: "png", Width: 64, Height: 48}},
	{file: "image.gif", want: Info{Container: "gif", Width: 64, Height: 48}},
	{file: "image_lossy.webp", want: Info{Container: "webp", Width: 64, Height: 48}},
	{file: "image_lossless.webp", want: Info{Container: "webp", Width: 64, Height: 48}},
	// ffprobe cannot read animated WebP (0x0); make.sh drew it at 64x48.
	{file: "image_animated.webp", want: Info{Container: "webp", Width: 64, Height: 48}},
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func probeBytes(b []byte) (Info, error) {
	return Probe(bytes.NewReader(b), int64(len(b)))
}

func checkInfo(t *testing.T, got, want Info, tolMS int64) {
	t.Helper()
	d := got.DurationMS - want.DurationMS
	if got.Container != want.Container || got.VideoCodec != want.VideoCodec ||
		got.Width != want.Width || got.Height != want.Height ||
		d < -tolMS || d > tolMS || got.SizeBytes != want.SizeBytes {
		t.Errorf("got  %+v\nwant %+v (duration ±%d ms)", got, want, tolMS)
	}
}

func TestProbeFiles(t *testing.T) {
	for _, c := range probeCases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata", c.file)
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			want.SizeBytes = st.Size()
			got, err := ProbeFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkInfo(t, got, want, c.tolMS)
		})
	}
}

// Every media file in testdata must have a row above, so a file added to
// make.sh cannot go untested.
func TestProbeCasesCoverTestdata(t *testing.T) {
	known := map[string]bool{"make.sh": true, "text_renamed.mp4": true}
	for _, c := range probeCases {
		known[c.file] = true
	}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() && !known[e.Name()] {
			t.Errorf("testdata/%s has no row in probeCases", e.Name())
		}
	}
}

func TestProbeTruncated(t *testing.T) {
	for _, c := range probeCases {
		b := readTestdata(t, c.file)
		n := len(b)
		for _, cut := range []int{0, 1, 3, 7, 8, 12, 16, 31, 40, 100, n / 4, n / 2, 3 * n / 4, n - 100, n - 2, n - 1} {
			if cut < 0 || cut >= n {
				continue
			}
			_, err := probeBytes(b[:cut])
			if !errors.Is(err, ErrUnreadable) {
				t.Errorf("%s cut to %d of %d bytes: err = %v, want ErrUnreadable", c.file, cut, n, err)
			}
		}
	}
}

func TestProbeNotMedia(t *testing.T) {
	_, err := ProbeFile(filepath.Join("testdata", "text_renamed.mp4"))
	if !errors.Is(err, ErrUnsupportedFormat) || !errors.Is(err, ErrUnreadable) {
		t.Errorf("text file: err = %v, want ErrUnsupportedFormat wrapping ErrUnreadable", err)
	}
	_, err = ProbeFile(filepath.Join(t.TempDir(), "missing.mp4"))
	if !errors.Is(err, ErrUnreadable) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v, want ErrUnreadable and fs.ErrNotExist", err)
	}
	if _, err := ProbeFile(t.TempDir()); !errors.Is(err, ErrUnreadable) {
		t.Errorf("directory: err = %v, want ErrUnreadable", err)
	}
	for name, b := range map[string][]byte{
		"empty":       {},
		"heic":        []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"),
		"pdf":         []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
		"odd docType": ebmlHeader("foo"),
	} {
		if _, err := probeBytes(b); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: err = %v, want ErrUnreadable", name, err)
		}
	}
	if _, err := probeBytes([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")); !errors.Is(err, ErrUnsupportedFormat) {
		t.Errorf("heic: err = %v, want ErrUnsupportedFormat", err)
	}
}

// --- building variants of real files --------------------------------------

type bmffBox struct {
	typ        string
	off, hdr   int
	size       int
	payloadOff int
}

// topBoxes lists a (32-bit sized) MP4's top-level boxes.
func topBoxes(t testing.TB, b []byte) []bmffBox {
	t.Helper()
	var out []bmffBox
	for off := 0; off < len(b); {
		size := int(binary.BigEndian.Uint32(b[off:]))
		if size < 8 {
			t.Fatalf("unexpected box size %d at %d", size, off)
		}
		out = append(out, bmffBox{typ: string(b[off+4 : off+8]), off: off, hdr: 8, size: size, payloadOff: off + 8})
		off += size
	}
	return out
}

func findBox(t testing.TB, boxes []bmffBox, typ string) bmffBox {
	t.Helper()
	for _, x := range boxes {
		if x.typ == typ {
			return x
		}
	}
	t.Fatalf("no %s box", typ)
	return bmffBox{}
}

func largeHeader(typ string, size uint64) []byte {
	h := make([]byte, 16)
	binary.BigEndian.PutUint32(h, 1)
	copy(h[4:], typ)
	binary.BigEndian.PutUint64(h[8:], size)
	return h
}

func TestProbeLargeSizeBoxes(t *testing.T) {
	// ffmpeg leaves an 8-byte free box before mdat precisely so it can
	// become a 64-bit mdat header in place; do that.
	src := readTestdata(t, "mp4_h264_moovend_15s.mp4")
	boxes := topBoxes(t, src)
	free, mdat := findBox(t, boxes, "free"), findBox(t, boxes, "mdat")
	if free.off+8 != mdat.off {
		t.Fatal("free box does not precede mdat")
	}
	b := bytes.Clone(src)
	copy(b[free.off:], largeHeader("mdat", uint64(mdat.size+8)))
	got, err := probeBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	checkInfo(t, got, Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 15000, SizeBytes: int64(len(b))}, 0)

	// And a 64-bit moov header, at the start, followed by a mdat that runs
	// to the end of the file (size 0).
	src = readTestdata(t, "mp4_h264_faststart_15_5s.mp4")
	boxes = topBoxes(t, src)
	moov, mdat := findBox(t, boxes, "moov"), findBox(t, boxes, "mdat")
	var v []byte
	v = append(v, src[:moov.off]...)
	v = append(v, largeHeader("moov", uint64(moov.size+8))...)
	v = append(v, src[moov.payloadOff:moov.off+moov.size]...)
	v = append(v, 0, 0, 0, 0, 'm', 'd', 'a', 't')
	v = append(v, src[mdat.payloadOff:]...)
	got, err = probeBytes(v)
	if err != nil {
		t.Fatal(err)
	}
	checkInfo(t, got, Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 15500, SizeBytes: int64(len(v))}, 0)
}

// countingReaderAt records how many bytes Probe asked for.
type countingReaderAt struct {
	f     *os.File
	bytes atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.bytes.Add(int64(len(p)))
	return c.f.ReadAt(p, off)
}

const hugeMdat = 4*1024*1024*1024 + 512*1024*1024 // 4.5 GiB

// sparseMP4 writes a real MP4 whose mdat is declared (with a 64-bit size) to
// be 4.5 GiB; the file is sparse, so it costs no disk. With moovFirst the
// moov precedes the mdat, otherwise it follows it.
func sparseMP4(t testing.TB, moovFirst bool) string {
	t.Helper()
	src := readTestdata(t, "mp4_h264_faststart_15_5s.mp4")
	boxes := topBoxes(t, src)
	ftyp, moov := findBox(t, boxes, "ftyp"), findBox(t, boxes, "moov")
	path := filepath.Join(t.TempDir(), "huge.mp4")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	moovBytes := src[moov.off : moov.off+moov.size]
	head := append([]byte{}, src[ftyp.off:ftyp.off+ftyp.size]...)
	if moovFirst {
		head = append(head, moovBytes...)
	}
	head = append(head, largeHeader("mdat", hugeMdat)...)
	if _, err := f.Write(head); err != nil {
		t.Fatal(err)
	}
	end := int64(len(head)) - 16 + hugeMdat
	if moovFirst {
		err = f.Truncate(end)
	} else {
		_, err = f.WriteAt(moovBytes, end)
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// sparseWebM appends a 4.5 GiB Void element to a live WebM (one without a
// header duration), so Probe must skip it by size while scanning clusters.
func sparseWebM(t testing.TB) string {
	t.Helper()
	src := readTestdata(t, "webm_vp9_live.webm")
	path := filepath.Join(t.TempDir(), "huge.webm")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	void := []byte{0xEC, 0x01, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint64(void[1:], hugeMdat)
	void[1] = 0x01 // 8-byte size marker; the value fits in the remaining 7 bytes
	if _, err := f.Write(append(bytes.Clone(src), void...)); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(int64(len(src)+len(void)) + hugeMdat); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestProbeSparseHugeFiles(t *testing.T) {
	for _, c := range []struct {
		name string
		path func(testing.TB) string
		want Info
	}{
		{"mp4 moov first", func(t testing.TB) string { return sparseMP4(t, true) },
			Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 15500}},
		{"mp4 moov last", func(t testing.TB) string { return sparseMP4(t, false) },
			Info{Container: "mp4", VideoCodec: "h264", Width: 96, Height: 54, DurationMS: 15500}},
		{"webm without duration", sparseWebM,
			Info{Container: "webm", VideoCodec: "vp9", Width: 96, Height: 54, DurationMS: 5020}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := c.path(t)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() < hugeMdat {
				t.Fatalf("file is only %d bytes", st.Size())
			}
			r := &countingReaderAt{f: f}
			got, err := Probe(r, st.Size())
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			want.SizeBytes = st.Size()
			checkInfo(t, got, want, 20)
			t.Logf("read %d bytes", r.bytes.Load())
			if n := r.bytes.Load(); n > 64<<10 {
				t.Errorf("read %d bytes of a %d-byte file; headers only should need far less", n, st.Size())
			}
		})
	}
}

// unknownSizeClusters rewrites a WebM so every Cluster has the "unknown"
// size, as browsers' MediaRecorder writes them.
func unknownSizeClusters(t testing.TB, b []byte) []byte {
	t.Helper()
	readVint := func(off int) (int, uint64) {
		n := 1
		for m := byte(0x80); b[off]&m == 0; m >>= 1 {
			n++
		}
		v := uint64(b[off]) & uint64(0xFF>>n)
		for _, c := range b[off+1 : off+n] {
			v = v<<8 | uint64(c)
		}
		return n, v
	}
	idLen := func(off int) int { n, _ := readVint(off); return n }
	// EBML header, then the Segment header (already unknown-size in a live file).
	n := idLen(0)
	sn, size := readVint(n)
	off := n + sn + int(size)
	segID := idLen(off)
	segSN, _ := readVint(off + segID)
	out := bytes.Clone(b[:off+segID+segSN])
	for off += segID + segSN; off < len(b); {
		idn := idLen(off)
		sn, size := readVint(off + idn)
		id := b[off : off+idn]
		payload := b[off+idn+sn : off+idn+sn+int(size)]
		if bytes.Equal(id, []byte{0x1F, 0x43, 0xB6, 0x75}) {
			out = append(out, id...)
			out = append(out, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
		} else {
			out = append(out, b[off:off+idn+sn]...)
		}
		out = append(out, payload...)
		off += idn + sn + int(size)
	}
	return out
}

func TestProbeUnknownSizeClusters(t *testing.T) {
	b := unknownSizeClusters(t, readTestdata(t, "webm_vp9_live.webm"))
	if bytes.Equal(b, readTestdata(t, "webm_vp9_live.webm")) {
		t.Fatal("rewrite changed nothing")
	}
	got, err := probeBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	checkInfo(t, got, Info{Container: "webm", VideoCodec: "vp9", Width: 96, Height: 54, DurationMS: 5020, SizeBytes: int64(len(b))}, 20)
	for _, cut := range []int{len(b) / 2, len(b) - 1} {
		if _, err := probeBytes(b[:cut]); !errors.Is(err, ErrUnreadable) {
			t.Errorf("cut to %d: err = %v, want ErrUnreadable", cut, err)
		}
	}
}

func ebmlHeader(docType string) []byte {
	b := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x80 | byte(3+len(docType)), 0x42, 0x82, 0x80 | byte(len(docType))}
	return append(b, docType...)
}

// Hand-made hostile inputs for the limits the fuzzer might take long to hit.
func TestProbeHostile(t *testing.T) {
	box := func(typ string, payload ...[]byte) []byte {
		b := make([]byte, 8)
		copy(b[4:], typ)
		for _, p := range payload {
			b = append(b, p...)
		}
		binary.BigEndian.PutUint32(b, uint32(len(b)))
		return b
	}
	ftyp := box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2"))
	manyBoxes := bytes.Repeat(box("free"), maxBoxes+10)
	cases := map[string][]byte{
		"moov claims 2^62 bytes": append(bytes.Clone(ftyp), largeHeader("moov", 1<<62)...),
		"box size 4":             append(bytes.Clone(ftyp), 0, 0, 0, 4, 'f', 'r', 'e', 'e'),
		"largesize below 16":     append(bytes.Clone(ftyp), largeHeader("free", 9)...),
		"no moov":                append(bytes.Clone(ftyp), box("mdat", make([]byte, 100))...),
		"moov without tracks":    append(bytes.Clone(ftyp), box("moov", box("mvhd", make([]byte, 100)))...),
		"child past parent":      append(bytes.Clone(ftyp), box("moov", []byte{0, 0, 1, 0, 't', 'r', 'a', 'k'})...),
		"too many boxes":         append(bytes.Clone(ftyp), manyBoxes...),
		"jpeg fill forever":      append([]byte{0xFF, 0xD8}, bytes.Repeat([]byte{0xFF}, 100_000)...),
		"jpeg without SOF":       {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x00, 0xFF, 0xD9},
		"png without IHDR":       append(bytes.Clone(pngSignature), make([]byte, 30)...),
		"webp riff too big":      []byte("RIFF\xff\xff\xff\x7fWEBPVP8 \x00\x00\x00\x00"),
		"ebml unknown-size info": append(ebmlHeader("webm"), 0x18, 0x53, 0x80, 0x67, 0xFF, 0x15, 0x49, 0xA9, 0x66, 0xFF),
		"ebml bad id":            append(ebmlHeader("webm"), 0x00, 0x00, 0x00),
		"ebml no segment":        ebmlHeader("webm"),
	}
	for name, b := range cases {
		info, err := probeBytes(b)
		if !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: got %+v, err = %v; want ErrUnreadable", name, info, err)
		}
	}
}
