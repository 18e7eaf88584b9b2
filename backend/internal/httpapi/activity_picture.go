package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"reflect"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// An activity's picture for the program's Slack and Teams channels: those
// services fetch images from a public address, and a chat message must not
// carry a member's share link. /p/{program}/{activity}/{sig} serves the
// activity's thumbnail while it is live; sig binds the program, activity
// and media under the server's share key (with a purpose of its own), so
// the address opens that picture only, and a replaced picture gets a new
// address.

func (s *Server) pictureSig(programID, activityID, mediaID string) string {
	m := hmac.New(sha256.New, s.shareKey)
	m.Write([]byte("activity picture|" + programID + "|" + activityID + "|" + mediaID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// PictureURL is the public address of an activity's picture ("" without
// one): what the notifier puts in Slack and Teams messages.
func (s *Server) PictureURL(a *domain.Activity) string {
	if a.MediaID == "" {
		return ""
	}
	return s.o.PublicURL + "/p/" + a.ProgramID + "/" + a.ID + "/" + s.pictureSig(a.ProgramID, a.ID, a.MediaID)
}

func (s *Server) pictureRoute() route {
	return route{method: "GET", path: "/p/{program}/{activity}/{sig}", access: public, status: http.StatusOK,
		summary: "A live activity's picture (JPEG thumbnail) for the program's Slack and Teams messages; the address is signed and opens that picture only",
		out:     reflect.TypeOf(htmlPage{}), doc: docPicture,
		serve: func(c *call) (any, error) {
			pid, aid := c.path("program"), c.path("activity")
			a, err := s.store.Activity(c.ctx, pid, aid)
			if err != nil || a.MediaID == "" || !a.Live(c.now) ||
				!hmac.Equal([]byte(c.path("sig")), []byte(s.pictureSig(pid, aid, a.MediaID))) {
				return nil, domain.NotFound("picture")
			}
			c.programID = pid
			c.w.Header().Set("Referrer-Policy", "no-referrer")
			if err := s.writeThumbnail(c, a.MediaID); err != nil {
				if isCode(err, wire.CodeThumbnailUnavailable) {
					return nil, domain.NotFound("picture")
				}
				return nil, err
			}
			return nil, nil
		}}
}

func docPicture(op map[string]any) {
	docMediaFile("image/jpeg")(op)
	op["responses"].(map[string]any)["404"] = map[string]any{"description": "no such picture, or the activity is not live"}
}
