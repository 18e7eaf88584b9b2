package tiktoktest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
)

// Chunk restrictions of the media transfer guide, each bound at its strict
// end under either reading of "MB" (10^6 or 2^20 bytes): a client passes
// here only if it is right under both.
const (
	minChunk      int64 = 5 << 20     // "at least 5 MB": 5 MiB is the larger reading
	maxChunk      int64 = 64_000_000  // "no greater than 64 MB": 10^6 is the smaller
	maxFinalChunk int64 = 128_000_000 // "up to 128 MB"
	maxChunkCount       = 1000
)

// Upload MIME types the media transfer guide lists for video.
var videoTypes = []string{"video/mp4", "video/quicktime", "video/webm"}

type upload struct {
	seq               int
	id, token, openID string
	size, chunkSize   int64
	totalChunks       int
	received          int64
	inflight          bool
	contentType       string
	mem               []byte
	file              *os.File
	polls             int
	failReason        string
	published, staged bool
}

func (u *upload) complete() bool { return u.received == u.size }

// checkChunkRules validates an init's source_info against the media transfer
// guide; it returns "" when acceptable.
func checkChunkRules(size, chunk int64, total int) string {
	switch {
	case size <= 0:
		return "video_size must be positive"
	case chunk <= 0:
		return "chunk_size must be positive"
	case total < 1 || total > maxChunkCount:
		return fmt.Sprintf("total_chunk_count must be between 1 and %d", maxChunkCount)
	}
	if size < minChunk {
		// "Videos with a total size less than 5 MB must be uploaded as a
		// whole, with chunk_size equal to the entire video's byte size."
		if chunk != size || total != 1 {
			return "a video under 5 MB must be uploaded whole: chunk_size = video_size, total_chunk_count = 1"
		}
		return ""
	}
	if int64(total) != size/chunk {
		return fmt.Sprintf("total_chunk_count must be floor(video_size / chunk_size) = %d", size/chunk)
	}
	if chunk < minChunk || chunk > maxChunk {
		return "chunk_size must be at least 5 MB and at most 64 MB"
	}
	if size > maxChunk && total < 2 {
		return "a video over 64 MB must be uploaded in multiple chunks"
	}
	if last := size - int64(total-1)*chunk; last > maxFinalChunk {
		return "the final chunk may be at most 128 MB"
	}
	return ""
}

