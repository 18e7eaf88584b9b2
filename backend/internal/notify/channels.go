package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/chatwebhook"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/mail"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/wecom"
)

// The channels beyond push. A new activity reaches each member once per
// channel they have: push where they have a registered device (and did not
// turn it off), email and WeCom as they chose — "auto" (the default) only
// when no push reaches them, "on" always, "off" never — where the program
// has the channel on and the server its credentials. Slack and Teams get
// one message per activity in the program's channel.
//
// Email and WeCom ride the push fan-out: their batches are jobs planned
// with the device batches in the announcement's transaction, and each
// member's outcome is recorded under the same key (act:{activity}) as
// "email:{user}" or "wecom:{user}", so a batch that runs again skips
// whom it reached, quiet hours hold them like devices, and a rate limit
// defers only its own channel.

// Channel names in batch payloads and delivery records.
const (
	ChannelEmail = "email"
	ChannelWeCom = "wecom"
	ChannelSlack = chatwebhook.Slack
	ChannelTeams = chatwebhook.Teams
)

// KindWebhook posts one activity to one program's Slack or Teams channel.
const KindWebhook = "notify.webhook"

// WeComSender is what the WeCom channel needs (a *wecom.Client).
type WeComSender interface {
	SendTextCard(ctx context.Context, m wecom.TextCard) error
	UserIDByEmail(ctx context.Context, email string) (string, error)
}

// WebhookPoster posts to incoming webhooks (a *chatwebhook.Sender).
type WebhookPoster interface {
	Post(ctx context.Context, url string, payload []byte) error
}

// Channels are the senders of the channels beyond push; nil ones are off.
type Channels struct {
	Mail     mail.Sender
	WeCom    WeComSender
	Webhooks WebhookPoster
}

// Opener opens secrets sealed at rest (webhook URLs).
type Opener interface {
	Open(sealed string) (string, error)
}

// wecomLookupRetry is how long a member WeCom did not know by email is
// left alone before looking again.
const wecomLookupRetry = 24 * time.Hour

type channelsBox struct{ Channels }

// SetChannels replaces the email, WeCom and webhook senders (credentials
// reloaded). Sends under way finish with the old ones.
func (n *Notifier) SetChannels(c Channels) { n.channels.Store(&channelsBox{c}) }

func (n *Notifier) chans() Channels {
	if b := n.channels.Load(); b != nil {
		return b.Channels
	}
	return Channels{}
}

// ShareURLFunc makes a member's share page link for an activity (the
// API's ShareURL).
type ShareURLFunc func(ctx context.Context, programID, activityID, userID string) (string, error)

type links struct {
	public  string
	share   ShareURLFunc
	unsub   []byte
	opener  Opener
	picture func(a *domain.Activity) string
}

// SetLinks sets the server's public address and how share page links are
// made: both known only once the API is built, after the notifier.
func (n *Notifier) SetLinks(publicURL string, share ShareURLFunc) {
	l := n.link()
	l.public, l.share = publicURL, share
	n.links.Store(&l)
}

// SetKeys sets the key that signs unsubscribe links and what opens the
// sealed webhook URLs (Options.UnsubscribeKey and Options.Opener), for
// wiring that builds the notifier before the keys. Call it before Run and
// before serving UnsubscribeHandler.
func (n *Notifier) SetKeys(unsubscribe []byte, opener Opener) {
	l := n.link()
	if len(unsubscribe) > 0 {
		l.unsub = unsubscribe
	}
	l.opener = opener
	n.links.Store(&l)
}

// SetPictureURL sets Options.PictureURL.
func (n *Notifier) SetPictureURL(f func(a *domain.Activity) string) {
	l := n.link()
	l.picture = f
	n.links.Store(&l)
}

func (n *Notifier) link() links {
	if l := n.links.Load(); l != nil {
		return *l
	}
	return links{public: n.o.PublicURL, unsub: n.o.UnsubscribeKey, opener: n.o.Opener, picture: n.o.PictureURL}
}

// Channels implements httpapi.ChannelInfo: which channels the server can
// send through now.
func (n *Notifier) Channels() (pushOn, email, wecomOn bool) {
	c := n.chans()
	return len(n.pushPlatforms()) > 0, c.Mail != nil, c.WeCom != nil
}

