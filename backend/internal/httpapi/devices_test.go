package httpapi_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpushtest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

func TestDevices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		_, ann := e.AddMember("ann@acme.test", "UTC")
		_, bo := e.AddMember("bo@acme.test", "UTC")

		d1 := must[client.Device](t)(ann.RegisterDevice(ctx, client.DeviceInput{Platform: "fcm", Token: "fcm-token-1"}))
		if d1.ID == "" || d1.Platform != "fcm" || d1.Locale != "" {
			t.Fatalf("registered: %+v", d1)
		}
		// The same token again: the same registration, updated.
		again := must[client.Device](t)(ann.RegisterDevice(ctx, client.DeviceInput{Platform: "fcm", Token: "fcm-token-1", Locale: "zh-CN"}))
		if again.ID != d1.ID || again.Locale != "zh-Hans" || !again.CreatedAt.Equal(d1.CreatedAt) {
			t.Fatalf("re-registered: %+v (first %+v)", again, d1)
		}
		apple := must[client.Device](t)(ann.RegisterDevice(ctx, client.DeviceInput{Platform: "apns", Token: strings.Repeat("AB", 32)}))
		wp := webpushtest.New()
		defer wp.Close()
		sub, _ := wp.NewSubscription()
		web := must[client.Device](t)(ann.RegisterDevice(ctx, client.DeviceInput{Platform: "webpush",
			Subscription: &client.WebPushSubscription{Endpoint: sub.Endpoint, Keys: client.WebPushKeys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}}}))
		list := must[client.List[client.Device]](t)(ann.Devices(ctx))
		if len(list.Items) != 3 || list.Items[0].ID != d1.ID || list.Items[1].ID != apple.ID || list.Items[2].ID != web.ID {
			t.Fatalf("list: %+v", list.Items)
		}

		for _, c := range []struct {
			in    client.DeviceInput
			field string
		}{
			{client.DeviceInput{Platform: "sms", Token: "x"}, "platform"},
			{client.DeviceInput{Platform: "fcm"}, "token"},
			{client.DeviceInput{Platform: "fcm", Token: "has space"}, "token"},
			{client.DeviceInput{Platform: "apns", Token: "not-hex"}, "token"},
			{client.DeviceInput{Platform: "apns", Token: "abcd"}, "token"},
			{client.DeviceInput{Platform: "webpush"}, "subscription"},
			{client.DeviceInput{Platform: "webpush", Token: "x", Subscription: &client.WebPushSubscription{Endpoint: sub.Endpoint, Keys: client.WebPushKeys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}}}, "token"},
			{client.DeviceInput{Platform: "webpush", Subscription: &client.WebPushSubscription{Endpoint: "http://push.example.com/x", Keys: client.WebPushKeys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}}}, "subscription"},
			{client.DeviceInput{Platform: "webpush", Subscription: &client.WebPushSubscription{Endpoint: sub.Endpoint, Keys: client.WebPushKeys{P256dh: "AAAA", Auth: sub.Keys.Auth}}}, "subscription"},
			{client.DeviceInput{Platform: "fcm", Token: "t", Subscription: &client.WebPushSubscription{}}, "subscription"},
			{client.DeviceInput{Platform: "fcm", Token: "t", Locale: "en US!"}, "locale"},
		} {
			_, err := ann.RegisterDevice(ctx, c.in)
			var ae *client.Error
			if apitest.Code(err) != "validation_failed" || !errors.As(err, &ae) || ae.Fields[c.field] == "" {
				t.Errorf("%+v: %v, want a complaint about %s", c.in, err, c.field)
			}
		}

		// The phone changes hands: its token moves to the new person.
		moved := must[client.Device](t)(bo.RegisterDevice(ctx, client.DeviceInput{Platform: "fcm", Token: "fcm-token-1"}))
		if moved.ID != d1.ID {
			t.Fatalf("moved device has a new id: %+v", moved)
		}
		if n := len(must[client.List[client.Device]](t)(ann.Devices(ctx)).Items); n != 2 {
			t.Fatalf("ann still has %d devices", n)
		}
		if err := ann.DeleteDevice(ctx, d1.ID); apitest.Code(err) != "not_found" {
			t.Fatalf("deleting someone else's device: %v", err)
		}
		if err := bo.DeleteDevice(ctx, d1.ID); err != nil {
			t.Fatal(err)
		}
		if err := bo.DeleteDevice(ctx, d1.ID); apitest.Code(err) != "not_found" {
			t.Fatalf("deleting twice: %v", err)
		}
		if n := len(must[client.List[client.Device]](t)(bo.Devices(ctx)).Items); n != 0 {
			t.Fatalf("bo has %d devices", n)
		}
	})
}

func TestQuietHoursSetting(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	_, ann := e.AddMember("ann@acme.test", "Asia/Shanghai")
	for _, c := range []struct {
		start, end *string
		field      string
	}{
		{apitest.Ptr("22:00"), nil, "quiet_hours_end"},
		{nil, apitest.Ptr("07:00"), "quiet_hours_start"},
		{apitest.Ptr("25:00"), apitest.Ptr("07:00"), "quiet_hours_start"},
		{apitest.Ptr("22:00"), apitest.Ptr("7am"), "quiet_hours_end"},
	} {
		_, err := ann.UpdateMe(ctx, client.UpdateMe{QuietHoursStart: c.start, QuietHoursEnd: c.end})
		var ae *client.Error
		if !errors.As(err, &ae) || ae.Fields[c.field] == "" {
			t.Errorf("%v–%v: %v, want a complaint about %s", c.start, c.end, err, c.field)
		}
	}
	me := must[client.Me](t)(ann.UpdateMe(ctx, client.UpdateMe{QuietHoursStart: apitest.Ptr("22:00"), QuietHoursEnd: apitest.Ptr("07:00")}))
	if me.QuietHoursStart != "22:00" || me.QuietHoursEnd != "07:00" {
		t.Fatalf("set: %+v", me)
	}
	// One end at a time, keeping the other.
	me = must[client.Me](t)(ann.UpdateMe(ctx, client.UpdateMe{QuietHoursEnd: apitest.Ptr("06:30")}))
	if me.QuietHoursStart != "22:00" || me.QuietHoursEnd != "06:30" {
		t.Fatalf("change end: %+v", me)
	}
	me = must[client.Me](t)(ann.Me(ctx))
	if me.QuietHoursEnd != "06:30" {
		t.Fatalf("read back: %+v", me)
	}
	me = must[client.Me](t)(ann.UpdateMe(ctx, client.UpdateMe{QuietHoursStart: apitest.Ptr(""), QuietHoursEnd: apitest.Ptr("")}))
	if me.QuietHoursStart != "" || me.QuietHoursEnd != "" {
		t.Fatalf("clear: %+v", me)
	}
}
