package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// batchAttempts: a batch that meets rate limits is retried many times before
// it is given up.
const batchAttempts = 25

// handleLive plans an activity's announcement when it goes live: the members
// the targeting rule picks now, their devices, split into batch jobs that
// are enqueued together with the announcement record.
func (n *Notifier) handleLive(ctx context.Context, j store.Job) error {
	var p livePayload
	if err := decode(j, &p); err != nil {
		return err
	}
	a, err := n.st.Activity(ctx, p.ProgramID, p.ActivityID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	now := n.now()
	switch {
	case a.StartsAt.UnixMilli() != p.StartsAt:
		return nil // the start moved: the job for the new start announces it
	case now.Before(a.StartsAt):
		// Another instance's clock ran ahead; wait for the start.
		return jobs.RetryAfter(a.StartsAt.Sub(now), errors.New("activity not live yet"))
	case !a.Live(now):
		return nil // removed or ended before it could be announced: nobody
	}
	// ProgramDevices returns members' devices only. An activity for
	// everyone needs no one's groups and channels: the rule passes an empty
	// audience, and loading 100,000 of them would be wasted.
	var auds map[string]domain.Audience
	if len(a.GroupIDs) > 0 || len(a.ChannelIDs) > 0 {
		if auds, err = n.st.Audiences(ctx, a.ProgramID); err != nil {
			return err
		}
	}
	// The rule is cheap to apply, so it is applied per device rather than
	// remembered per member; and the devices are split into batch payloads
	// as they are read, so planning 100,000 of them holds only the payloads.
	visible := func(userID string) bool { return domain.Visible(&a, auds[userID], now) }
	var batches []store.NewJob
	chunk := make([]string, 0, n.o.BatchSize)
	devices := 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		payload, err := encode(batchPayload{ProgramID: a.ProgramID, ActivityID: a.ID, Devices: chunk})
		if err != nil {
			return err
		}
		batches = append(batches, store.NewJob{Kind: KindActivityBatch, Payload: payload, RunAt: now, MaxAttempts: batchAttempts})
		chunk = chunk[:0]
		return nil
	}
	if err := n.st.EachProgramDevice(ctx, a.ProgramID, func(d store.DeviceRef) error {
		if !visible(d.UserID) {
			return nil
		}
		devices++
		chunk = append(chunk, d.ID)
		if len(chunk) == n.o.BatchSize {
			return flush()
		}
		return nil
	}); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	channelJobs, err := n.planChannels(ctx, &a, visible, now)
	if err != nil {
		return err
	}
	// Channel batches first, as before: the runner takes jobs due at the
	// same time in the order they were queued.
	batches = append(channelJobs, batches...)
	started, err := n.st.StartAnnouncement(ctx, store.Announcement{ActivityID: a.ID, ProgramID: a.ProgramID, Devices: devices, Batches: len(batches), At: now}, batches)
	if err != nil || !started {
		return err
	}
	n.log.Info("push: announcing activity", "activity", a.ID, "devices", devices, "batches", len(batches))
	if p.Scheduled {
		// Feeds change now.
		n.bus.PublishProgram(a.ProgramID, wire.EventFeedChanged, wire.FeedChanged{ProgramID: a.ProgramID, ActivityID: a.ID, Reason: wire.FeedLive})
	}
	n.jobs.Wake()
	return nil
}

// liveActivity loads a job's activity if it is live now; nil when it was
// removed or is no longer live (the job then has nobody to tell).
func (n *Notifier) liveActivity(ctx context.Context, programID, activityID string) (*domain.Activity, time.Time, error) {
	a, err := n.st.Activity(ctx, programID, activityID)
	if isNotFound(err) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	now := n.now()
	if !a.Live(now) {
		return nil, now, nil
	}
	return &a, now, nil
}

// quietHolds collects the members or devices held back by quiet hours,
// grouped by when each hold ends (in the order first seen), for one batch.
type quietHolds struct {
	at  []int64            // release times, Unix ms
	ids map[int64][]string // ids per release time
}

// hold reports whether id is in its quiet hours now, and if so keeps it
// for the end of them.
func (h *quietHolds) hold(now time.Time, tz, start, end, id string) bool {
	hold, until := push.QuietUntil(now, zone(tz), start, end)
	if !hold {
		return false
	}
	k := until.UnixMilli()
	if h.ids == nil {
		h.ids = map[int64][]string{}
	}
	if h.ids[k] == nil {
		h.at = append(h.at, k)
	}
	h.ids[k] = append(h.ids[k], id)
	return true
}

