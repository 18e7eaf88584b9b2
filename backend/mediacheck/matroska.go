package mediacheck

import (
	"math"
	"strings"
)

// A small EBML reader for WebM and Matroska headers. github.com/at-wat/ebml-go
// cannot serve here: it reads a stream front to back and decodes every
// element it meets, allocating each block's payload by its declared size,
// so it would read a 4 GB file whole. Here elements are skipped by size
// through the source, and only EBML header, Info and Tracks are decoded.
// Cluster headers are walked only when Info has no Duration (live
// recordings: browsers' MediaRecorder, ffmpeg writing to a pipe).

var ebmlMagic = []byte{0x1A, 0x45, 0xDF, 0xA3}

const (
	idEBML            = 0x1A45DFA3
	idDocType         = 0x4282
	idSegment         = 0x18538067
	idSeekHead        = 0x114D9B74
	idInfo            = 0x1549A966
	idTimecodeScale   = 0x2AD7B1
	idDuration        = 0x4489
	idTracks          = 0x1654AE6B
	idTrackEntry      = 0xAE
	idTrackNumber     = 0xD7
	idTrackType       = 0x83
	idCodecID         = 0x86
	idDefaultDuration = 0x23E383
	idVideo           = 0xE0
	idPixelWidth      = 0xB0
	idPixelHeight     = 0xBA
	idCluster         = 0x1F43B675
	idTimecode        = 0xE7
	idSilentTracks    = 0x5854
	idPosition        = 0xA7
	idPrevSize        = 0xAB
	idSimpleBlock     = 0xA3
	idBlockGroup      = 0xA0
	idEncryptedBlock  = 0xAF
	idBlock           = 0xA1
	idBlockDuration   = 0x9B
	idCues            = 0x1C53BB6B
	idTags            = 0x1254C367
	idChapters        = 0x1043A770
	idAttachments     = 0x1941A469
	idVoid            = 0xEC
	idCRC32           = 0xBF
)

// maxElements bounds the elements one probe may visit (see maxBoxes).
const maxElements = 2_000_000

type element struct {
	id      uint32
	off     int64
	data    int64
	end     int64 // for unknown-size elements: the enclosing limit
	unknown bool  // size field was "unknown" (live streaming)
}

func (e element) size() int64 { return e.end - e.data }

type mkvTrack struct {
	number     uint64
	typ        uint64
	codec      string
	width      uint64
	height     uint64
	defaultDur uint64 // ns
}

// trackTimes gathers, per track, what the cluster walk learnt: the latest
// block start, any block whose duration was stated, and the shortest gap
// between two starts (a fair guess at a frame's length when nothing says).
type trackTimes struct {
	maxStart  int64
	maxEnd    int64
	lastDur   int64 // stated duration of the block at maxStart, -1 if none
	prevStart int64
	minGap    int64
	seen      bool
}

type mkv struct {
	s        *source
	elements int
	docType  string
	tcScale  uint64
	duration float64 // in tcScale units; 0 if absent
	haveInfo bool
	tracks   []mkvTrack
	haveTrks bool
	times    map[uint64]*trackTimes
}

// vint reads an EBML variable-length integer; keepMarker is true for IDs.
func vint(b []byte, keepMarker bool, maxLen int) (v uint64, n int, allOnes bool, ok bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false, false
	}
	n = 1
	for m := byte(0x80); b[0]&m == 0; m >>= 1 {
		n++
	}
	if n > maxLen || len(b) < n {
		return 0, 0, false, false
	}
	v = uint64(b[0])
	if !keepMarker {
		v &= uint64(0xFF >> n)
	}
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	allOnes = v == (uint64(1)<<(7*n))-1 && !keepMarker
	return v, n, allOnes, true
}

func (m *mkv) elem(off, limit int64) (element, error) {
	m.elements++
	if m.elements > maxElements {
		return element{}, unreadable("more than %d elements", maxElements)
	}
	if limit-off < 2 {
		return element{}, unreadable("element header cut short (truncated)")
	}
	h, err := m.s.at(off, int(min(12, limit-off)))
	if err != nil {
		return element{}, err
	}
	id, n, _, ok := vint(h, true, 4)
	if !ok {
		return element{}, unreadable("invalid element ID at byte %d", off)
	}
	size, sn, unknownSize, ok := vint(h[n:], false, 8)
	if !ok {
		if len(h) < 12 && limit == m.s.size {
			return element{}, errTruncated
		}
		return element{}, unreadable("invalid element size at byte %d", off)
	}
	e := element{id: uint32(id), off: off, data: off + int64(n+sn)}
	if unknownSize {
		if id != idSegment && id != idCluster {
			return element{}, unreadable("element 0x%X has unknown size", id)
		}
		e.unknown, e.end = true, limit
		return e, nil
	}
	if size > uint64(limit-e.data) {
		if limit == m.s.size {
			return element{}, unreadable("element 0x%X runs past the end of the file (truncated)", id)
		}
		return element{}, unreadable("element 0x%X runs past its parent", id)
	}
	e.end = e.data + int64(size)
	return e, nil
}

