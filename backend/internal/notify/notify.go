// Package notify tells members about changes: push notifications to their
// devices (new activities, desktop handoffs, TikTok staging results) through
// durable jobs, and live events to their open apps. It implements the API's
// Notifier and Events.
//
// Push delivery is at-least-once per device, with duplicates confined to a
// crash's in-flight window: each fan-out batch records every device's
// outcome (push_deliveries) as soon as its send returns and skips recorded
// devices when it runs again, so a restart, a retry or a second instance
// never resends what was recorded. A send whose answer was lost to a crash
// is sent again rather than lost; every message carries a collapse key
// (FCM tag, apns-collapse-id, Web Push Topic), so the phone replaces the
// first copy instead of showing two.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Job kinds.
const (
	// KindActivityLive plans an activity's announcement at its start.
	KindActivityLive = "push.activity_live"
	// KindActivityBatch sends the announcement to up to BatchSize devices.
	KindActivityBatch = "push.activity_batch"
	// KindDirect sends one person a handoff or a TikTok staging result.
	KindDirect = "push.direct"
)

// Options configure a Notifier.
type Options struct {
	Store *store.Store
	// Jobs runs the fan-out; New registers its handlers. Nil: no pushes
	// (live events still flow).
	Jobs *jobs.Runner
	Log  *slog.Logger
	// Sender delivers pushes (a push.Mux); SetSender replaces it later.
	Sender push.Sender
	Now    func() time.Time
	// BatchSize is the most devices one fan-out job sends to (500).
	BatchSize int
	// SendConcurrency is how many sends one job has in flight (32).
	SendConcurrency int
	// ChannelConcurrency is how many emails or WeCom messages one batch
	// has in flight (8): SMTP takes a connection per message and WeCom
	// limits calls per minute.
	ChannelConcurrency int
	// EventRetention is how long live events are kept for resuming (1h).
	EventRetention time.Duration
	// DeliveryRetention is how long delivery records are kept (7 days):
	// longer than any retry or quiet-hours hold of a batch.
	DeliveryRetention time.Duration
	// Channels are the email, WeCom and webhook senders (SetChannels
	// replaces them).
	Channels Channels
	// PublicURL is the server's address, for links in messages.
	PublicURL string
	// UnsubscribeKey signs the email unsubscribe links (a random key
	// when empty: links then end with the process).
	UnsubscribeKey []byte
	// Opener opens the sealed webhook URLs (nil: stored as they are).
	Opener Opener
	// PictureURL is a public address of an activity's picture, for Slack
	// and Teams (nil: no picture).
	PictureURL func(a *domain.Activity) string
}

// Notifier implements httpapi.Notifier and httpapi.Events.
type Notifier struct {
	o      Options
	st     *store.Store
	log    *slog.Logger
	now    func() time.Time
	jobs   *jobs.Runner
	sender atomic.Pointer[senderBox]
	bus    *Bus

	rec recorder

	channels atomic.Pointer[channelsBox]
	links    atomic.Pointer[links]
}

type senderBox struct{ push.Sender }

// New makes a Notifier and registers its job handlers on o.Jobs.
func New(o Options) *Notifier {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.SendConcurrency <= 0 {
		o.SendConcurrency = 32
	}
	if o.ChannelConcurrency <= 0 {
		o.ChannelConcurrency = 8
	}
	if o.EventRetention <= 0 {
		o.EventRetention = time.Hour
	}
	if o.DeliveryRetention <= 0 {
		o.DeliveryRetention = 7 * 24 * time.Hour
	}
	n := &Notifier{o: o, st: o.Store, log: o.Log, now: o.Now, jobs: o.Jobs,
		bus: newBus(o.Store, o.Log, o.Now, o.EventRetention), rec: recorder{st: o.Store}}
	if len(o.UnsubscribeKey) == 0 {
		o.UnsubscribeKey = make([]byte, 32)
		_, _ = rand.Read(o.UnsubscribeKey)
		n.o.UnsubscribeKey = o.UnsubscribeKey
	}
	n.SetSender(o.Sender)
	n.SetChannels(o.Channels)
	if o.Jobs != nil {
		o.Jobs.Handle(KindActivityLive, n.handleLive)
		o.Jobs.Handle(KindActivityBatch, n.handleBatch)
		o.Jobs.Handle(KindDirect, n.handleDirect)
		o.Jobs.Handle(KindWebhook, n.handleWebhook)
	}
	return n
}

// SetSender replaces the push sender (credentials reloaded). Sends under way
// finish with the old one.
func (n *Notifier) SetSender(s push.Sender) {
	if s == nil {
		s = push.Mux{}
	}
	n.sender.Store(&senderBox{s})
}