// pushPlatforms are the platforms the push sender has a service for.
func (n *Notifier) pushPlatforms() []string {
	s := n.sender.Load().Sender
	mux, ok := s.(push.Mux)
	if !ok {
		return []string{string(push.PlatformFCM), string(push.PlatformAPNs), string(push.PlatformWebPush)}
	}
	out := make([]string, 0, len(mux))
	for p := range mux {
		out = append(out, string(p))
	}
	return out
}

// wants says whether a member's choice for a channel sends, given whether
// a push reaches them.
func wants(choice string, pushed bool) bool {
	return choice == store.NotifyOn || (choice == store.NotifyAuto && !pushed)
}

// planChannels adds the email, WeCom and webhook jobs of an announcement.
// visible answers (and remembers) whether a member sees the activity.
func (n *Notifier) planChannels(ctx context.Context, a *domain.Activity, visible func(userID string) bool, now time.Time) ([]store.NewJob, error) {
	chs := n.chans()
	if chs.Mail == nil && chs.WeCom == nil && chs.Webhooks == nil {
		return nil, nil
	}
	pc, err := n.st.ProgramChannels(ctx, a.ProgramID)
	if err != nil {
		return nil, err
	}
	var out []store.NewJob
	emailOn, wecomOn := chs.Mail != nil && pc.EmailEnabled, chs.WeCom != nil && pc.WeComEnabled
	if emailOn || wecomOn {
		rs, err := n.st.Recipients(ctx, a.ProgramID, n.pushPlatforms())
		if err != nil {
			return nil, err
		}
		var email, wc []string
		for _, r := range rs {
			if !visible(r.UserID) {
				continue
			}
			pushed := r.Prefs.Push && r.PushDevices > 0
			if emailOn && r.Email != "" && wants(r.Prefs.Email, pushed) {
				email = append(email, r.UserID)
			}
			if wecomOn && wants(r.Prefs.WeCom, pushed) {
				wc = append(wc, r.UserID)
			}
		}
		for _, c := range []struct {
			name string
			ids  []string
		}{{ChannelEmail, email}, {ChannelWeCom, wc}} {
			for start := 0; start < len(c.ids); start += n.o.BatchSize {
				payload, err := encode(batchPayload{ProgramID: a.ProgramID, ActivityID: a.ID, Channel: c.name, Devices: c.ids[start:min(start+n.o.BatchSize, len(c.ids))]})
				if err != nil {
					return nil, err
				}
				out = append(out, store.NewJob{Kind: KindActivityBatch, Payload: payload, RunAt: now, MaxAttempts: batchAttempts})
			}
		}
	}
	if chs.Webhooks != nil {
		for _, c := range []struct{ name, url string }{{ChannelSlack, pc.SlackWebhook}, {ChannelTeams, pc.TeamsWebhook}} {
			if c.url == "" {
				continue
			}
			payload, err := encode(webhookPayload{ProgramID: a.ProgramID, ActivityID: a.ID, Channel: c.name})
			if err != nil {
				return nil, err
			}
			out = append(out, store.NewJob{Kind: KindWebhook, Payload: payload, RunAt: now, MaxAttempts: batchAttempts,
				DedupeKey: "webhook:" + a.ID + ":" + c.name})
		}
	}
	return out, nil
}

type webhookPayload struct {
	ProgramID  string `json:"program_id"`
	ActivityID string `json:"activity_id"`
	Channel    string `json:"channel"`
}

