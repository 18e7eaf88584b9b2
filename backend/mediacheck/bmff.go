package mediacheck

import "math"

// A small ISO-BMFF (MP4/MOV) reader. It walks the box tree through the
// source, descending only into the boxes that lead to the few small leaf
// boxes it needs; mdat and the sample tables are skipped by size, so a 4 GiB
// file costs a handful of reads.

// maxBoxes bounds the boxes one probe may visit: every box is at least 8
// bytes, but a hostile file of tiny boxes must not cost millions of reads.
// A fragmented hour-long recording has a few thousand.
const maxBoxes = 200_000

// isBMFFStart accepts the box types that begin real MP4/MOV files: ftyp, or
// for QuickTime files older than ftyp, a movie, data or padding box.
func isBMFFStart(typ string) bool {
	switch typ {
	case "ftyp", "moov", "mdat", "wide", "free", "skip", "pnot":
		return true
	}
	return false
}

type box struct {
	typ       string
	off, data int64 // start of the box and of its payload
	end       int64
}

func (b box) size() int64 { return b.end - b.data }

type bmffTrack struct {
	handler      string
	tkhdW, tkhdH uint32 // 16.16 fixed point
	quarterTurn  bool
	id           uint32
	timescale    uint64
	mediaDur     uint64 // in timescale
	editDur      uint64 // in the movie timescale; meaningful when editSimple
	editSimple   bool
	codec        string
	entryW       int
	entryH       int
	fragCursor   uint64 // end of the last fragment seen, in timescale
	fragEnd      uint64
}

type bmff struct {
	s          *source
	boxes      int
	movieTS    uint64
	movieDur   uint64
	mehdDur    uint64
	fragmented bool
	haveMoov   bool
	tracks     []*bmffTrack
	trex       map[uint32]uint64 // track ID → default sample duration in fragments
}

func (p *bmff) next(off, limit int64) (box, error) {
	p.boxes++
	if p.boxes > maxBoxes {
		return box{}, unreadable("more than %d boxes", maxBoxes)
	}
	if limit-off < 8 {
		return box{}, unreadable("box header cut short (truncated)")
	}
	h, err := p.s.at(off, 8)
	if err != nil {
		return box{}, err
	}
	b := box{typ: string(h[4:8]), off: off, data: off + 8}
	switch sz := be32(h); sz {
	case 0: // runs to the end of the enclosing box (normally the file)
		b.end = limit
	case 1:
		if limit-off < 16 {
			return box{}, unreadable("box %q: 64-bit size cut short", b.typ)
		}
		h, err := p.s.at(off+8, 8)
		if err != nil {
			return box{}, err
		}
		large := be64(h)
		if large < 16 {
			return box{}, unreadable("box %q: size %d too small", b.typ, large)
		}
		if large > uint64(limit-off) {
			return box{}, unreadable("box %q runs past the end of %s (truncated)", b.typ, where(limit, p.s.size))
		}
		b.data, b.end = off+16, off+int64(large)
	default:
		if sz < 8 {
			return box{}, unreadable("box %q: size %d too small", b.typ, sz)
		}
		if int64(sz) > limit-off {
			return box{}, unreadable("box %q runs past the end of %s (truncated)", b.typ, where(limit, p.s.size))
		}
		b.end = off + int64(sz)
	}
	if b.typ == "uuid" {
		b.data += 16
		if b.data > b.end {
			return box{}, unreadable("uuid box too small")
		}
	}
	return b, nil
}

func where(limit, size int64) string {
	if limit == size {
		return "the file"
	}
	return "its parent box"
}

// children calls fn for each box inside [off, end). Fewer than 8 bytes left
// over at the end are ignored: QuickTime writers may close a list with a
// 32-bit zero.
func (p *bmff) children(off, end int64, fn func(box) error) error {
	for end-off >= 8 {
		b, err := p.next(off, end)
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
		off = b.end
	}
	return nil
}

// leaf returns the first n bytes of a box's payload (fewer if the box is
// smaller); valid until the next read.
func (p *bmff) leaf(b box, n int) ([]byte, error) {
	return p.s.at(b.data, int(min(int64(n), b.size())))
}

var heifBrands = map[string]bool{
	"heic": true, "heix": true, "heim": true, "heis": true, "hevc": true, "hevx": true,
	"mif1": true, "msf1": true, "avif": true, "avis": true,
}