// plan records every held id as held (its delivery id: record(id), or id)
// and makes one batch job per release time that sends them then (checking
// the rules again). channel is "" for push devices.
func (h *quietHolds) plan(a *domain.Activity, channel string, jobID int64, record func(string) string) ([]store.Delivery, []store.NewJob, error) {
	name := channel
	if name == "" {
		name = "push"
	}
	var ds []store.Delivery
	var js []store.NewJob
	for _, k := range h.at {
		for _, id := range h.ids[k] {
			if record != nil {
				id = record(id)
			}
			ds = append(ds, store.Delivery{DeviceID: id, Outcome: store.OutcomeHeld})
		}
		payload, err := encode(batchPayload{ProgramID: a.ProgramID, ActivityID: a.ID, Channel: channel, Devices: h.ids[k], Held: true})
		if err != nil {
			return nil, nil, err
		}
		js = append(js, store.NewJob{Kind: KindActivityBatch, Payload: payload, RunAt: time.UnixMilli(k), MaxAttempts: batchAttempts,
			DedupeKey: fmt.Sprintf("%s-held:%s:%d:%d", name, a.ID, jobID, k)})
	}
	return ds, js, nil
}

// handleBatch sends an announcement to a batch of devices: those not yet
// recorded, of members, outside their quiet hours, while the activity is
// live. Devices in quiet hours are recorded as held, together with a
// job that sends them when the window ends (re-checking the rule then).
func (n *Notifier) handleBatch(ctx context.Context, j store.Job) error {
	var p batchPayload
	if err := decode(j, &p); err != nil {
		return err
	}
	a, now, err := n.liveActivity(ctx, p.ProgramID, p.ActivityID)
	if a == nil {
		return err
	}
	if p.Channel != "" {
		return n.handleChannelBatch(ctx, j, p, a)
	}
	key := "act:" + a.ID
	pending := p.Devices
	var later time.Duration
	// A device is in one batch only, so a batch's first run finds nothing
	// recorded: only runs again (and releases) need to look.
	if j.Attempts > 1 || p.Held {
		if pending, later, err = n.pending(ctx, key, p.Devices, p.Held, now); err != nil {
			return err
		}
	}
	if len(pending) == 0 {
		return deferredUntil(later, 0, nil)
	}
	targets, err := n.st.PushTargets(ctx, pending)
	if err != nil {
		return err
	}
	// The plan applied membership and the targeting rule moments ago; a
	// quiet-hours release applies them again, hours later.
	var auds map[string]domain.Audience
	if p.Held {
		users := make([]string, 0, len(targets))
		seen := map[string]bool{}
		for _, t := range targets {
			if !seen[t.UserID] {
				seen[t.UserID] = true
				users = append(users, t.UserID)
			}
		}
		if auds, err = n.st.AudiencesOf(ctx, a.ProgramID, users); err != nil {
			return err
		}
	}
	send := make([]store.PushTarget, 0, len(targets))
	var held quietHolds
	for _, t := range targets {
		if p.Held {
			if aud, member := auds[t.UserID]; !member || !domain.Visible(a, aud, now) {
				continue
			}
		}
		if held.hold(now, t.Timezone, t.QuietHoursStart, t.QuietHoursEnd, t.ID) {
			continue
		}
		send = append(send, t)
	}
	if len(held.at) > 0 {
		ds, js, err := held.plan(a, "", j.ID, nil)
		if err != nil {
			return err
		}
		if err := n.st.RecordDeliveries(ctx, key, ds, now, js...); err != nil {
			return err
		}
		n.log.Debug("push: held for quiet hours", "activity", a.ID, "devices", len(ds), "releases", len(js))
	}
	msgs := map[string]push.Message{}
	return n.sendAll(ctx, key, send, later, func(t store.PushTarget) push.Message {
		l := push.ResolveLocale(localeOf(t))
		m, ok := msgs[l]
		if !ok {
			m = push.NewActivityMessage(l, a.ProgramID, a.ID, activityTitle(a))
			msgs[l] = m
		}
		return m
	})
}