// handleChannelBatch sends an announcement by email or WeCom to a batch
// of members: those not yet recorded, still members who see it, whose
// choice and program still want the channel, outside their quiet hours.
func (n *Notifier) handleChannelBatch(ctx context.Context, j store.Job, p batchPayload, a *domain.Activity) error {
	now := n.now()
	key := "act:" + a.ID
	ids := make([]string, len(p.Devices))
	for i, u := range p.Devices {
		ids[i] = p.Channel + ":" + u
	}
	pending := ids
	var later time.Duration
	var err error
	if j.Attempts > 1 || p.Held {
		if pending, later, err = n.pending(ctx, key, ids, p.Held, now); err != nil {
			return err
		}
	}
	if len(pending) == 0 {
		return deferredUntil(later, 0, nil)
	}
	users := make([]string, len(pending))
	for i, id := range pending {
		users[i] = strings.TrimPrefix(id, p.Channel+":")
	}
	chs := n.chans()
	pc, err := n.st.ProgramChannels(ctx, a.ProgramID)
	if err != nil {
		return err
	}
	if (p.Channel == ChannelEmail && (chs.Mail == nil || !pc.EmailEnabled)) || (p.Channel == ChannelWeCom && (chs.WeCom == nil || !pc.WeComEnabled)) {
		return nil // turned off since the plan: nobody
	}
	rs, err := n.st.Recipients(ctx, a.ProgramID, n.pushPlatforms(), users...)
	if err != nil {
		return err
	}
	auds, err := n.st.AudiencesOf(ctx, a.ProgramID, users)
	if err != nil {
		return err
	}
	var send []store.Recipient
	var held quietHolds
	var skipped []store.Delivery
	for _, r := range rs {
		aud, member := auds[r.UserID]
		if !member || !domain.Visible(a, aud, now) {
			continue
		}
		pushed := r.Prefs.Push && r.PushDevices > 0
		choice := r.Prefs.Email
		if p.Channel == ChannelWeCom {
			choice = r.Prefs.WeCom
		}
		if !wants(choice, pushed) {
			skipped = append(skipped, store.Delivery{DeviceID: p.Channel + ":" + r.UserID, Outcome: store.OutcomeSkipped})
			continue
		}
		if held.hold(now, r.Timezone, r.QuietHoursStart, r.QuietHoursEnd, r.UserID) {
			continue
		}
		send = append(send, r)
	}
	heldDs, js, err := held.plan(a, p.Channel, j.ID, func(u string) string { return p.Channel + ":" + u })
	if err != nil {
		return err
	}
	ds := append(skipped, heldDs...)
	if err := n.st.RecordDeliveries(ctx, key, ds, now, js...); err != nil {
		return err
	}
	prog, err := n.st.Program(ctx, a.ProgramID)
	if err != nil {
		return err
	}
	var sendOne func(ctx context.Context, r store.Recipient) error
	switch p.Channel {
	case ChannelEmail:
		sendOne = func(ctx context.Context, r store.Recipient) error {
			link, image := n.memberLink(ctx, a, r.UserID)
			m := mail.ActivityMessage(mail.Activity{To: r.Email, Locale: r.Locale, Name: r.Name, Program: prog.Name, Title: activityTitle(a),
				ImageURL: image, Link: link, Unsubscribe: n.UnsubscribeURL(r.UserID)})
			return chs.Mail.Send(ctx, m)
		}
	case ChannelWeCom:
		sendOne = func(ctx context.Context, r store.Recipient) error {
			to := r.WeComUserID
			if to == "" {
				var err error
				if to, err = n.matchWeCom(ctx, chs.WeCom, a.ProgramID, r); err != nil {
					return err
				}
			}
			link, _ := n.memberLink(ctx, a, r.UserID)
			return chs.WeCom.SendTextCard(ctx, wecom.ActivityCard(to, wecom.Activity{Locale: push.ResolveLocale(r.Locale), Program: prog.Name, Title: activityTitle(a), Link: link}))
		}
	default:
		return jobs.Permanent(fmt.Errorf("batch job %d: unknown channel %q", j.ID, p.Channel))
	}
	return n.sendChannel(ctx, key, p.Channel, send, later, sendOne)
}

// errNoWeComUser: WeCom knows nobody by the member's email (recorded as
// skipped, looked up again after wecomLookupRetry).
var errNoWeComUser = errors.New("wecom: the member has no WeCom id and none matches their email")

// matchWeCom finds a member's WeCom id by email and keeps it.
func (n *Notifier) matchWeCom(ctx context.Context, wc WeComSender, programID string, r store.Recipient) (string, error) {
	if !r.WeComLookupAt.IsZero() && n.now().Sub(r.WeComLookupAt) < wecomLookupRetry {
		return "", errNoWeComUser
	}
	id, err := wc.UserIDByEmail(ctx, r.Email)
	switch {
	case errors.Is(err, wecom.ErrNotFound):
		if err := n.st.NoteWeComLookup(context.WithoutCancel(ctx), programID, r.UserID, n.now()); err != nil {
			n.log.Warn("wecom: note failed lookup", "user", r.UserID, "err", err)
		}
		return "", errNoWeComUser
	case err != nil:
		return "", err
	}
	if err := n.st.MatchMemberWeComID(context.WithoutCancel(ctx), programID, r.UserID, id); err != nil {
		return "", err
	}
	return id, nil
}