// handleInit serves POST /v2/post/publish/inbox/video/init/ (FILE_UPLOAD).
func (s *Server) handleInit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, _, ok := s.apiAuth(w, r, Init, "video.upload")
	if !ok {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.writeAPIError(w, 0, "invalid_params", "Content-Type must be application/json; charset=UTF-8", 0)
		return
	}
	if s.refuseInit != "" {
		s.log("init: refused by switch", "open_id", t.openID, "code", s.refuseInit)
		s.writeAPIError(w, 0, s.refuseInit, "Refused by the fake TikTok's RefuseInit switch.", 0)
		return
	}
	var in struct {
		SourceInfo *struct {
			Source          string `json:"source"`
			VideoSize       int64  `json:"video_size"`
			ChunkSize       int64  `json:"chunk_size"`
			TotalChunkCount int    `json:"total_chunk_count"`
		} `json:"source_info"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	if err := dec.Decode(&in); err != nil || in.SourceInfo == nil {
		s.writeAPIError(w, 0, "invalid_params", "body must be JSON with source_info", 0)
		return
	}
	si := in.SourceInfo
	if si.Source != "FILE_UPLOAD" {
		// PULL_FROM_URL is real but needs a verified domain; Chorus does not use it.
		s.writeAPIError(w, 0, "invalid_params", "source must be FILE_UPLOAD (the fake does not pull from URLs)", 0)
		return
	}
	if msg := checkChunkRules(si.VideoSize, si.ChunkSize, si.TotalChunkCount); msg != "" {
		s.log("init: chunk rules violated", "open_id", t.openID, "video_size", si.VideoSize, "chunk_size", si.ChunkSize, "total_chunk_count", si.TotalChunkCount, "reason", msg)
		s.writeAPIError(w, 0, "invalid_params", msg, 0)
		return
	}
	u := &upload{
		id: fmt.Sprintf("v_inbox_file~v2.%d", 7000000000+s.publishSeq+1), token: randomToken(""),
		openID: t.openID, size: si.VideoSize, chunkSize: si.ChunkSize, totalChunks: si.TotalChunkCount,
	}
	if u.size > s.memThreshold {
		f, err := s.tempFile()
		if err != nil {
			s.writeAPIError(w, 0, "internal_error", "fake TikTok cannot store the upload: "+err.Error(), 0)
			return
		}
		u.file = f
	} else {
		u.mem = make([]byte, 0, u.size)
	}
	s.publishSeq++
	u.seq = s.publishSeq
	s.uploads[u.id] = u
	s.inits++
	q := url.Values{"upload_id": {u.id}, "upload_token": {u.token}}
	uploadURL := s.ts.URL + "/upload/?" + q.Encode()
	s.log("init: upload created", "open_id", t.openID, "publish_id", u.id, "video_size", u.size, "chunk_size", u.chunkSize, "total_chunk_count", u.totalChunks)
	s.writeAPIData(w, map[string]string{"publish_id": u.id, "upload_url": uploadURL})
}

func (s *Server) tempFile() (*os.File, error) {
	if s.dir == "" {
		d, err := os.MkdirTemp("", "tiktoktest-")
		if err != nil {
			return nil, err
		}
		s.dir = d
	}
	return os.CreateTemp(s.dir, "upload-*")
}

// handleUpload serves the chunk PUTs of the media transfer guide: one
// upload_url for all chunks, sequential Content-Range, each chunk exactly
// chunk_size bytes except the last, which takes the trailing bytes. It
// answers 206 Partial Content until the last chunk and 201 Created then.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u, off, n, ok := s.admitChunk(w, r)
	s.mu.Unlock()
	if !ok {
		return
	}
	// The body is read without the lock; u.inflight keeps other PUTs out.
	err := s.storeChunk(u, r.Body, off, n)

	s.mu.Lock()
	defer s.mu.Unlock()
	u.inflight = false
	if err != nil {
		s.log("upload: chunk body incomplete", "publish_id", u.id, "error", err)
		s.writeAPIError(w, http.StatusBadRequest, "invalid_params", "chunk body shorter than Content-Length: "+err.Error(), 0)
		return
	}
	first := u.received
	u.received += n
	s.log("upload: chunk stored", "publish_id", u.id, "first", first, "last", u.received-1, "total", u.size)
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, u.received-1, u.size))
	if u.complete() {
		w.WriteHeader(http.StatusCreated)
		return
	}
	w.WriteHeader(http.StatusPartialContent)
}

// admitChunk checks a PUT's headers against the upload and reserves it;
// callers hold s.mu. On refusal it has drained the body and answered.
func (s *Server) admitChunk(w http.ResponseWriter, r *http.Request) (u *upload, first, n int64, ok bool) {
	refuse := func(status int, code, msg string) (*upload, int64, int64, bool) {
		// Drain what the client is sending so it reads our answer rather
		// than a connection reset (net/http gives up after 256 KB).
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxFinalChunk+1))
		s.log("upload: chunk refused", "status", status, "code", code, "reason", msg)
		s.writeAPIError(w, status, code, msg, 0)
		return nil, 0, 0, false
	}
	if f, ok := s.takeFault(Upload); ok {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxFinalChunk+1))
		s.log("upload refused by injected fault", "status", f.Status, "code", f.Code)
		s.writeAPIError(w, f.Status, f.Code, f.Message, f.RetryAfter)
		return nil, 0, 0, false
	}
	q := r.URL.Query()
	u = s.uploads[q.Get("upload_id")]
	if u == nil || u.token != q.Get("upload_token") {
		return refuse(http.StatusNotFound, "invalid_params", "unknown upload_url")
	}
	if u.complete() {
		return refuse(http.StatusBadRequest, "invalid_params", "upload is already complete")
	}
	if u.inflight {
		return refuse(http.StatusConflict, "invalid_params", "chunks must be uploaded sequentially; another chunk is in progress")
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !slices.Contains(videoTypes, ct) {
		return refuse(http.StatusBadRequest, "invalid_params", "Content-Type must be one of "+strings.Join(videoTypes, ", "))
	}
	if u.contentType != "" && ct != u.contentType {
		return refuse(http.StatusBadRequest, "invalid_params", "Content-Type changed between chunks")
	}
	first, last, total, err := parseContentRange(r.Header.Get("Content-Range"))
	if err != nil {
		return refuse(http.StatusBadRequest, "invalid_params", err.Error())
	}
	if total != u.size {
		return refuse(http.StatusBadRequest, "invalid_params", fmt.Sprintf("Content-Range total %d != video_size %d", total, u.size))
	}
	if first != u.received {
		return refuse(http.StatusRequestedRangeNotSatisfiable, "invalid_params", fmt.Sprintf("chunks must be uploaded sequentially: expected first byte %d, got %d", u.received, first))
	}
	idx := int(first / u.chunkSize)
	want := u.chunkSize
	if idx == u.totalChunks-1 {
		want = u.size - first
	}
	if last-first+1 != want {
		return refuse(http.StatusBadRequest, "invalid_params", fmt.Sprintf("chunk %d must be %d bytes, Content-Range says %d", idx+1, want, last-first+1))
	}
	if r.ContentLength < 0 {
		return refuse(http.StatusLengthRequired, "invalid_params", "Content-Length is required")
	}
	if r.ContentLength != want {
		return refuse(http.StatusBadRequest, "invalid_params", fmt.Sprintf("Content-Length %d != chunk size %d", r.ContentLength, want))
	}
	u.contentType = ct
	u.inflight = true
	return u, first, want, true
}

// storeChunk copies exactly n bytes of body to offset off of u's storage;
// admitChunk guaranteed off is where u's bytes end.
func (s *Server) storeChunk(u *upload, body io.Reader, off, n int64) error {
	if u.file != nil {
		w := io.NewOffsetWriter(u.file, off)
		_, err := io.CopyN(w, body, n)
		return err
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(body, buf); err != nil {
		return err
	}
	s.mu.Lock()
	u.mem = append(u.mem, buf...)
	s.mu.Unlock()
	return nil
}

// parseContentRange reads "bytes FIRST-LAST/TOTAL" strictly.
func parseContentRange(v string) (first, last, total int64, err error) {
	if _, err := fmt.Sscanf(v, "bytes %d-%d/%d", &first, &last, &total); err != nil ||
		v != fmt.Sprintf("bytes %d-%d/%d", first, last, total) || first < 0 || last < first || last >= total {
		return 0, 0, 0, fmt.Errorf("Content-Range %q must be bytes FIRST-LAST/TOTAL", v)
	}
	return first, last, total, nil
}

// handleStatus serves POST /v2/post/publish/status/fetch/. An upload answers
// PROCESSING_UPLOAD until its last chunk is in, then PROCESSING_DOWNLOAD for
// SetStatusPolls fetches, then SEND_TO_USER_INBOX (and PUBLISH_COMPLETE
// after Publish), unless FailStatus makes it FAILED.
func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, _, ok := s.apiAuth(w, r, Status, "video.upload", "video.publish")
	if !ok {
		return
	}
	var in struct {
		PublishID string `json:"publish_id"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil || in.PublishID == "" {
		s.writeAPIError(w, 0, "invalid_params", "body must be JSON with publish_id", 0)
		return
	}
	u := s.uploads[in.PublishID]
	if u == nil || u.openID != t.openID {
		s.writeAPIError(w, 0, "invalid_params", "publish_id not found for this user", 0)
		return
	}
	if u.failReason == "" && s.failAll != "" && !u.staged {
		u.failReason = s.failAll
	}
	var state string
	switch {
	case u.failReason != "":
		state = "FAILED"
	case !u.complete():
		state = "PROCESSING_UPLOAD"
	case u.published:
		state = "PUBLISH_COMPLETE"
	default:
		u.polls++
		if u.polls <= s.statusPolls && !u.staged {
			state = "PROCESSING_DOWNLOAD"
		} else {
			u.staged = true
			state = "SEND_TO_USER_INBOX"
		}
	}
	s.log("status", "publish_id", u.id, "status", state, "fail_reason", u.failReason, "uploaded_bytes", u.received)
	s.writeAPIData(w, map[string]any{
		"status":                      state,
		"fail_reason":                 u.failReason,
		"publicaly_available_post_id": []string{},
		"uploaded_bytes":              u.received,
	})
}
