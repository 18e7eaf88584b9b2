package app

import (
	"errors"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/platform"
)

// errText turns an error into words for the member, by API code: the
// server's own message is English, and members read Chinese too.
func (ui *UI) errText(err error) string {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, errNotAvailable):
		return ui.tr.T("error.not_available")
	case errors.Is(err, platform.ErrPhoneOnly):
		return ui.tr.T("share.phone_only")
	case errors.Is(err, platform.ErrNoShareSheet):
		return ui.tr.T("error.no_share_sheet")
	}
	code := client.Code(err)
	if code == "" {
		if session.Unreachable(err) {
			return ui.tr.T("error.offline")
		}
		return ui.tr.T("error.generic", "code", "app")
	}
	if ui.tr.Has("error." + code) {
		return ui.tr.T("error." + code)
	}
	return ui.tr.T("error.generic", "code", code)
}
