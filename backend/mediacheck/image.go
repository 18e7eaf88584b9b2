package mediacheck

// Image headers. The frame size sits in the first few hundred bytes; the only
// other thing read is the file's tail, to tell a complete image from one cut
// short in transit (decoders would show it half grey).

var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}

// trailerSearch is how far from the end an image's end marker is looked
// for. Phone "motion photos" append a short video after the JPEG's end
// marker, so it is not always the last thing in the file.
const trailerSearch = 32 << 20

func probeJPEG(s *source, info *Info) error {
	off := int64(2)
	for seen := 0; ; seen++ {
		if seen > 10_000 {
			return unreadable("too many JPEG segments")
		}
		if s.size-off < 2 {
			return errTruncated
		}
		b, err := s.at(off, int(min(4, s.size-off)))
		if err != nil {
			return err
		}
		if b[0] != 0xFF {
			return unreadable("malformed JPEG segment at byte %d", off)
		}
		marker := b[1]
		switch {
		case marker == 0xFF: // fill byte
			off++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7: // no length
			off += 2
			continue
		case marker == 0xD9:
			return unreadable("JPEG ends before its image data")
		}
		if len(b) < 4 {
			return errTruncated
		}
		length := int64(be16(b[2:]))
		if length < 2 {
			return unreadable("malformed JPEG segment length")
		}
		if off+2+length > s.size {
			return errTruncated
		}
		if isSOF(marker) {
			f, err := s.at(off+4, int(min(5, length-2)))
			if err != nil {
				return err
			}
			if len(f) < 5 {
				return unreadable("malformed JPEG frame header")
			}
			info.Height, info.Width = int(be16(f[1:])), int(be16(f[3:]))
		}
		off += 2 + length
		if marker == 0xDA { // start of scan: the image data follows
			break
		}
	}
	if info.Width == 0 || info.Height == 0 {
		return unreadable("JPEG has no frame size")
	}
	// FF D9 cannot occur inside entropy-coded data (every FF there is
	// followed by 00 or a restart marker), so its presence after the first
	// scan header is a reliable sign the image data is complete.
	found, err := s.findBackward([]byte{0xFF, 0xD9}, off, trailerSearch)
	if err != nil {
		return err
	}
	if !found {
		return unreadable("JPEG has no end marker (truncated)")
	}
	return nil
}

func isSOF(m byte) bool {
	// C4 (DHT), C8 (JPG extension) and CC (DAC) share the range but are not
	// frame headers.
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
}

func probePNG(s *source, info *Info) error {
	b, err := s.at(8, 16)
	if err != nil {
		return err
	}
	if string(b[4:8]) != "IHDR" || be32(b) < 8 {
		return unreadable("PNG does not start with IHDR")
	}
	info.Width, info.Height = clampInt(uint64(be32(b[8:]))), clampInt(uint64(be32(b[12:])))
	if info.Width == 0 || info.Height == 0 {
		return unreadable("PNG has no frame size")
	}
	iend := []byte{0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82}
	found, err := s.findBackward(iend, 8+12+13, trailerSearch)
	if err != nil {
		return err
	}
	if !found {
		return unreadable("PNG has no IEND chunk (truncated)")
	}
	return nil
}

func probeGIF(s *source, info *Info) error {
	b, err := s.at(0, int(min(s.size, 13)))
	if err != nil {
		return err
	}
	if len(b) < 13 {
		return errTruncated
	}
	info.Width, info.Height = int(le16(b[6:])), int(le16(b[8:]))
	if info.Width == 0 || info.Height == 0 {
		return unreadable("GIF has no screen size")
	}
	// A GIF ends with the trailer byte 3B, right after the 00 that closes
	// the last image or extension. A random cut rarely ends that way; no
	// search here, since 00 3B is common inside the compressed data.
	headerEnd := int64(13)
	if b[10]&0x80 != 0 {
		headerEnd += 3 << (b[10]&7 + 1)
	}
	t, err := s.at(s.size-2, 2)
	if err != nil || t[1] != 0x3B || (t[0] != 0 && s.size != headerEnd+1) {
		return unreadable("GIF has no trailer (truncated)")
	}
	return nil
}

func probeWebP(s *source, info *Info) error {
	b, err := s.at(0, int(min(s.size, 30)))
	if err != nil {
		return err
	}
	if riff := int64(le32(b[4:])) + 8; riff > s.size {
		return unreadable("WebP is shorter than its RIFF header says (truncated)")
	} else if riff < 20 || len(b) < 20 {
		return unreadable("WebP too small")
	}
	chunkSize := int64(le32(b[16:]))
	if 20+chunkSize > s.size {
		return errTruncated
	}
	d := b[20:]
	switch string(b[12:16]) {
	case "VP8 ":
		// Frame tag (3 bytes), start code 9D 01 2A, then 14-bit sizes.
		if len(d) < 10 || d[3] != 0x9D || d[4] != 0x01 || d[5] != 0x2A {
			return unreadable("malformed WebP VP8 header")
		}
		info.Width, info.Height = int(le16(d[6:])&0x3FFF), int(le16(d[8:])&0x3FFF)
	case "VP8L":
		if len(d) < 5 || d[0] != 0x2F {
			return unreadable("malformed WebP VP8L header")
		}
		v := le32(d[1:])
		info.Width, info.Height = int(v&0x3FFF)+1, int(v>>14&0x3FFF)+1
	case "VP8X":
		if len(d) < 10 {
			return unreadable("malformed WebP VP8X header")
		}
		info.Width, info.Height = int(le24(d[4:]))+1, int(le24(d[7:]))+1
	default:
		return unreadable("unknown WebP chunk %s", quoteShort(string(b[12:16])))
	}
	if info.Width == 0 || info.Height == 0 {
		return unreadable("WebP has no frame size")
	}
	return nil
}
