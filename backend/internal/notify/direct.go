package notify

import (
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// HandoffJobs are the pushes that send an activity to the person's phones.
// The API queues them in the handoff's own transaction, so a handoff that
// was recorded is never left without its push (a crash, a client gone
// between the write and the queueing). The live event is the caller's:
// Event(…, wire.EventHandoff, …) after the commit.
func (n *Notifier) HandoffJobs(programID, activityID, userID string) []store.NewJob {
	return n.directJobs(directPayload{Kind: push.KindHandoff, ProgramID: programID, ActivityID: activityID, UserID: userID})
}

// TikTokStatusJobs are the pushes that tell the person how staging their
// video ended, queued in the transaction that records the end (package
// tiktokstage).
func (n *Notifier) TikTokStatusJobs(programID, activityID, userID string, staged bool, reason string) []store.NewJob {
	return n.directJobs(directPayload{Kind: push.KindTikTokStatus, ProgramID: programID, ActivityID: activityID,
		UserID: userID, Staged: staged, Reason: reason})
}

func (n *Notifier) directJobs(p directPayload) []store.NewJob {
	if n.jobs == nil {
		return nil
	}
	payload, err := encode(p)
	if err != nil {
		n.log.Error("push: encode direct job", "kind", p.Kind, "err", err)
		return nil
	}
	return []store.NewJob{{Kind: KindDirect, Payload: payload, RunAt: n.now()}}
}