func probeBMFF(s *source, info *Info) error {
	p := &bmff{s: s}
	info.Container = ContainerMOV // QuickTime files older than ftyp have none
	sawFtyp := false
	for off := int64(0); off < s.size; {
		// A few stray bytes after the last box are common and harmless.
		if s.size-off < 8 && p.haveMoov {
			break
		}
		b, err := p.next(off, s.size)
		if err != nil {
			return err
		}
		switch b.typ {
		case "ftyp":
			if !sawFtyp {
				sawFtyp = true
				h, err := p.leaf(b, 4)
				if err != nil {
					return err
				}
				if len(h) < 4 {
					return unreadable("ftyp box too small")
				}
				brand := string(h)
				if heifBrands[brand] {
					return unsupported("HEIF/AVIF image")
				}
				info.Container = ContainerMP4
				if brand == "qt  " {
					info.Container = ContainerMOV
				}
			}
		case "moov":
			if !p.haveMoov {
				if err := p.moov(b); err != nil {
					return err
				}
				p.haveMoov = true
			}
		case "moof":
			if p.haveMoov && p.fragmented && p.mehdDur == 0 {
				if err := p.moof(b); err != nil {
					return err
				}
			}
		case "cmov":
			return unreadable("compressed movie header not supported")
		}
		off = b.end
	}
	if !p.haveMoov {
		return unreadable("no movie header (moov box)")
	}
	return p.fill(info)
}

func (p *bmff) fill(info *Info) error {
	if len(p.tracks) == 0 {
		return unreadable("movie has no tracks")
	}
	var dur int64
	if p.movieTS > 0 {
		dur = max(scaleMS(p.movieDur, p.movieTS), scaleMS(p.mehdDur, p.movieTS))
	}
	var video *bmffTrack
	for _, t := range p.tracks {
		var d int64
		if t.editSimple && p.movieTS > 0 {
			// The edit list is what players show: it trims encoder
			// priming and padding that mdhd still counts.
			d = scaleMS(t.editDur, p.movieTS)
		} else {
			d = scaleMS(t.mediaDur, t.timescale)
		}
		d = max(d, scaleMS(t.fragEnd, t.timescale))
		dur = max(dur, d)
		if video == nil && t.handler == "vide" {
			video = t
		}
	}
	if dur <= 0 {
		return unreadable("duration is not recorded")
	}
	info.DurationMS = dur
	if video != nil {
		info.VideoCodec = video.codec
		w, h := video.entryW, video.entryH
		if w == 0 || h == 0 {
			w, h = int(video.tkhdW>>16), int(video.tkhdH>>16)
		}
		if video.quarterTurn {
			w, h = h, w
		}
		info.Width, info.Height = w, h
	}
	return nil
}

func (p *bmff) moov(moov box) error {
	return p.children(moov.data, moov.end, func(b box) error {
		switch b.typ {
		case "mvhd":
			h, err := p.leaf(b, 32)
			if err != nil {
				return err
			}
			switch {
			case len(h) >= 20 && h[0] == 0:
				p.movieTS, p.movieDur = uint64(be32(h[12:])), unknown32(be32(h[16:]))
			case len(h) >= 32 && h[0] == 1:
				p.movieTS, p.movieDur = uint64(be32(h[20:])), unknown64(be64(h[24:]))
			default:
				return unreadable("malformed mvhd box")
			}
		case "trak":
			t := &bmffTrack{}
			if err := p.trak(b, t); err != nil {
				return err
			}
			if len(p.tracks) < 64 {
				p.tracks = append(p.tracks, t)
			}
		case "mvex":
			p.fragmented = true
			return p.children(b.data, b.end, func(b box) error {
				switch b.typ {
				case "mehd":
					h, err := p.leaf(b, 12)
					if err != nil {
						return err
					}
					switch {
					case len(h) >= 8 && h[0] == 0:
						p.mehdDur = uint64(be32(h[4:]))
					case len(h) >= 12 && h[0] == 1:
						p.mehdDur = unknown64(be64(h[4:]))
					}
				case "trex":
					h, err := p.leaf(b, 16)
					if err != nil {
						return err
					}
					if len(h) >= 16 && len(p.trex) < 64 {
						if p.trex == nil {
							p.trex = map[uint32]uint64{}
						}
						p.trex[be32(h[4:])] = uint64(be32(h[12:]))
					}
				}
				return nil
			})
		}
		return nil
	})
}

// unknown32 and unknown64 map the all-ones "duration unknown" value to 0.
func unknown32(v uint32) uint64 {
	if v == math.MaxUint32 {
		return 0
	}
	return uint64(v)
}