// handleDirect sends a handoff or a TikTok staging result to one person.
func (n *Notifier) handleDirect(ctx context.Context, j store.Job) error {
	var p directPayload
	if err := decode(j, &p); err != nil {
		return err
	}
	a, err := n.st.Activity(ctx, p.ProgramID, p.ActivityID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var platforms []string
	if p.Kind == push.KindHandoff {
		platforms = []string{string(push.PlatformFCM), string(push.PlatformAPNs)}
	}
	targets, err := n.st.UserPushTargets(ctx, p.UserID, platforms...)
	if err != nil {
		return err
	}
	key := "job:" + strconv.FormatInt(j.ID, 10)
	ids := make([]string, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
	}
	pending, later, err := n.pending(ctx, key, ids, false, n.now())
	if err != nil {
		return err
	}
	todo := make(map[string]bool, len(pending))
	for _, id := range pending {
		todo[id] = true
	}
	send := targets[:0]
	for _, t := range targets {
		if todo[t.ID] {
			send = append(send, t)
		}
	}
	if len(send) == 0 {
		return deferredUntil(later, 0, nil)
	}
	title := activityTitle(&a)
	return n.sendAll(ctx, key, send, later, func(t store.PushTarget) push.Message {
		if p.Kind == push.KindHandoff {
			return push.HandoffMessage(localeOf(t), a.ProgramID, a.ID, title)
		}
		return push.TikTokStatusMessage(localeOf(t), a.ProgramID, a.ID, title, p.Staged, p.Reason)
	})
}

// pending returns which of ids still need sending under key: those with
// no outcome recorded, those held for quiet hours (in a release, held),
// and those deferred by a rate limit whose time has come. later is how
// soon the first deferral still to come is due (0: none), so the job can
// run again for it.
func (n *Notifier) pending(ctx context.Context, key string, ids []string, held bool, now time.Time) (pending []string, later time.Duration, err error) {
	done, err := n.st.Deliveries(ctx, key, ids)
	if err != nil {
		return nil, 0, err
	}
	pending = make([]string, 0, len(ids))
	for _, id := range ids {
		r, recorded := done[id]
		switch {
		case !recorded, held && r.Outcome == store.OutcomeHeld:
			pending = append(pending, id)
		case r.Outcome == store.OutcomeDeferred:
			if wait := r.At.Sub(now); wait > 0 {
				later = earliest(later, wait)
			} else {
				pending = append(pending, id)
			}
		}
	}
	return pending, later, nil
}

// earliest is the sooner of two waits, where 0 means none.
func earliest(a, b time.Duration) time.Duration {
	if a <= 0 || (b > 0 && b < a) {
		return b
	}
	return a
}

// deferredUntil is a job's result when devices wait for a rate limit: run
// again when the first of them is due (nil when none waits).
func deferredUntil(wait time.Duration, devices int, cause error) error {
	if wait <= 0 {
		return nil
	}
	if cause == nil {
		return jobs.RetryAfter(max(wait, time.Second), errors.New("devices deferred by a push service's Retry-After"))
	}
	return jobs.RetryAfter(max(wait, time.Second), fmt.Errorf("%d device(s) rate limited, e.g.: %w", devices, cause))
}

// sendAll sends to targets with SendConcurrency sends in flight and records
// each outcome under key as it comes (in small groups). When ctx ends
// (shutdown, lease) it stops starting sends but lets those in flight finish
// and records them, so a stopped batch resumes without resending. Dead
// registrations are deleted.
//
// A rate limit (429, or a 5xx with Retry-After) holds back the device that
// met it and nothing else: the device is recorded as deferred until its
// Retry-After (at most push.MaxRetryAfter, at least a second) and the
// others, on every platform, are sent in this run. The job then runs again
// when the first deferred device is due (later is the first one deferred
// by an earlier run), durably: the deferrals are rows, the retry is the
// job's. Other failures retry the job with the runner's backoff; recorded
// devices are skipped, deferred ones until their time.
func (n *Notifier) sendAll(ctx context.Context, key string, targets []store.PushTarget, later time.Duration, msgFor func(store.PushTarget) push.Message) error {
	if len(targets) == 0 {
		return deferredUntil(later, 0, nil)
	}
	sender := n.sender.Load().Sender
	// In-flight sends outlive ctx: an abandoned request may have been
	// delivered without our knowing, and would be sent twice.
	sendCtx := context.WithoutCancel(ctx)
	type result struct {
		t   *store.PushTarget
		err error
		at  time.Time
	}
	var mu sync.Mutex // msgFor's cache is not safe for concurrent use
	work := make(chan *store.PushTarget)
	results := make(chan result, 256)
	var wg sync.WaitGroup
	for range min(n.o.SendConcurrency, len(targets)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range work {
				mu.Lock()
				m := msgFor(*t)
				mu.Unlock()
				err := sender.Send(sendCtx, toPushDevice(t), m)
				results <- result{t, err, n.now()}
			}
		}()
	}
	go func() {
		defer close(work)
		for i := range targets {
			select {
			case work <- &targets[i]:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var (
		buf       []store.Delivery
		recordErr error
		wait      = later
		waitErr   error
		deferred  int
		failed    int
		firstErr  error
		sent      int
		processed int
	)
	bg := context.WithoutCancel(ctx)
	flush := func() {
		if len(buf) == 0 {
			return
		}
		if err := n.rec.record(bg, key, buf, n.now()); err != nil {
			recordErr = err
		}
		// The recorder may still hold buf for another caller's commit
		// only until record returns, so it can be reused.
		buf = buf[:0]
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
loop:
	for {
		select {
		case r, ok := <-results:
			if !ok {
				break loop
			}
			processed++
			switch err := r.err; {
			case err == nil:
				sent++
				buf = append(buf, store.Delivery{DeviceID: r.t.ID, Outcome: store.OutcomeSent})
			case errors.Is(err, push.ErrUnregistered):
				since, _ := push.UnregisteredSince(err)
				if _, derr := n.st.DeleteDeadDevice(bg, r.t.ID, since); derr != nil {
					n.log.Warn("push: remove dead device", "device", r.t.ID, "err", derr)
				}
				n.log.Info("push: device no longer registered; removed", "device", r.t.ID, "platform", r.t.Platform)
				buf = append(buf, store.Delivery{DeviceID: r.t.ID, Outcome: store.OutcomeUnregistered})
			case errors.Is(err, push.ErrRejected):
				n.log.Warn("push: rejected", "device", r.t.ID, "platform", r.t.Platform, "err", err)
				buf = append(buf, store.Delivery{DeviceID: r.t.ID, Outcome: store.OutcomeRejected})
			default:
				if d, ok := push.RetryAfter(err); ok { // capped at push.MaxRetryAfter
					d = max(d, time.Second)
					buf = append(buf, store.Delivery{DeviceID: r.t.ID, Outcome: store.OutcomeDeferred, NotBefore: r.at.Add(d)})
					deferred++
					if wait <= 0 || d < wait {
						wait, waitErr = d, err
					}
					break
				}
				failed++
				if firstErr == nil {
					firstErr = err
				}
			}
			if len(buf) >= 200 {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
	flush()
	if deferred > 0 {
		n.log.Info("push: rate limited devices deferred", "key", key, "devices", deferred, "sent", sent, "retry_in", wait, "err", waitErr)
	}
	switch {
	case recordErr != nil:
		return fmt.Errorf("record deliveries: %w", recordErr)
	case ctx.Err() != nil && processed < len(targets):
		return ctx.Err()
	case failed > 0:
		return fmt.Errorf("%d of %d pushes failed, e.g.: %w", failed, len(targets), firstErr)
	}
	return deferredUntil(wait, deferred, waitErr)
}

func toPushDevice(t *store.PushTarget) push.Device {
	d := push.Device{ID: t.ID, Platform: push.Platform(t.Platform), Token: t.Token, Locale: localeOf(*t)}
	if t.Subscription != "" {
		var sub push.WebPushSubscription
		if err := jsonUnmarshal(t.Subscription, &sub); err == nil {
			d.Subscription = &sub
		}
	}
	return d
}

func localeOf(t store.PushTarget) string {
	if t.Locale != "" {
		return t.Locale
	}
	return t.UserLocale
}

var zones sync.Map // name -> *time.Location: LoadLocation parses zone data each call

func zone(name string) *time.Location {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location)
	}
	loc, ok := domain.LoadLocation(name)
	if !ok {
		loc = time.UTC
	}
	zones.Store(name, loc)
	return loc
}

func isNotFound(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.CodeNotFound
}
