package client

import (
	"errors"
	"sort"
	"time"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Media upload protocol. An upload is started with POST …/media/uploads
// (UploadRequest → Upload); its bytes go in PATCH requests whose body is
// ContentTypeOffsetStream and whose HeaderUploadOffset says where the chunk
// starts (204 with the new HeaderUploadOffset; 409 offset_mismatch with the
// current one); HEAD answers HeaderUploadOffset and HeaderUploadLength, so a
// broken upload resumes where it stopped; POST …/complete probes the file
// and answers UploadResult, or 422 media_refused (see MediaProblems).
const (
	HeaderUploadOffset      = "Upload-Offset"
	HeaderUploadLength      = "Upload-Length"
	HeaderUploadExpires     = "Upload-Expires"
	ContentTypeOffsetStream = "application/offset+octet-stream"
)

// UploadRequest starts an upload: the activity kind it is for
// (wechat_photo, wechat_video, tiktok_video), the file's name and its
// exact size in bytes. A name or size the kind's rules refuse is answered
// at once with media_refused.
type UploadRequest struct {
	Kind     string `json:"kind" maxLength:"word"`
	Filename string `json:"filename" maxLength:"filename"`
	Size     int64  `json:"size"`
}

// Upload is an upload in progress.
type Upload struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
	// Offset is how many bytes have arrived: the next chunk starts here.
	Offset int64 `json:"offset"`
	// ExpiresAt: an upload untouched until then is removed.
	ExpiresAt time.Time `json:"expires_at"`
}

// MediaProbe is what the server read from the file's headers.
type MediaProbe struct {
	Container  string `json:"container"`   // mp4, mov, webm, jpeg, png, gif, webp
	VideoCodec string `json:"video_codec"` // h264, hevc, vp8, vp9, av1, …; "" for images
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	DurationMS int64  `json:"duration_ms"`
	SizeBytes  int64  `json:"size_bytes"`
}

// MediaInfo is what a client needs to show and hand over an activity's
// media without probing it: its type, size and SHA-256 (to check a download
// before handing it to WeChat), its dimensions (to lay it out before it
// arrives), its duration, and whether GET …/media/{id}/thumbnail answers (a
// photo's small JPEG, or a video's poster when the server could make one).
type MediaInfo struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`         // wechat_photo, wechat_video, tiktok_video
	ContentType string `json:"content_type"` // image/jpeg, video/mp4, …
	Filename    string `json:"filename"`
	SizeBytes   int64  `json:"size_bytes"`
	SHA256      string `json:"sha256"` // hex of the file's bytes; "" when not known
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	DurationMS  int64  `json:"duration_ms"`
	Thumbnail   bool   `json:"thumbnail"`
}

// UploadResult is a completed upload: the media id to put in an
// activity's media_id, and the facts that were checked.
type UploadResult struct {
	MediaID     string     `json:"media_id"`
	Kind        string     `json:"kind"`
	ContentType string     `json:"content_type"`
	Probe       MediaProbe `json:"probe"`
}

// MediaProblem is one reason a file is refused, with a stable code and a
// message a manager understands ("video is 16.2 s; WeChat allows at most 15 s").
type MediaProblem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

var problemOrder = map[string]int{"unsupported_format": 0, "unreadable": 1, "too_large": 2, "too_long": 3, "too_short": 4, "resolution_too_low": 5}

// MediaProblems returns the problems of a media_refused error, or nil for
// any other error.
func MediaProblems(err error) []MediaProblem {
	var e *Error
	if !errors.As(err, &e) || e.Code != wire.CodeMediaRefused {
		return nil
	}
	out := make([]MediaProblem, 0, len(e.Fields))
	for code, msg := range e.Fields {
		out = append(out, MediaProblem{Code: code, Message: msg})
	}
	sort.Slice(out, func(i, j int) bool {
		oi, iok := problemOrder[out[i].Code]
		oj, jok := problemOrder[out[j].Code]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return out[i].Code < out[j].Code
	})
	return out
}
