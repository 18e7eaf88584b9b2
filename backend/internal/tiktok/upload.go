package tiktok

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Publish statuses ([status], "status" field). For an inbox upload the
// journey ends at SEND_TO_USER_INBOX; PUBLISH_COMPLETE means the member has
// since posted it in the TikTok app.
const (
	StateProcessingUpload   = "PROCESSING_UPLOAD"
	StateProcessingDownload = "PROCESSING_DOWNLOAD"
	StateSendToUserInbox    = "SEND_TO_USER_INBOX"
	StatePublishComplete    = "PUBLISH_COMPLETE"
	StateFailed             = "FAILED"
)

// Status is one answer of the status fetch.
type Status struct {
	State         string
	FailReason    string
	UploadedBytes int64
}

// Staged reports whether the video reached the member's inbox, which is
// what Chorus promises; posting it is the member's step in TikTok.
func (s Status) Staged() bool {
	return s.State == StateSendToUserInbox || s.State == StatePublishComplete
}

// Done reports whether polling can stop.
func (s Status) Done() bool { return s.Staged() || s.State == StateFailed }

// Upload content types [media-transfer] accepts for videos: "video/mp4",
// "video/quicktime", "video/webm". Chorus sends MP4 or WebM.
const (
	ContentTypeMP4  = "video/mp4"
	ContentTypeMOV  = "video/quicktime"
	ContentTypeWebM = "video/webm"
)

// InitInboxUpload starts an upload to the member's inbox ([upload],
// "Initialize Video Upload", source FILE_UPLOAD). Each access token may make
// 6 of these a minute, and each success is a pending share on the member's
// account, so the plan is checked locally first.
func (c *Client) InitInboxUpload(ctx context.Context, accessToken string, size int64, plan ChunkPlan) (publishID, uploadURL string, err error) {
	if err := plan.Validate(size); err != nil {
		return "", "", err
	}
	type sourceInfo struct {
		Source          string `json:"source"`
		VideoSize       int64  `json:"video_size"`
		ChunkSize       int64  `json:"chunk_size"`
		TotalChunkCount int    `json:"total_chunk_count"`
	}
	in := struct {
		SourceInfo sourceInfo `json:"source_info"`
	}{sourceInfo{Source: "FILE_UPLOAD", VideoSize: size, ChunkSize: plan.ChunkSize, TotalChunkCount: plan.TotalChunks}}
	var out struct {
		PublishID string `json:"publish_id"`
		UploadURL string `json:"upload_url"`
	}
	if err := c.apiCall(ctx, "init", http.MethodPost, pathInit, accessToken, in, &out); err != nil {
		return "", "", err
	}
	if out.PublishID == "" || out.UploadURL == "" {
		return "", "", &APIError{Endpoint: "init", HTTPStatus: http.StatusOK, Code: CodeInternalError, Message: "init response lacks publish_id or upload_url"}
	}
	return out.PublishID, out.UploadURL, nil
}

// UploadChunk sends one chunk to uploadURL ([media-transfer], "Media transfer
// HTTP schema"). It streams straight from r, so memory stays flat whatever
// the chunk size; total is the whole video's size.
//
// Chunks must go in order; a chunk that failed with a Retryable error is
// sent again as is. After a crash or a refused chunk, FetchStatus's
// UploadedBytes and ChunkPlan.Next say which chunk TikTok expects. TikTok answers 206 for a partial upload and 201 for the
// last chunk; any 2xx is taken as accepted, and FetchStatus's UploadedBytes
// says how far TikTok really got.
func (c *Client) UploadChunk(ctx context.Context, uploadURL string, r io.ReaderAt, total int64, rg Range, contentType string) error {
	if rg.First < 0 || rg.Last < rg.First || rg.Last >= total {
		return fmt.Errorf("%w: range %d-%d outside a %d-byte video", ErrInvalidPlan, rg.First, rg.Last, total)
	}
	n := rg.Len()
	newBody := func() io.ReadCloser { return io.NopCloser(io.NewSectionReader(r, rg.First, n)) }
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, newBody())
	if err != nil {
		return err
	}
	// A SectionReader is not one of the types net/http sizes by itself;
	// without this the body would go chunked, which has no Content-Length.
	req.ContentLength = n
	// Lets the transport resend on a stale keep-alive connection.
	req.GetBody = func() (io.ReadCloser, error) { return newBody(), nil }
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Content-Range", rg.ContentRange(total))
	resp, body, err := c.do("upload", req)
	if err != nil {
		return err
	}
	if ae := decodeError("upload", resp, body, c.now()); ae != nil {
		return ae
	}
	if resp.StatusCode/100 != 2 {
		return httpError("upload", resp, body, c.now())
	}
	return nil
}

// FetchStatus reads where an upload stands ([status]). Each access token may
// make 30 of these a minute.
func (c *Client) FetchStatus(ctx context.Context, accessToken, publishID string) (Status, error) {
	in := struct {
		PublishID string `json:"publish_id"`
	}{publishID}
	var out struct {
		Status        string `json:"status"`
		FailReason    string `json:"fail_reason"`
		UploadedBytes int64  `json:"uploaded_bytes"`
	}
	if err := c.apiCall(ctx, "status", http.MethodPost, pathStatus, accessToken, in, &out); err != nil {
		return Status{}, err
	}
	return Status{State: out.Status, FailReason: out.FailReason, UploadedBytes: out.UploadedBytes}, nil
}
