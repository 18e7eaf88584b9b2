package app

import (
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// What the screens say about TikTok: an upload's state in a card and on the
// activity screen. The connection and the upload's progress are tiktok.go.

// connectWait is how long the app waits for the member to finish TikTok's
// consent page in the browser.
const connectWait = 10 * time.Minute

func stagingInFlight(st *client.TikTokStaging) bool {
	if st == nil {
		return false
	}
	switch st.Status {
	case wire.StagingPending, wire.StagingUploading, wire.StagingProcessing:
		return true
	}
	return false
}

// stagingShort is a feed card's state for a performed TikTok activity.
func stagingShort(tr *Tr, status string) (string, widget.Importance) {
	switch status {
	case wire.StagingStaged:
		return "✓ " + tr.T("staging.short.staged"), widget.SuccessImportance
	case wire.StagingFailed:
		return tr.T("staging.short.failed"), widget.DangerImportance
	}
	return tr.T("staging.short.sending"), widget.WarningImportance
}

// stagingLong is the activity screen's line about the upload.
func stagingLong(tr *Tr, st *client.TikTokStaging) (string, widget.Importance) {
	switch st.Status {
	case wire.StagingPending:
		return tr.T("staging.pending"), widget.WarningImportance
	case wire.StagingUploading:
		return tr.T("staging.uploading"), widget.WarningImportance
	case wire.StagingProcessing:
		return tr.T("staging.processing"), widget.WarningImportance
	case wire.StagingStaged:
		return tr.T("staging.staged"), widget.SuccessImportance
	case wire.StagingFailed:
		return tr.T("staging.failed", "reason", stagingReason(tr, st.FailReason)), widget.DangerImportance
	}
	return st.Status, widget.MediumImportance
}

// stagingReason words a failure reason; unknown reasons (TikTok adds some)
// are shown as the server gave them.
func stagingReason(tr *Tr, reason string) string {
	if reason == "" {
		return tr.T("staging.reason.unknown")
	}
	if tr.Has("staging.reason." + reason) {
		return tr.T("staging.reason." + reason)
	}
	return reason
}

// tiktokAccount is the member's connected TikTok account, if any.
func tiktokAccount(accts []client.SocialAccount) (client.SocialAccount, bool) {
	for _, a := range accts {
		if a.Network == "tiktok" && a.Status == "connected" {
			return a, true
		}
	}
	return client.SocialAccount{}, false
}