func (m *mkv) children(parent element, fn func(element) error) error {
	for off := parent.data; off < parent.end; {
		e, err := m.elem(off, parent.end)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
		off = e.end
	}
	return nil
}

func (m *mkv) uint(e element) (uint64, error) {
	if e.size() > 8 {
		return 0, unreadable("integer element 0x%X too long", e.id)
	}
	b, err := m.s.at(e.data, int(e.size()))
	if err != nil {
		return 0, err
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

func (m *mkv) float(e element) (float64, error) {
	if sz := e.size(); sz != 0 && sz != 4 && sz != 8 {
		return 0, unreadable("float element 0x%X has %d bytes", e.id, sz)
	}
	b, err := m.s.at(e.data, int(e.size()))
	if err != nil {
		return 0, err
	}
	switch len(b) {
	case 0:
		return 0, nil
	case 4:
		return float64(math.Float32frombits(be32(b))), nil
	case 8:
		return math.Float64frombits(be64(b)), nil
	}
	return 0, unreadable("float element 0x%X has %d bytes", e.id, len(b))
}

func (m *mkv) str(e element) (string, error) {
	b, err := m.s.at(e.data, int(min(e.size(), 64)))
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\x00"), nil
}

func probeMatroska(s *source, info *Info) error {
	m := &mkv{s: s, tcScale: 1_000_000, docType: "matroska"}
	hdr, err := m.elem(0, s.size)
	if err != nil {
		return err
	}
	if hdr.unknown {
		return unreadable("EBML header has unknown size")
	}
	err = m.children(hdr, func(e element) error {
		if e.id == idDocType {
			m.docType, err = m.str(e)
		}
		return err
	})
	if err != nil {
		return err
	}
	switch m.docType {
	case "webm":
		info.Container = ContainerWebM
	case "matroska":
		info.Container = ContainerMKV
	default:
		return unsupported("EBML document type " + quoteShort(m.docType))
	}
	off := hdr.end
	for {
		e, err := m.elem(off, s.size)
		if err != nil {
			return err
		}
		if e.id == idSegment {
			return m.segment(e, info)
		}
		off = e.end
	}
}

func quoteShort(s string) string {
	if len(s) > 20 {
		s = s[:20]
	}
	return "\"" + strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return '?'
		}
		return r
	}, s) + "\""
}

// clusterRef remembers a cluster the walk skipped, in case its blocks are
// needed to find where the file ends.
type clusterRef struct {
	e       element
	scanned bool
}

func (m *mkv) segment(seg element, info *Info) error {
	var last [2]clusterRef // the two latest clusters
	done := func() bool { return m.haveInfo && m.duration > 0 && m.haveTrks }
	for off := seg.data; off < seg.end && !done(); {
		e, err := m.elem(off, seg.end)
		if err != nil {
			return err
		}
		switch e.id {
		case idInfo:
			if err := m.info(e); err != nil {
				return err
			}
		case idTracks:
			if err := m.tracksElem(e); err != nil {
				return err
			}
		case idCluster:
			ref := clusterRef{e: e}
			if e.unknown {
				// Its end is only found by walking its children.
				end, err := m.cluster(e)
				if err != nil {
					return err
				}
				ref.e.end, ref.scanned = end, true
			}
			last[0], last[1] = last[1], ref
			e = ref.e
		case idEBML:
			if seg.unknown {
				// A second segment follows a live one; this one ends here.
				off = seg.end
				continue
			}
		}
		off = e.end
	}
	if !m.haveTrks {
		return unreadable("no track list")
	}
	if m.tcScale == 0 {
		return unreadable("timecode scale is zero")
	}
	var durNS float64
	if m.duration > 0 {
		durNS = m.duration * float64(m.tcScale)
	} else {
		for _, c := range last {
			if c.e.id == idCluster && !c.scanned {
				if _, err := m.cluster(c.e); err != nil {
					return err
				}
			}
		}
		durNS = m.scannedEndNS()
	}
	if durNS <= 0 {
		return unreadable("duration is not recorded")
	}
	info.DurationMS = int64(min(durNS/1e6+0.5, 1<<62))
	for _, t := range m.tracks {
		if t.typ == 1 {
			info.VideoCodec = codecFromMatroska(t.codec)
			info.Width, info.Height = clampInt(t.width), clampInt(t.height)
			break
		}
	}
	return nil
}

func (m *mkv) info(e element) error {
	m.haveInfo = true
	return m.children(e, func(c element) error {
		var err error
		switch c.id {
		case idTimecodeScale:
			m.tcScale, err = m.uint(c)
		case idDuration:
			var d float64
			d, err = m.float(c)
			if err == nil && (math.IsNaN(d) || math.IsInf(d, 0) || d < 0) {
				err = unreadable("invalid segment duration")
			}
			m.duration = d
		}
		return err
	})
}

