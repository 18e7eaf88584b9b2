package media

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decoders for image.Decode
	"image/jpeg"
	_ "image/png"
	"io"
	"sync"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// ThumbLongSide is the thumbnail's longer side in pixels (smaller photos
// keep their size).
const ThumbLongSide = 320

// maxThumbPixels refuses to decode photos larger than this (a 20 MB file
// can declare a huge frame); with one decode at a time, memory stays bounded.
const maxThumbPixels = 50_000_000

func thumbKey(key string) string { return key + ".thumb.jpg" }

func isImage(container string) bool {
	switch container {
	case mediacheck.ContainerJPEG, mediacheck.ContainerPNG, mediacheck.ContainerGIF, mediacheck.ContainerWebP:
		return true
	}
	return false
}

// HasThumbnail says whether Thumbnail answers for m: a photo's thumbnail
// is made on first request (unless the photo is too large to decode); a
// video has one when its poster was made as it was stored.
func HasThumbnail(m store.Media) bool {
	if isImage(m.Container) {
		return int64(m.Width)*int64(m.Height) <= maxThumbPixels
	}
	return m.Poster
}

// Thumbnail returns a photo's thumbnail (a JPEG at most ThumbLongSide
// pixels on its longer side), made on first request and stored, or a
// video's poster (the same size, made when it was stored).
func (s *Service) Thumbnail(ctx context.Context, programID, mediaID string) (store.Media, Object, error) {
	m, err := s.st.Media(ctx, programID, mediaID)
	if err != nil {
		return m, nil, err
	}
	key := thumbKey(m.StorageKey)
	if !isImage(m.Container) {
		if m.Poster {
			obj, err := s.storage.Open(ctx, key)
			if err == nil {
				return m, obj, nil
			}
			if !errors.Is(err, ErrNotFound) {
				return m, nil, err
			}
			s.log.Error("video poster missing from storage", "media", m.ID, "key", key)
		}
		return m, nil, domain.Errorf(wire.CodeThumbnailUnavailable, "this video has no poster (the server makes one when ffmpeg is installed)")
	}
	if obj, err := s.storage.Open(ctx, key); err == nil {
		return m, obj, nil
	}
	v, _ := s.thumbs.LoadOrStore(key, &sync.Mutex{})
	mu := v.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()
	if obj, err := s.storage.Open(ctx, key); err == nil {
		return m, obj, nil // made while we waited
	}
	b, err := s.makeThumb(ctx, m)
	if err != nil {
		return m, nil, err
	}
	if _, err := s.storage.Put(ctx, key, bytes.NewReader(b)); err != nil {
		return m, nil, err
	}
	obj, err := s.storage.Open(ctx, key)
	return m, obj, err
}

func (s *Service) makeThumb(ctx context.Context, m store.Media) ([]byte, error) {
	if int64(m.Width)*int64(m.Height) > maxThumbPixels {
		return nil, domain.Errorf(wire.CodeThumbnailUnavailable, "this photo (%d×%d) is too large to preview", m.Width, m.Height)
	}
	select {
	case s.thumbQ <- struct{}{}:
		defer func() { <-s.thumbQ }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	obj, err := s.storage.Open(ctx, m.StorageKey)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	orient := 1
	if m.Container == mediacheck.ContainerJPEG {
		orient = exifOrientation(obj)
		if _, err := obj.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
	}
	br := bufio.NewReaderSize(obj, 64<<10)
	cfg, _, err := image.DecodeConfig(br)
	if err != nil || int64(cfg.Width)*int64(cfg.Height) > maxThumbPixels {
		return nil, domain.Errorf(wire.CodeThumbnailUnavailable, "this photo cannot be previewed")
	}
	if _, err := obj.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	br.Reset(obj)
	img, _, err := image.Decode(br)
	if err != nil {
		// e.g. an animated WebP, which the decoder does not read
		return nil, domain.Errorf(wire.CodeThumbnailUnavailable, "this photo cannot be previewed")
	}
	out := orientImage(scaleDown(img, ThumbLongSide), orient)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}

// scaleDown fits img within long×long on a white background (JPEG has
// no transparency), never enlarging it.
func scaleDown(img image.Image, long int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > long || h > long {
		if w >= h {
			w, h = long, max(1, (h*long+w/2)/w)
		} else {
			w, h = max(1, (w*long+h/2)/h), long
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.BiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	return dst
}

// orientImage applies an EXIF orientation (1–8) so the thumbnail is upright.
func orientImage(src *image.RGBA, orient int) *image.RGBA {
	if orient < 2 || orient > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if orient >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch orient {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // turned 180°
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored vertically
				dx, dy = x, h-1-y
			case 5: // mirrored along the main diagonal
				dx, dy = y, x
			case 6: // turned 90° clockwise to view
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8: // turned 90° anticlockwise to view
				dx, dy = y, w-1-x
			}
			dst.SetRGBA(dx, dy, src.RGBAAt(x, y))
		}
	}
	return dst
}

// exifOrientation reads the orientation tag of a JPEG's EXIF block; 1 when
// there is none or it cannot be read.
func exifOrientation(r io.Reader) int {
	br := bufio.NewReaderSize(r, 4096)
	var hdr [4]byte
	if _, err := io.ReadFull(br, hdr[:2]); err != nil || hdr[0] != 0xFF || hdr[1] != 0xD8 {
		return 1
	}
	for range 32 { // segments before the EXIF one
		if _, err := io.ReadFull(br, hdr[:4]); err != nil || hdr[0] != 0xFF {
			return 1
		}
		marker, n := hdr[1], int(binary.BigEndian.Uint16(hdr[2:]))-2
		if n < 0 || marker == 0xDA || marker == 0xD9 {
			return 1 // image data starts: no EXIF
		}
		if marker != 0xE1 {
			if _, err := br.Discard(n); err != nil {
				return 1
			}
			continue
		}
		seg := make([]byte, n) // at most 64 KiB
		if _, err := io.ReadFull(br, seg); err != nil {
			return 1
		}
		if len(seg) < 14 || string(seg[:6]) != "Exif\x00\x00" {
			continue
		}
		return tiffOrientation(seg[6:])
	}
	return 1
}

func tiffOrientation(t []byte) int {
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int64(bo.Uint32(t[4:8]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1
	}
	count := int64(bo.Uint16(t[ifd:]))
	for i := int64(0); i < count; i++ {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}