// Bus is the live event bus.
func (n *Notifier) Bus() *Bus { return n.bus }

// Run delivers live events and does housekeeping until ctx ends.
func (n *Notifier) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() { n.bus.Run(ctx); close(done) }()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			return
		case <-t.C:
			if _, err := n.st.PruneDeliveries(ctx, n.now().Add(-n.o.DeliveryRetention)); err != nil && ctx.Err() == nil {
				n.log.Warn("push: prune delivery records", "err", err)
			}
		}
	}
}

// Subscribe implements httpapi.Events: the person's events (first those
// after lastEventID), until stop is called or the channel closes.
func (n *Notifier) Subscribe(ctx context.Context, userID, lastEventID string) (<-chan client.Event, func(), error) {
	s, err := n.bus.Subscribe(ctx, userID, lastEventID)
	if err != nil {
		return nil, nil, err
	}
	return s.Events(), s.Close, nil
}

// Since implements httpapi.Events.
func (n *Notifier) Since(ctx context.Context, userID, lastEventID string) (client.EventList, error) {
	return n.bus.Since(ctx, userID, lastEventID)
}

// Event sends a live event to a person's open apps.
func (n *Notifier) Event(_ context.Context, userID, kind string, data any) {
	n.bus.PublishUser(userID, kind, data)
}

type livePayload struct {
	ProgramID  string `json:"program_id"`
	ActivityID string `json:"activity_id"`
	StartsAt   int64  `json:"starts_at"` // unix ms: the start this job announces
	// Scheduled: saved before its start, so feeds change when it runs.
	Scheduled bool `json:"scheduled,omitempty"`
}

type batchPayload struct {
	ProgramID  string   `json:"program_id"`
	ActivityID string   `json:"activity_id"`
	Devices    []string `json:"devices"`
	// Held: a quiet-hours release; sends the devices recorded as held.
	Held bool `json:"held,omitempty"`
	// Channel: an email or WeCom batch; Devices are then user ids.
	Channel string `json:"channel,omitempty"`
}

type directPayload struct {
	Kind       string `json:"kind"` // push.KindHandoff or push.KindTikTokStatus
	ProgramID  string `json:"program_id"`
	ActivityID string `json:"activity_id"`
	UserID     string `json:"user_id"`
	Staged     bool   `json:"staged,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// ActivitySaved tells the program's open apps that an activity changed.
func (n *Notifier) ActivitySaved(ctx context.Context, a domain.Activity) error {
	reason := wire.FeedSaved
	if a.Removed() {
		reason = wire.FeedRemoved
	}
	n.bus.PublishProgram(a.ProgramID, wire.EventFeedChanged, wire.FeedChanged{ProgramID: a.ProgramID, ActivityID: a.ID, Reason: reason})
	return nil
}

// ActivityJobs are the jobs that announce a saved activity at its start (at
// once if it has started). The API queues them in the activity's own
// transaction, so a crash never leaves a saved activity unannounced. The job
// is keyed by activity and start: saving again without moving the start adds
// nothing; moving it adds a job for the new start, and the old one finds the
// start changed and does nothing. An announced activity is never announced
// again (the announcements table).
func (n *Notifier) ActivityJobs(a domain.Activity) []store.NewJob {
	now := n.now()
	if n.jobs == nil || a.Removed() || (!a.EndsAt.IsZero() && !now.Before(a.EndsAt)) {
		return nil
	}
	runAt := a.StartsAt
	if runAt.Before(now) {
		runAt = now
	}
	// "Now" as the API computed it may be a moment after ours.
	scheduled := a.StartsAt.After(now.Add(time.Second))
	b, _ := json.Marshal(livePayload{ProgramID: a.ProgramID, ActivityID: a.ID, StartsAt: a.StartsAt.UnixMilli(), Scheduled: scheduled})
	return []store.NewJob{{Kind: KindActivityLive, Payload: string(b), RunAt: runAt,
		DedupeKey: fmt.Sprintf("push-live:%s:%d", a.ID, a.StartsAt.UnixMilli())}}
}

// activityTitle is what a notification calls the activity: its message, or
// for TikTok its instructions.
func activityTitle(a *domain.Activity) string {
	if strings.TrimSpace(a.Message) != "" {
		return a.Message
	}
	return a.Instructions
}

func decode(j store.Job, v any) error {
	if err := json.Unmarshal([]byte(j.Payload), v); err != nil {
		return jobs.Permanent(fmt.Errorf("%s job %d: payload: %w", j.Kind, j.ID, err))
	}
	return nil
}

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