func unknown64(v uint64) uint64 {
	if v == math.MaxUint64 {
		return 0
	}
	return v
}

func (p *bmff) track(id uint32) *bmffTrack {
	for _, t := range p.tracks {
		if t.id == id {
			return t
		}
	}
	return nil
}

func (p *bmff) trak(trak box, t *bmffTrack) error {
	return p.children(trak.data, trak.end, func(b box) error {
		switch b.typ {
		case "tkhd":
			h, err := p.leaf(b, 96)
			if err != nil {
				return err
			}
			var idAt, matAt int
			switch {
			case len(h) >= 84 && h[0] == 0:
				idAt, matAt = 12, 40
			case len(h) >= 96 && h[0] == 1:
				idAt, matAt = 20, 52
			default:
				return unreadable("malformed tkhd box")
			}
			t.id = be32(h[idAt:])
			m := h[matAt:]
			a, bb, c, d := int32(be32(m)), int32(be32(m[4:])), int32(be32(m[12:])), int32(be32(m[16:]))
			t.quarterTurn = a == 0 && d == 0 && bb != 0 && c != 0
			t.tkhdW, t.tkhdH = be32(m[36:]), be32(m[40:])
		case "edts":
			return p.children(b.data, b.end, func(b box) error {
				if b.typ == "elst" {
					return p.elst(b, t)
				}
				return nil
			})
		case "mdia":
			return p.mdia(b, t)
		}
		return nil
	})
}

// elst accepts only the edit lists nearly every file has: one edit playing
// the media at normal speed, optionally after one empty edit (a start
// delay). Anything fancier falls back to the media duration.
func (p *bmff) elst(b box, t *bmffTrack) error {
	h, err := p.leaf(b, 8+2*20)
	if err != nil {
		return err
	}
	if len(h) < 8 {
		return unreadable("malformed elst box")
	}
	n := be32(h[4:])
	entry := 12
	if h[0] == 1 {
		entry = 20
	}
	if n == 0 || n > 2 || len(h) < 8+int(n)*entry {
		return nil
	}
	var total uint64
	for i := range int(n) {
		e := h[8+i*entry:]
		var seg uint64
		var media int64
		var rate uint32
		if entry == 12 {
			seg, media, rate = uint64(be32(e)), int64(int32(be32(e[4:]))), be32(e[8:])
		} else {
			seg, media, rate = be64(e), int64(be64(e[8:])), be32(e[16:])
		}
		last := i == int(n)-1
		switch {
		case !last && media == -1: // leading empty edit
		case last && media >= 0 && rate>>16 == 1 && seg > 0:
		default:
			return nil
		}
		if seg > math.MaxUint64/2 || total > math.MaxUint64/2 {
			return nil
		}
		total += seg
	}
	t.editSimple, t.editDur = true, total
	return nil
}

func (p *bmff) mdia(mdia box, t *bmffTrack) error {
	return p.children(mdia.data, mdia.end, func(b box) error {
		switch b.typ {
		case "mdhd":
			h, err := p.leaf(b, 32)
			if err != nil {
				return err
			}
			switch {
			case len(h) >= 20 && h[0] == 0:
				t.timescale, t.mediaDur = uint64(be32(h[12:])), unknown32(be32(h[16:]))
			case len(h) >= 32 && h[0] == 1:
				t.timescale, t.mediaDur = uint64(be32(h[20:])), unknown64(be64(h[24:]))
			default:
				return unreadable("malformed mdhd box")
			}
		case "hdlr":
			h, err := p.leaf(b, 12)
			if err != nil {
				return err
			}
			if len(h) < 12 {
				return unreadable("malformed hdlr box")
			}
			t.handler = string(h[8:12])
		case "minf":
			return p.children(b.data, b.end, func(b box) error {
				if b.typ != "stbl" {
					return nil
				}
				return p.children(b.data, b.end, func(b box) error {
					if b.typ == "stsd" {
						return p.stsd(b, t)
					}
					return nil
				})
			})
		}
		return nil
	})
}

// stsd reads the first sample entry: its four-character code names the
// codec, and a visual entry carries the coded frame size.
func (p *bmff) stsd(b box, t *bmffTrack) error {
	h, err := p.leaf(b, 8+44)
	if err != nil {
		return err
	}
	if len(h) < 16 || be32(h[4:]) == 0 {
		return nil // no sample entry: a track without samples describes nothing
	}
	e := h[8:]
	if be32(e) < 16 {
		return unreadable("malformed sample entry")
	}
	t.codec = codecFromFourCC(e[4:8])
	if len(e) >= 36 {
		t.entryW, t.entryH = int(be16(e[32:])), int(be16(e[34:]))
	}
	return nil
}

