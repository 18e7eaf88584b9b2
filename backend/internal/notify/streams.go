package notify

import (
	"context"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// SubscribeSession implements httpapi.Events: the person's events (first
// those after lastEventID) until stop is called, the channel closes, or the
// session (its token hash) ends.
func (n *Notifier) SubscribeSession(ctx context.Context, userID, sessionHash, lastEventID string) (<-chan client.Event, func(), error) {
	s, err := n.bus.SubscribeSession(ctx, userID, sessionHash, lastEventID)
	if err != nil {
		return nil, nil, err
	}
	return s.Events(), s.Close, nil
}

// EndSession implements httpapi.Events: the session's streams end, on every
// instance.
func (n *Notifier) EndSession(ctx context.Context, sessionHash string) error {
	return n.bus.EndSession(ctx, sessionHash)
}

// EndUser implements httpapi.Events: every stream of the person ends, on
// every instance.
func (n *Notifier) EndUser(ctx context.Context, userID string) error {
	return n.bus.EndUser(ctx, userID)
}

// MembershipChanged implements httpapi.Events: the person's streams follow
// their membership of the program, on every instance.
func (n *Notifier) MembershipChanged(ctx context.Context, programID, userID string) error {
	return n.bus.MembershipChanged(ctx, programID, userID)
}
