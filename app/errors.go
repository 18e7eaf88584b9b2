package app

import (
	"context"
	"errors"

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
		if unreachable(err) {
			return ui.tr.T("error.offline")
		}
		return ui.tr.T("error.generic", "code", "app")
	}
	if ui.tr.Has("error." + code) {
		return ui.tr.T("error." + code)
	}
	return ui.tr.T("error.generic", "code", code)
}

// unreachable tells a failure to reach the server (no network, server down,
// timeout) from an answer: only these are worth queueing and retrying.
func unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	return client.Code(err) == ""
}

// retryLater says whether a server answer is temporary (the perform stays
// queued) rather than final (it leaves the queue with its error).
func retryLater(err error) bool {
	if unreachable(err) {
		return true
	}
	s := client.Status(err)
	return s == 408 || s == 429 || s >= 500
}