// memberLink is the member's share page (and its picture when the
// activity has one), or the activity in the web app when no share page
// can be made.
func (n *Notifier) memberLink(ctx context.Context, a *domain.Activity, userID string) (link, image string) {
	if f := n.link().share; f != nil {
		u, err := f(ctx, a.ProgramID, a.ID, userID)
		if err == nil {
			if a.MediaID != "" {
				image = u + "/thumbnail"
			}
			return u, image
		}
		n.log.Warn("notify: share link", "activity", a.ID, "user", userID, "err", err)
	}
	return n.appLink(a.ID), ""
}

func (n *Notifier) appLink(activityID string) string {
	return n.link().public + "/app/#activity/" + activityID
}

// classify turns a channel send's error into its record. wait > 0 with
// wide: the whole provider asked to wait (WeCom 45009), so the batch
// stops sending on this channel.
func classify(err error) (outcome string, wait time.Duration, wide bool) {
	var pe mail.PermanentError
	switch {
	case err == nil:
		return store.OutcomeSent, 0, false
	case errors.Is(err, errNoWeComUser), errors.Is(err, wecom.ErrUnknownUser):
		return store.OutcomeSkipped, 0, false
	case errors.Is(err, wecom.ErrRateLimited):
		return store.OutcomeDeferred, wecom.RateLimitWait, true
	case errors.As(err, &pe), wecom.Permanent(err):
		return store.OutcomeRejected, 0, false
	}
	return "", 0, false
}

// sendChannel sends to recipients with ChannelConcurrency in flight and
// records each outcome under key as it comes, like sendAll. A
// provider-wide rate limit (WeCom's 45009) defers everyone of this batch
// not yet sent, for wecom.RateLimitWait, and stops sending on the
// channel; other channels and the push batches are other jobs and go on.
// Other failures retry the job with the runner's backoff; recorded
// recipients are skipped when it runs again.
func (n *Notifier) sendChannel(ctx context.Context, key, channel string, rs []store.Recipient, later time.Duration, send func(context.Context, store.Recipient) error) error {
	if len(rs) == 0 {
		return deferredUntil(later, 0, nil)
	}
	sendCtx := context.WithoutCancel(ctx)
	var (
		mu        sync.Mutex
		buf       []store.Delivery
		recordErr error
		wait      = later
		waitErr   error
		deferred  int
		failed    int
		firstErr  error
		processed int
		stopUntil atomic.Int64 // unix ms: a provider-wide wait, 0 = none
	)
	bg := context.WithoutCancel(ctx)
	flush := func() {
		if len(buf) == 0 {
			return
		}
		if err := n.st.RecordDeliveries(bg, key, buf, n.now()); err != nil {
			recordErr = err
		}
		buf = buf[:0]
	}
	record := func(r *store.Recipient, err error, at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		processed++
		id := channel + ":" + r.UserID
		outcome, d, wide := classify(err)
		switch outcome {
		case store.OutcomeDeferred:
			if wide {
				stopUntil.CompareAndSwap(0, at.Add(d).UnixMilli())
			}
			buf = append(buf, store.Delivery{DeviceID: id, Outcome: outcome, NotBefore: at.Add(d)})
			deferred++
			if wait <= 0 || d < wait {
				wait, waitErr = d, err
			}
		case "":
			failed++
			if firstErr == nil {
				firstErr = err
			}
		default:
			if outcome == store.OutcomeRejected {
				n.log.Warn("notify: refused for good", "channel", channel, "user", r.UserID, "err", err)
			}
			buf = append(buf, store.Delivery{DeviceID: id, Outcome: outcome})
		}
		if len(buf) >= 100 {
			flush()
		}
	}
	work := make(chan *store.Recipient)
	var wg sync.WaitGroup
	for range min(n.o.ChannelConcurrency, len(rs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				if until := stopUntil.Load(); until != 0 {
					// The provider asked everyone to wait: no more calls.
					record(r, fmt.Errorf("%w (held back with the batch)", wecom.ErrRateLimited), time.UnixMilli(until).Add(-wecom.RateLimitWait))
					continue
				}
				err := send(sendCtx, *r)
				record(r, err, n.now())
			}
		}()
	}
	for i := range rs {
		select {
		case work <- &rs[i]:
			continue
		case <-ctx.Done():
		}
		break
	}
	close(work)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	flush()
	if deferred > 0 {
		n.log.Info("notify: rate limited; deferred", "channel", channel, "key", key, "recipients", deferred, "retry_in", wait, "err", waitErr)
	}
	switch {
	case recordErr != nil:
		return fmt.Errorf("record deliveries: %w", recordErr)
	case ctx.Err() != nil && processed < len(rs):
		return ctx.Err()
	case failed > 0:
		return fmt.Errorf("%d of %d %s messages failed, e.g.: %w", failed, len(rs), channel, firstErr)
	}
	return deferredUntil(wait, deferred, waitErr)
}

