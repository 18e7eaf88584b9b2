package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// CreateUpload starts a resumable upload (managers). A declared name or
// size the kind's rules refuse fails at once with media_refused.
func (c *Client) CreateUpload(ctx context.Context, pid string, in UploadRequest) (Upload, error) {
	return do[Upload](ctx, c, http.MethodPost, prog(pid, "media", "uploads"), in)
}

// UploadStatus asks how many bytes of an upload have arrived (HEAD) and
// its declared length.
func (c *Client) UploadStatus(ctx context.Context, pid, id string) (offset, length int64, err error) {
	resp, err := c.raw(ctx, http.MethodHead, prog(pid, "media", "uploads", id), nil, 0, nil)
	if err != nil {
		return 0, 0, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, rawError(resp, nil)
	}
	offset, err = strconv.ParseInt(resp.Header.Get(HeaderUploadOffset), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("upload status: bad %s header: %w", HeaderUploadOffset, err)
	}
	length, _ = strconv.ParseInt(resp.Header.Get(HeaderUploadLength), 10, 64)
	return offset, length, nil
}

// UploadChunk sends length bytes of chunk, to be written from offset, and
// returns the upload's offset afterwards. On offset_mismatch (409) the
// returned offset is where the upload stands, with the error.
func (c *Client) UploadChunk(ctx context.Context, pid, id string, offset int64, chunk io.Reader, length int64) (int64, error) {
	h := http.Header{}
	h.Set("Content-Type", ContentTypeOffsetStream)
	h.Set(HeaderUploadOffset, strconv.FormatInt(offset, 10))
	resp, err := c.raw(ctx, http.MethodPatch, prog(pid, "media", "uploads", id), chunk, length, h)
	if err != nil {
		return offset, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	cur, herr := strconv.ParseInt(resp.Header.Get(HeaderUploadOffset), 10, 64)
	if herr != nil {
		cur = offset
	}
	if resp.StatusCode != http.StatusNoContent {
		return cur, rawError(resp, body)
	}
	return cur, nil
}

// CompleteUpload checks an upload whose bytes have all arrived and makes it
// media; media_refused (422) says why not (see MediaProblems). Safe to repeat.
func (c *Client) CompleteUpload(ctx context.Context, pid, id string) (UploadResult, error) {
	return do[UploadResult](ctx, c, http.MethodPost, prog(pid, "media", "uploads", id, "complete"), nil)
}

// UploadOptions tune UploadMedia.
type UploadOptions struct {
	ChunkSize int64                           // bytes per PATCH; default 8 MiB
	Retries   int                             // broken chunks retried in a row; default 5
	Progress  func(offset, size int64)        // called after each chunk
	Wait      func(attempt int) time.Duration // pause before a retry; default 200 ms × attempt
}

// UploadMedia uploads a whole file (managers): creates the upload, sends
// the chunks, resumes after broken connections (asking the server where it
// stands), and completes it.
func (c *Client) UploadMedia(ctx context.Context, pid string, in UploadRequest, r io.ReaderAt, o UploadOptions) (UploadResult, error) {
	up, err := c.CreateUpload(ctx, pid, in)
	if err != nil {
		return UploadResult{}, err
	}
	return c.ResumeUpload(ctx, pid, up.ID, r, in.Size, 0, o)
}

// ResumeUpload sends an upload's bytes from offset on and completes it.
func (c *Client) ResumeUpload(ctx context.Context, pid, id string, r io.ReaderAt, size, offset int64, o UploadOptions) (UploadResult, error) {
	if o.ChunkSize <= 0 {
		o.ChunkSize = 8 << 20
	}
	if o.Retries <= 0 {
		o.Retries = 5
	}
	if o.Wait == nil {
		o.Wait = func(n int) time.Duration { return time.Duration(n) * 200 * time.Millisecond }
	}
	failures := 0
	for offset < size {
		n := min(o.ChunkSize, size-offset)
		next, err := c.UploadChunk(ctx, pid, id, offset, io.NewSectionReader(r, offset, n), n)
		switch {
		case err == nil, Code(err) == wire.CodeOffsetMismatch:
			if next <= offset && err != nil {
				failures++
			} else {
				failures = 0
			}
			offset = next
		case Status(err) != 0 && Status(err) < 500:
			return UploadResult{}, err
		default:
			failures++
			if failures > o.Retries || ctx.Err() != nil {
				return UploadResult{}, err
			}
			select {
			case <-time.After(o.Wait(failures)):
			case <-ctx.Done():
				return UploadResult{}, ctx.Err()
			}
			if at, _, herr := c.UploadStatus(ctx, pid, id); herr == nil {
				offset = at
			}
		}
		if failures > o.Retries {
			return UploadResult{}, fmt.Errorf("upload %s makes no progress at byte %d", id, offset)
		}
		if o.Progress != nil {
			o.Progress(offset, size)
		}
	}
	return c.CompleteUpload(ctx, pid, id)
}

// DownloadMedia writes a program's media to w (members) and returns its
// content type.
func (c *Client) DownloadMedia(ctx context.Context, pid, mid string, w io.Writer) (string, error) {
	return c.download(ctx, prog(pid, "media", mid), w)
}

// MediaThumbnail writes a photo's thumbnail (a small JPEG) to w.
func (c *Client) MediaThumbnail(ctx context.Context, pid, mid string, w io.Writer) (string, error) {
	return c.download(ctx, prog(pid, "media", mid, "thumbnail"), w)
}

// LinkPreviewImage writes the preview image of the page at pageURL to w,
// fetched by the server (public addresses only): an editor shows it without
// fetching anything a page names itself.
func (c *Client) LinkPreviewImage(ctx context.Context, pid, pageURL string, w io.Writer) (string, error) {
	return c.download(ctx, prog(pid, "links", "preview", "image")+"?url="+url.QueryEscape(pageURL), w)
}

func (c *Client) download(ctx context.Context, path string, w io.Writer) (string, error) {
	resp, err := c.raw(ctx, http.MethodGet, path, nil, 0, nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return "", rawError(resp, body)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return "", err
	}
	return resp.Header.Get("Content-Type"), nil
}

// raw sends a request whose body (or answer) is not JSON, streaming it,
// through the same transport and token as the JSON calls.
func (c *Client) raw(ctx context.Context, method, path string, body io.Reader, length int64, h http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.r.BaseURL+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil && length >= 0 {
		req.ContentLength = length
		if length == 0 {
			req.Body = http.NoBody
		}
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if c.r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.r.Token)
	}
	return c.r.GetClient().Do(req)
}

// rawError reads the error body of a non-JSON call.
func rawError(resp *http.Response, body []byte) error { return ResponseError(resp.StatusCode, body) }

// ResponseError is the error an answer with this status and body stands
// for: the API's error body when it is one, else a code named after the
// status, with the body's text (or the status's) as the message. For
// callers that make their own requests (ranged downloads).
func ResponseError(status int, body []byte) error {
	var eb ErrorBody
	if len(body) > 0 && json.Unmarshal(body, &eb) == nil && eb.Error.Code != "" {
		e := eb.Error
		e.Status = status
		return &e
	}
	code := "http_" + strconv.Itoa(status)
	switch status {
	case http.StatusNotFound:
		code = wire.CodeNotFound
	case http.StatusUnauthorized:
		code = wire.CodeUnauthorized
	case http.StatusForbidden:
		code = wire.CodeForbidden
	}
	msg := strings.TrimSpace(string(body))
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &Error{Status: status, Code: code, Message: msg}
}
