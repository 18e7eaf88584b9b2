package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

func toDevice(d store.Device) client.Device {
	return client.Device{ID: d.ID, Platform: d.Platform, Locale: d.Locale, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

func (s *Server) devices(c *call, _ none) (client.List[client.Device], error) {
	ds, err := s.store.Devices(c.ctx, c.user.ID)
	return list(ds, toDevice), err
}

// pushConfig tells apps which devices are worth registering: a browser
// needs the VAPID key to subscribe at all, and an app on a platform the
// server has no credentials for would register for nothing.
func (s *Server) pushConfig(c *call, _ none) (client.PushConfig, error) {
	if s.o.PushConfig == nil {
		return client.PushConfig{}, nil
	}
	return s.o.PushConfig(), nil
}

// registerDevice stores a push registration; the same token again updates
// it (and moves it to the caller, if the phone changed hands). A member
// keeps at most store.DeviceLimit devices: registering one more removes
// their least recently updated one (see store.SaveDevice), so the newest
// device always gets pushes and one member's fan-out stays bounded.
func (s *Server) registerDevice(c *call, in client.DeviceInput) (client.Device, error) {
	d, err := checkDevice(in, push.EndpointPolicy{AllowLoopback: s.o.WebPushLoopback})
	if err != nil {
		return client.Device{}, err
	}
	now := c.now.UTC().Truncate(time.Millisecond)
	d.ID, d.UserID, d.CreatedAt, d.UpdatedAt = domain.NewID("dev"), c.user.ID, now, now
	saved, err := s.store.SaveDevice(c.ctx, d, store.DeviceLimit)
	return toDevice(saved), err
}

func (s *Server) deleteDevice(c *call, _ none) (none, error) {
	return none{}, s.store.DeleteDevice(c.ctx, c.user.ID, c.path("id"))
}

// checkDevice validates a registration and turns it into a store.Device
// (without id, owner and times). A Web Push endpoint must satisfy policy:
// the server will post to it, so it is refused unless it is https on a
// public host (or, in demo mode and tests, on loopback).
func checkDevice(in client.DeviceInput, policy push.EndpointPolicy) (store.Device, error) {
	f := domain.Fields{}
	d := store.Device{Platform: strings.TrimSpace(in.Platform)}
	token := strings.TrimSpace(in.Token)
	switch push.Platform(d.Platform) {
	case push.PlatformFCM:
		switch {
		case token == "":
			f.Add("token", "is required: the FCM registration token")
		case len(token) > domain.MaxTokenLength || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }):
			f.Add("token", "is not an FCM registration token")
		}
	case push.PlatformAPNs:
		switch {
		case token == "":
			f.Add("token", "is required: the APNs device token in hex")
		case len(token) < 32 || len(token) > 200 || len(token)%2 != 0 || strings.Trim(strings.ToLower(token), "0123456789abcdef") != "":
			f.Add("token", "must be the APNs device token in hex (64 or more hex digits)")
		}
		token = strings.ToLower(token)
	case push.PlatformWebPush:
		if token != "" {
			f.Add("token", "is not used for webpush: send subscription")
		}
		if in.Subscription == nil {
			f.Add("subscription", "is required: the browser's PushSubscription (endpoint and keys)")
			break
		}
		sub := push.WebPushSubscription{Endpoint: strings.TrimSpace(in.Subscription.Endpoint),
			Keys: push.WebPushKeys{P256dh: strings.TrimSpace(in.Subscription.Keys.P256dh), Auth: strings.TrimSpace(in.Subscription.Keys.Auth)}}
		if err := sub.Validate(policy); err != nil {
			f.Add("subscription", err.Error())
			break
		}
		if len(sub.Endpoint) > domain.MaxURLLength {
			f.Add("subscription", fmt.Sprintf("endpoint: longer than %d characters", domain.MaxURLLength))
			break
		}
		b, _ := json.Marshal(sub)
		token, d.Subscription = sub.Endpoint, string(b)
	default:
		f.Add("platform", "must be fcm, apns or webpush")
	}
	if in.Subscription != nil && d.Platform != string(push.PlatformWebPush) {
		f.Add("subscription", "is for webpush only: send token")
	}
	if l := strings.TrimSpace(in.Locale); l != "" {
		if len(l) > domain.MaxLocaleLength || strings.Trim(strings.ToLower(l), "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			f.Add("locale", "must be a language tag such as en or zh-Hans")
		}
		d.Locale = push.ResolveLocale(l)
	}
	d.Token = token
	return d, f.Err()
}

// applyQuietHours validates and applies PATCH /me's quiet-hours fields.
func applyQuietHours(f domain.Fields, u *domain.User, in client.UpdateMe) {
	if in.QuietHoursStart == nil && in.QuietHoursEnd == nil {
		return
	}
	start, end := u.QuietHoursStart, u.QuietHoursEnd
	if in.QuietHoursStart != nil {
		start = strings.TrimSpace(*in.QuietHoursStart)
	}
	if in.QuietHoursEnd != nil {
		end = strings.TrimSpace(*in.QuietHoursEnd)
	}
	ok := true
	for _, v := range []struct{ field, val string }{{"quiet_hours_start", start}, {"quiet_hours_end", end}} {
		if v.val == "" {
			continue
		}
		if _, err := push.ParseClock(v.val); err != nil {
			f.Add(v.field, "must be a 24-hour time HH:MM, such as 22:00")
			ok = false
		}
	}
	if ok && (start == "") != (end == "") {
		missing := "quiet_hours_end"
		if start == "" {
			missing = "quiet_hours_start"
		}
		f.Add(missing, "set both quiet_hours_start and quiet_hours_end, or clear both")
	}
	u.QuietHoursStart, u.QuietHoursEnd = start, end
}
