package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// Media: resumable uploads (POST, then PATCH chunks at Upload-Offset, HEAD
// to resume, POST complete), serving with Range and ETag, thumbnails, the
// media_id check of activities and the link-preview photo job.

// raw declares a route whose request or response body is not JSON: the
// handler reads and writes the request itself. doc describes its bodies
// in the OpenAPI document.
func raw(method, path string, a access, summary string, fn func(c *call) error, doc func(op map[string]any)) route {
	return route{method: method, path: path, access: a, summary: summary, status: http.StatusOK, doc: doc,
		serve: func(c *call) (any, error) { return nil, fn(c) }}
}

// muxPath registers a route on the mux under another pattern than the one
// documented: GET …/media/{mid}/thumbnail would otherwise conflict with
// HEAD …/media/uploads/{id} (both match HEAD …/media/uploads/thumbnail).
func muxPath(rt route, pattern string) route {
	rt.pattern = pattern
	return rt
}

// mediaService is the media service or an error saying there is none.
func (s *Server) mediaService() (*media.Service, error) {
	if s.o.Media == nil {
		return nil, errors.New("media service not configured")
	}
	return s.o.Media, nil
}

func (s *Server) toUpload(u store.Upload) client.Upload {
	ttl := 24 * time.Hour
	if s.o.Media != nil {
		ttl = s.o.Media.UploadTTL()
	}
	return client.Upload{ID: u.ID, Kind: u.Kind, Filename: u.Filename, Size: u.Size, Offset: u.Offset,
		ExpiresAt: u.UpdatedAt.Add(ttl).UTC().Truncate(time.Millisecond)}
}

func uploadHeaders(h http.Header, u client.Upload) {
	h.Set(client.HeaderUploadOffset, strconv.FormatInt(u.Offset, 10))
	h.Set(client.HeaderUploadLength, strconv.FormatInt(u.Size, 10))
	h.Set(client.HeaderUploadExpires, u.ExpiresAt.Format(http.TimeFormat))
	h.Set("Cache-Control", "no-store")
}

func (s *Server) createUpload(c *call, in client.UploadRequest) (client.Upload, error) {
	svc, err := s.mediaService()
	if err != nil {
		return client.Upload{}, err
	}
	u, err := svc.CreateUpload(c.ctx, c.programID, c.user.ID, in.Kind, in.Filename, in.Size)
	if err != nil {
		return client.Upload{}, err
	}
	out := s.toUpload(u)
	uploadHeaders(c.w.Header(), out)
	c.w.Header().Set("Location", "/api/v1/programs/"+url.PathEscape(c.programID)+"/media/uploads/"+url.PathEscape(u.ID))
	return out, nil
}

func (s *Server) uploadStatus(c *call) error {
	svc, err := s.mediaService()
	if err != nil {
		return err
	}
	u, err := svc.Upload(c.ctx, c.programID, c.path("id"))
	if err != nil {
		return err
	}
	uploadHeaders(c.w.Header(), s.toUpload(u))
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) uploadChunk(c *call) error {
	svc, err := s.mediaService()
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if mt != client.ContentTypeOffsetStream && mt != "application/octet-stream" {
		return domain.Errorf(domain.CodeUnsupportedMedia, "send the chunk's bytes with Content-Type: %s", client.ContentTypeOffsetStream)
	}
	offset, perr := strconv.ParseInt(c.r.Header.Get(client.HeaderUploadOffset), 10, 64)
	if perr != nil || offset < 0 {
		return &domain.Error{Code: domain.CodeBadRequest, Message: "send the Upload-Offset header: the byte this chunk starts at (HEAD tells where the upload stands)",
			Fields: map[string]string{client.HeaderUploadOffset: "must be a whole number of bytes, 0 or more"}}
	}
	// The body may stall at most bodyIdle between reads (withBodyDeadlines),
	// with no limit on the whole transfer: a 4 GB video on a slow line.
	rc := http.NewResponseController(c.w)
	interrupt := func() { _ = rc.SetReadDeadline(time.Now()) }
	cur, err := svc.Append(c.ctx, c.programID, c.path("id"), offset, c.r.ContentLength, c.r.Body, interrupt)
	c.w.Header().Set(client.HeaderUploadOffset, strconv.FormatInt(cur, 10))
	c.w.Header().Set("Cache-Control", "no-store")
	if errors.Is(err, media.ErrBodyBroken) {
		// The client went away or a newer request took over: not a
		// server fault; the bytes that arrived are kept.
		s.log.Debug("upload chunk cut short", "upload", c.path("id"), "err", err)
		return domain.Errorf(domain.CodeBadRequest, "the chunk ended early; the upload stands at byte %d", cur)
	}
	if err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) completeUpload(c *call, _ none) (client.UploadResult, error) {
	svc, err := s.mediaService()
	if err != nil {
		return client.UploadResult{}, err
	}
	m, err := svc.Complete(c.ctx, c.programID, c.path("id"))
	if err != nil {
		return client.UploadResult{}, err
	}
	return toUploadResult(m), nil
}