// handleWebhook posts an activity to a program's Slack or Teams channel,
// once: the post is recorded under the announcement's key.
func (n *Notifier) handleWebhook(ctx context.Context, j store.Job) error {
	var p webhookPayload
	if err := decode(j, &p); err != nil {
		return err
	}
	a, _, err := n.liveActivity(ctx, p.ProgramID, p.ActivityID)
	if a == nil {
		return err
	}
	key, id := "act:"+a.ID, p.Channel+":"+p.ProgramID
	done, err := n.st.Deliveries(ctx, key, []string{id})
	if err != nil {
		return err
	}
	if r, ok := done[id]; ok && r.Outcome != store.OutcomeDeferred {
		return nil
	}
	poster := n.chans().Webhooks
	pc, err := n.st.ProgramChannels(ctx, a.ProgramID)
	if err != nil || poster == nil {
		return err
	}
	sealed := pc.SlackWebhook
	if p.Channel == ChannelTeams {
		sealed = pc.TeamsWebhook
	}
	if sealed == "" {
		return nil // removed since
	}
	url := sealed
	if op := n.link().opener; op != nil {
		if url, err = op.Open(sealed); err != nil {
			return jobs.Permanent(fmt.Errorf("%s webhook of program %s: cannot open the stored URL: %w", p.Channel, p.ProgramID, err))
		}
	}
	prog, err := n.st.Program(ctx, a.ProgramID)
	if err != nil {
		return err
	}
	payload, err := chatwebhook.Message(p.Channel, chatwebhook.Activity{Program: prog.Name, Title: activityTitle(a),
		ImageURL: n.pictureURL(a), Link: n.appLink(a.ID)})
	if err != nil {
		return jobs.Permanent(err)
	}
	err = poster.Post(context.WithoutCancel(ctx), url, payload)
	var rl *chatwebhook.RateLimited
	switch {
	case err == nil:
		return n.st.RecordDeliveries(context.WithoutCancel(ctx), key, []store.Delivery{{DeviceID: id, Outcome: store.OutcomeSent}}, n.now())
	case errors.As(err, &rl):
		return jobs.RetryAfter(max(min(rl.After, push.MaxRetryAfter), time.Second), err)
	case errors.Is(err, chatwebhook.ErrGone):
		n.log.Warn("notify: webhook refused for good; a manager must set a new one", "channel", p.Channel, "program", p.ProgramID, "err", err)
		return n.st.RecordDeliveries(context.WithoutCancel(ctx), key, []store.Delivery{{DeviceID: id, Outcome: store.OutcomeRejected}}, n.now())
	}
	return err
}

// pictureURL is a public address of the activity's picture, for channels
// that show it to everyone in a chat (no member's link may be used).
func (n *Notifier) pictureURL(a *domain.Activity) string {
	f := n.link().picture
	if a.MediaID == "" || f == nil {
		return ""
	}
	return f(a)
}

// UnsubscribeURL is the one-click unsubscribe address for a person's
// activity emails: /u/{token}, the token the person's id signed with the
// server's key (it does one thing: turn those emails off).
func (n *Notifier) UnsubscribeURL(userID string) string {
	return n.link().public + "/u/" + n.unsubscribeToken(userID)
}

func (n *Notifier) unsubscribeToken(userID string) string {
	m := hmac.New(sha256.New, n.link().unsub)
	m.Write([]byte("unsubscribe|" + userID))
	return base64.RawURLEncoding.EncodeToString([]byte(userID)) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// unsubscribeUser checks a token and returns its person.
func (n *Notifier) unsubscribeUser(token string) (string, bool) {
	if len(token) > 200 {
		return "", false
	}
	id, _, ok := strings.Cut(token, ".")
	if !ok {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(raw) == 0 {
		return "", false
	}
	want := n.unsubscribeToken(string(raw))
	return string(raw), hmac.Equal([]byte(want), []byte(token))
}