func (m *mkv) tracksElem(e element) error {
	m.haveTrks = true
	return m.children(e, func(te element) error {
		if te.id != idTrackEntry {
			return nil
		}
		var t mkvTrack
		err := m.children(te, func(c element) error {
			var err error
			switch c.id {
			case idTrackNumber:
				t.number, err = m.uint(c)
			case idTrackType:
				t.typ, err = m.uint(c)
			case idCodecID:
				t.codec, err = m.str(c)
			case idDefaultDuration:
				t.defaultDur, err = m.uint(c)
			case idVideo:
				err = m.children(c, func(v element) error {
					var err error
					switch v.id {
					case idPixelWidth:
						t.width, err = m.uint(v)
					case idPixelHeight:
						t.height, err = m.uint(v)
					}
					return err
				})
			}
			return err
		})
		if err != nil {
			return err
		}
		if len(m.tracks) < 64 {
			m.tracks = append(m.tracks, t)
		}
		return nil
	})
}

func isClusterChild(id uint32) bool {
	switch id {
	case idTimecode, idSilentTracks, idPosition, idPrevSize, idSimpleBlock,
		idBlockGroup, idEncryptedBlock, idVoid, idCRC32:
		return true
	}
	return false
}

// cluster walks one cluster's children, reading only block headers, and
// returns where the cluster ends (for unknown-size clusters, where the next
// top-level element begins).
func (m *mkv) cluster(c element) (int64, error) {
	var tc uint64
	haveTC := false
	off := c.data
	for off < c.end {
		if c.unknown && c.end-off < 2 {
			break
		}
		e, err := m.elem(off, c.end)
		if err != nil {
			return 0, err
		}
		if c.unknown && !isClusterChild(e.id) {
			return off, nil
		}
		switch e.id {
		case idTimecode:
			if tc, err = m.uint(e); err != nil {
				return 0, err
			}
			haveTC = true
		case idSimpleBlock, idBlockGroup:
			if !haveTC {
				return 0, unreadable("block before its cluster's timecode")
			}
			if err := m.block(e, tc); err != nil {
				return 0, err
			}
		}
		off = e.end
	}
	return c.end, nil
}

func (m *mkv) block(e element, clusterTC uint64) error {
	blk, dur := e, int64(-1)
	if e.id == idBlockGroup {
		blk.id = 0
		err := m.children(e, func(c element) error {
			switch c.id {
			case idBlock:
				blk = c
			case idBlockDuration:
				d, err := m.uint(c)
				if err != nil {
					return err
				}
				dur = int64(min(d, 1<<40))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if blk.id != idBlock {
			return nil
		}
	}
	h, err := m.s.at(blk.data, int(min(blk.size(), 11)))
	if err != nil {
		return err
	}
	track, n, _, ok := vint(h, false, 8)
	if !ok || len(h) < n+3 {
		return unreadable("malformed block header")
	}
	rel := int64(int16(be16(h[n:])))
	start := int64(min(clusterTC, 1<<40)) + rel
	if m.times == nil {
		m.times = map[uint64]*trackTimes{}
	}
	tt := m.times[track]
	if tt == nil {
		if len(m.times) >= 64 {
			return nil
		}
		tt = &trackTimes{minGap: math.MaxInt64}
		m.times[track] = tt
	}
	if tt.seen {
		if g := start - tt.prevStart; g > 0 {
			tt.minGap = min(tt.minGap, g)
		}
	}
	if !tt.seen || start >= tt.maxStart {
		tt.maxStart, tt.lastDur = start, dur
	}
	if dur >= 0 {
		tt.maxEnd = max(tt.maxEnd, start+dur)
	}
	tt.prevStart, tt.seen = start, true
	return nil
}

// scannedEndNS is where the last block of any track ends: its stated
// duration, else its track's default frame duration, else the track's usual
// gap between blocks.
func (m *mkv) scannedEndNS() float64 {
	var end float64
	scale := float64(m.tcScale)
	for num, tt := range m.times {
		if !tt.seen {
			continue
		}
		last := float64(tt.maxStart) * scale
		switch {
		case tt.lastDur >= 0:
			last += float64(tt.lastDur) * scale
		case m.defaultDur(num) > 0:
			last += float64(m.defaultDur(num))
		case tt.minGap != math.MaxInt64:
			last += float64(tt.minGap) * scale
		}
		end = max(end, last, float64(tt.maxEnd)*scale)
	}
	return end
}

func (m *mkv) defaultDur(track uint64) uint64 {
	for _, t := range m.tracks {
		if t.number == track {
			return t.defaultDur
		}
	}
	return 0
}

func codecFromMatroska(id string) string {
	switch {
	case id == "V_VP8":
		return "vp8"
	case id == "V_VP9":
		return "vp9"
	case id == "V_AV1":
		return "av1"
	case id == "V_MPEG4/ISO/AVC":
		return "h264"
	case id == "V_MPEGH/ISO/HEVC":
		return "hevc"
	case strings.HasPrefix(id, "V_MPEG4/ISO/"):
		return "mpeg4"
	case id == "V_MJPEG":
		return "mjpeg"
	case id == "V_THEORA":
		return "theora"
	case id == "":
		return "unknown"
	}
	return strings.ToLower(id)
}