func toUploadResult(m store.Media) client.UploadResult {
	return client.UploadResult{MediaID: m.ID, Kind: m.Kind, ContentType: m.ContentType, Probe: client.MediaProbe{
		Container: m.Container, VideoCodec: m.VideoCodec, Width: m.Width, Height: m.Height, DurationMS: m.DurationMS, SizeBytes: m.SizeBytes}}
}

// serveMedia answers with the file: Range requests, ETag / If-None-Match
// and HEAD are http.ServeContent's. A media id's bytes never change, so
// the id is a strong ETag and the file may be cached for good (privately:
// it needs a member's token).
func (s *Server) serveMedia(c *call) error {
	return s.writeMedia(c, c.path("mid"), "inline")
}

// writeMedia writes a media file of c.programID, with disposition "inline"
// or "attachment" (a download under its own file name): the API's media
// route and the share page's both serve files here.
func (s *Server) writeMedia(c *call, mediaID, disposition string) error {
	svc, err := s.mediaService()
	if err != nil {
		return err
	}
	m, obj, err := svc.Open(c.ctx, c.programID, mediaID)
	if err != nil {
		return err
	}
	defer obj.Close()
	h := c.w.Header()
	h.Set("Content-Type", m.ContentType)
	h.Set("ETag", `"`+m.ID+`"`)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	if d := mime.FormatMediaType(disposition, map[string]string{"filename": m.Filename}); d != "" {
		h.Set("Content-Disposition", d)
	}
	if m.SHA256 != "" {
		http.ServeContent(c.w, c.r, "", m.CreatedAt, obj)
		return nil
	}
	// Media stored before SHA-256s were recorded: the first time its
	// bytes are sent whole, their hash is taken on the way and kept.
	hr := media.NewHashingReader(obj)
	http.ServeContent(c.w, c.r, "", m.CreatedAt, hr)
	if sum, ok := hr.Sum(m.SizeBytes); ok {
		if err := svc.RecordSHA256(context.WithoutCancel(c.ctx), m, sum); err != nil {
			s.log.Warn("record media sha256", "media", m.ID, "err", err)
		}
	}
	return nil
}

func (s *Server) serveThumbnail(c *call) error {
	if c.path("variant") != "thumbnail" {
		return domain.Errorf(domain.CodeNotFound, "no such endpoint: %s %s", c.r.Method, c.r.URL.Path)
	}
	return s.writeThumbnail(c, c.path("mid"))
}

// writeThumbnail writes a photo's thumbnail or a video's poster (the API's
// route and the share page's).
func (s *Server) writeThumbnail(c *call, mediaID string) error {
	svc, err := s.mediaService()
	if err != nil {
		return err
	}
	m, obj, err := svc.Thumbnail(c.ctx, c.programID, mediaID)
	if err != nil {
		return err
	}
	defer obj.Close()
	h := c.w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("ETag", fmt.Sprintf(`"%s-thumb-%d"`, m.ID, media.ThumbLongSide))
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(c.w, c.r, "", m.CreatedAt, obj)
	return nil
}

