package httpapi_test

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpushtest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

func TestDevices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st, loopbackWebPush)
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
		// Oldest first; registrations of the same millisecond come in no
		// particular order, so compare the set and the order of the times.
		list := must[client.List[client.Device]](t)(ann.Devices(ctx))
		byID := map[string]client.Device{}
		for i, d := range list.Items {
			byID[d.ID] = d
			if i > 0 && d.CreatedAt.Before(list.Items[i-1].CreatedAt) {
				t.Errorf("list not oldest first: %+v", list.Items)
			}
		}
		if len(list.Items) != 3 || byID[d1.ID].Platform != "fcm" || byID[d1.ID].Locale != "zh-Hans" ||
			byID[apple.ID].Platform != "apns" || byID[web.ID].Platform != "webpush" {
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

// loopbackWebPush lets registrations name the fake Web Push service, on
// loopback, as `serve --demo` does.
func loopbackWebPush(o *httpapi.Options) { o.WebPushLoopback = true }

// TestWebPushEndpointMustBePublic: the server posts to whatever endpoint a
// member registers, so outside demo mode it must be https on a public
// host: no plain http, no loopback, private, link-local, unique-local or
// carrier-grade NAT address, no localhost.
func TestWebPushEndpointMustBePublic(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	_, ann := e.AddMember("ann@acme.test", "UTC")
	wp := webpushtest.New()
	defer wp.Close()
	fake, _ := wp.NewSubscription()
	for _, endpoint := range []string{
		fake.Endpoint, // http on loopback: the demo's fake, not allowed here
		"http://push.example.com/x",
		"ftp://push.example.com/x",
		"https://127.0.0.1/x",
		"https://localhost/x",
		"https://push.localhost/x",
		"https://[::1]/x",
		"https://10.0.0.8/x",
		"https://172.20.0.1/x",
		"https://192.168.0.10:8443/x",
		"https://169.254.169.254/latest/meta-data/",
		"https://100.64.0.1/x",
		"https://[fd00::1]/x",
		"https://[fe80::1]/x",
		"https://[::ffff:10.0.0.1]/x",
		"https://0.0.0.0/x",
		"https://2130706433/x",
	} {
		_, err := ann.RegisterDevice(ctx, client.DeviceInput{Platform: "webpush",
			Subscription: &client.WebPushSubscription{Endpoint: endpoint, Keys: client.WebPushKeys{P256dh: fake.Keys.P256dh, Auth: fake.Keys.Auth}}})
		var ae *client.Error
		if apitest.Code(err) != "validation_failed" || !errors.As(err, &ae) || !strings.Contains(ae.Fields["subscription"], "https on a public host") {
			t.Errorf("%s: %v, want 422 on subscription", endpoint, err)
		}
	}
	if n := len(must[client.List[client.Device]](t)(ann.Devices(ctx)).Items); n != 0 {
		t.Fatalf("%d devices registered", n)
	}
	// A push service's real address is fine.
	must[client.Device](t)(ann.RegisterDevice(ctx, client.DeviceInput{Platform: "webpush",
		Subscription: &client.WebPushSubscription{Endpoint: "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
			Keys: client.WebPushKeys{P256dh: fake.Keys.P256dh, Auth: fake.Keys.Auth}}}))
}

// TestDeviceLimit: a member keeps store.DeviceLimit devices; one more
// removes their least recently updated; registering a token again updates
// it and does not count twice; registrations racing each other cannot
// exceed the limit.
func TestDeviceLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		_, ann := e.AddMember("ann@acme.test", "UTC")
		reg := func(token string) client.Device {
			t.Helper()
			return must[client.Device](t)(ann.RegisterDevice(ctx, client.DeviceInput{Platform: "fcm", Token: token}))
		}
		count := func() int {
			t.Helper()
			return len(must[client.List[client.Device]](t)(ann.Devices(ctx)).Items)
		}
		first := reg("tok-0")
		time.Sleep(2 * time.Millisecond) // times are in milliseconds: make "least recent" unambiguous
		for i := 1; i < store.DeviceLimit; i++ {
			reg("tok-" + strconv.Itoa(i))
		}
		time.Sleep(2 * time.Millisecond)
		// The first phone again: updated, now the most recent, not counted twice.
		if again := reg("tok-0"); again.ID != first.ID {
			t.Fatalf("re-registered as a new device: %+v", again)
		}
		if n := count(); n != store.DeviceLimit {
			t.Fatalf("%d devices after re-registering, want %d", n, store.DeviceLimit)
		}
		time.Sleep(2 * time.Millisecond)
		reg("tok-new")
		list := must[client.List[client.Device]](t)(ann.Devices(ctx)).Items
		ids := map[string]bool{}
		for _, d := range list {
			ids[d.ID] = true
		}
		if len(list) != store.DeviceLimit || !ids[first.ID] {
			t.Fatalf("%d devices (first kept: %v), want %d with the re-registered one kept", len(list), ids[first.ID], store.DeviceLimit)
		}

		// Racing registrations, from another member's account too (a token
		// moving between people), never leave anyone above the limit.
		_, bo := e.AddMember("bo@acme.test", "UTC")
		var wg sync.WaitGroup
		errs := make(chan error, 3*store.DeviceLimit)
		for i := range 3 * store.DeviceLimit {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, tok := ann, "race-"+strconv.Itoa(i)
				if i%5 == 0 {
					c, tok = bo, "tok-"+strconv.Itoa(i%store.DeviceLimit)
				}
				if _, err := c.RegisterDevice(ctx, client.DeviceInput{Platform: "fcm", Token: tok}); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := count(); n > store.DeviceLimit {
			t.Fatalf("ann has %d devices, the limit is %d", n, store.DeviceLimit)
		}
		if n := len(must[client.List[client.Device]](t)(bo.Devices(ctx)).Items); n > store.DeviceLimit {
			t.Fatalf("bo has %d devices, the limit is %d", n, store.DeviceLimit)
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
