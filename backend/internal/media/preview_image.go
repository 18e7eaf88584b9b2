package media

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// previewImageTypes are the preview images an editor may be shown: what
// WeChat takes as a photo, sniffed from the bytes, never trusted from the
// page's header.
var previewImageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// PreviewImage fetches the preview image of the page at pageURL for a
// manager's editor to show, through the same guarded fetcher as the photo
// it becomes: public addresses only, checked at dial time. The editor never
// fetches what a page names from the manager's own machine. At most the
// photo limit; a page without an image is not_found.
func (s *Service) PreviewImage(ctx context.Context, pageURL string) (contentType string, data []byte, err error) {
	imgURL, err := s.preview.ImageURL(ctx, pageURL)
	if err != nil {
		return "", nil, previewError(err)
	}
	if imgURL == "" {
		return "", nil, domain.Errorf(domain.CodeNotFound, "the page names no preview image")
	}
	ctx, cancel := context.WithTimeout(ctx, s.preview.o.ImageTimeout)
	defer cancel()
	resp, err := s.preview.get(ctx, imgURL, "image/*")
	if err != nil {
		return "", nil, previewError(err)
	}
	defer resp.Body.Close()
	max := s.limits.PhotoMaxBytes
	data, err = io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return "", nil, previewError(err)
	}
	if int64(len(data)) > max {
		return "", nil, domain.Errorf(wire.CodeMediaRefused, "the page's image is over %s", sizeText(max))
	}
	contentType = http.DetectContentType(data)
	if !previewImageTypes[contentType] {
		return "", nil, domain.Errorf(wire.CodeMediaRefused, "the page's image is not a JPEG, PNG, GIF or WebP picture")
	}
	return contentType, data, nil
}

// previewError says what went wrong in words a manager can act on; the
// address that was refused is not repeated back.
func previewError(err error) error {
	if errors.Is(err, ErrBlockedAddress) {
		return domain.Errorf(domain.CodeNotFound, "the page is not on a public address")
	}
	var se *statusError
	if errors.As(err, &se) {
		return domain.Errorf(domain.CodeNotFound, "the page answered %d", se.status)
	}
	return domain.Errorf(domain.CodeNotFound, "the page could not be read")
}