// checkActivityMedia adds a media_id problem unless the activity's media is
// this program's and suits the activity's type.
func (s *Server) checkActivityMedia(c *call, a domain.Activity, f domain.Fields) error {
	spec, ok := domain.LookupType(a.Type)
	if a.MediaID == "" || !ok || spec.MediaKind == "" {
		return nil
	}
	svc, err := s.mediaService()
	if err != nil {
		return err
	}
	m, err := svc.Media(c.ctx, c.programID, a.MediaID)
	if isCode(err, domain.CodeNotFound) {
		f.Add("media_id", "no such media in this program: upload the file first")
		return nil
	}
	if err != nil {
		return err
	}
	if ps := svc.CheckForKind(m, spec.MediaKind); len(ps) > 0 {
		f.Add("media_id", fmt.Sprintf("does not suit a %s activity: %s", spec.Label, ps[0].Message))
	}
	return nil
}

// linkPreviewJobs asks for the link's preview photo of a WeChat Photo
// activity saved without one.
func (s *Server) linkPreviewJobs(a domain.Activity) []store.NewJob {
	if s.o.Jobs == nil || s.o.Media == nil || !media.WantsLinkPreview(a) {
		return nil
	}
	b, _ := json.Marshal(media.LinkPreviewJob{ProgramID: a.ProgramID, ActivityID: a.ID})
	return []store.NewJob{{Kind: media.JobLinkPreview, Payload: string(b), RunAt: s.now(), DedupeKey: "link_preview:" + a.ID}}
}

// registerMediaJobs gives the job runner the media job handlers.
func (s *Server) registerMediaJobs() {
	if s.o.Jobs != nil && s.o.Media != nil {
		s.o.Jobs.Handle(media.JobLinkPreview, s.o.Media.RunLinkPreview)
	}
}

// OpenAPI descriptions of the raw routes.

func integerHeader(desc string) map[string]any {
	return map[string]any{"description": desc, "schema": map[string]any{"type": "integer", "minimum": 0}}
}

func docUploadStatus(op map[string]any) {
	op["responses"].(map[string]any)["200"] = map[string]any{
		"description": "where the upload stands (no body)",
		"headers": map[string]any{
			client.HeaderUploadOffset: integerHeader("bytes that have arrived: the next chunk starts here"),
			client.HeaderUploadLength: integerHeader("the declared size"),
		},
	}
}

func docUploadChunk(op map[string]any) {
	ps, _ := op["parameters"].([]any)
	op["parameters"] = append(ps, map[string]any{"name": client.HeaderUploadOffset, "in": "header", "required": true,
		"description": "the byte this chunk starts at: the upload's current offset", "schema": map[string]any{"type": "integer", "minimum": 0}})
	op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
		client.ContentTypeOffsetStream: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}},
	}}
	rs := op["responses"].(map[string]any)
	delete(rs, "200")
	rs["204"] = map[string]any{"description": "chunk written", "headers": map[string]any{
		client.HeaderUploadOffset: integerHeader("the upload's offset after this chunk"),
	}}
}

func docMediaFile(types ...string) func(op map[string]any) {
	return func(op map[string]any) {
		content := map[string]any{}
		for _, t := range types {
			content[t] = map[string]any{}
		}
		headers := map[string]any{"ETag": map[string]any{"description": "strong; a media id's bytes never change", "schema": map[string]any{"type": "string"}}}
		rs := op["responses"].(map[string]any)
		rs["200"] = map[string]any{"description": "the file", "content": content, "headers": headers}
		rs["206"] = map[string]any{"description": "the requested Range of the file", "content": content, "headers": headers}
		rs["304"] = map[string]any{"description": "not modified (If-None-Match)"}
		rs["416"] = map[string]any{"description": "the Range lies outside the file", "content": map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}}
	}
}