func codecFromFourCC(b []byte) string {
	switch string(b) {
	case "avc1", "avc3", "dva1", "dvav":
		return "h264"
	case "hvc1", "hev1", "dvh1", "dvhe":
		return "hevc"
	case "mp4v":
		return "mpeg4"
	case "av01":
		return "av1"
	case "vp09":
		return "vp9"
	case "vp08":
		return "vp8"
	case "s263", "h263":
		return "h263"
	case "jpeg", "mjpa", "mjpb":
		return "mjpeg"
	case "apch", "apcn", "apcs", "apco", "ap4h", "ap4x":
		return "prores"
	}
	// Report anything else as its code, so the manager sees something
	// searchable rather than nothing.
	out := make([]byte, 0, 4)
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			out = append(out, c)
		case c == ' ':
		default:
			return "unknown"
		}
	}
	if len(out) == 0 {
		return "unknown"
	}
	return string(out)
}

// moof adds one movie fragment's sample durations to its tracks, for
// fragmented files whose moov records no duration.
func (p *bmff) moof(moof box) error {
	return p.children(moof.data, moof.end, func(b box) error {
		if b.typ != "traf" {
			return nil
		}
		var t *bmffTrack
		var defDur uint64
		var base uint64
		haveBase := false
		var sum uint64
		err := p.children(b.data, b.end, func(b box) error {
			switch b.typ {
			case "tfhd":
				h, err := p.leaf(b, 32)
				if err != nil {
					return err
				}
				if len(h) < 8 {
					return unreadable("malformed tfhd box")
				}
				if t = p.track(be32(h[4:])); t == nil {
					return nil
				}
				defDur = p.trex[t.id]
				flags := be32(h) & 0xFFFFFF
				at := 8
				if flags&0x01 != 0 {
					at += 8
				}
				if flags&0x02 != 0 {
					at += 4
				}
				if flags&0x08 != 0 {
					if len(h) < at+4 {
						return unreadable("malformed tfhd box")
					}
					defDur = uint64(be32(h[at:]))
				}
			case "tfdt":
				h, err := p.leaf(b, 12)
				if err != nil {
					return err
				}
				switch {
				case len(h) >= 8 && h[0] == 0:
					base, haveBase = uint64(be32(h[4:])), true
				case len(h) >= 12 && h[0] == 1:
					base, haveBase = be64(h[4:]), true
				}
			case "trun":
				if t == nil {
					return nil
				}
				d, err := p.trun(b, defDur)
				if err != nil {
					return err
				}
				sum = satAdd(sum, d)
			}
			return nil
		})
		if err != nil || t == nil {
			return err
		}
		if haveBase {
			t.fragCursor = base
		}
		t.fragCursor = satAdd(t.fragCursor, sum)
		t.fragEnd = max(t.fragEnd, t.fragCursor)
		return nil
	})
}

func (p *bmff) trun(b box, defDur uint64) (uint64, error) {
	if b.size() < 8 {
		return 0, unreadable("malformed trun box")
	}
	h, err := p.leaf(b, 8)
	if err != nil {
		return 0, err
	}
	flags := be32(h) & 0xFFFFFF
	n := uint64(be32(h[4:]))
	if flags&0x100 == 0 {
		return satMul(n, defDur), nil
	}
	at := int64(8)
	if flags&0x01 != 0 {
		at += 4
	}
	if flags&0x04 != 0 {
		at += 4
	}
	rec := int64(4) // duration is the first field of each sample record
	for _, f := range []uint32{0x200, 0x400, 0x800} {
		if flags&f != 0 {
			rec += 4
		}
	}
	if uint64(b.size()-at)/uint64(rec) < n {
		return 0, unreadable("trun box shorter than its sample count")
	}
	if int64(n)*rec > maxRead {
		return 0, unreadable("trun box too large")
	}
	body, err := p.s.at(b.data+at, int(int64(n)*rec))
	if err != nil {
		return 0, err
	}
	var sum uint64
	for i := int64(0); i < int64(n); i++ {
		sum = satAdd(sum, uint64(be32(body[i*rec:])))
	}
	return sum, nil
}

func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}
