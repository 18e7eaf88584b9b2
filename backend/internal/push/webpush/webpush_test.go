package webpush

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/netguard"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpushtest"
)

func TestBuildPayload(t *testing.T) {
	got, err := BuildPayload(push.HandoffMessage("zh-Hans", "p1", "a1", "合影"))
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	json.Unmarshal(got, &g)
	json.Unmarshal([]byte(`{
	  "kind": "handoff",
	  "title": "在手机上继续",
	  "body": "点按在手机上打开“合影”并分享。",
	  "deep_link": "chorus://programs/p1/activities/a1",
	  "tag": "handoff-a1",
	  "data": {"program_id": "p1", "activity_id": "a1"}
	}`), &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("payload = %s", got)
	}
}

func TestTopic(t *testing.T) {
	if got := Topic("activity-a1_B"); got != "activity-a1_B" {
		t.Errorf("valid key changed: %q", got)
	}
	if got := Topic(""); got != "" {
		t.Errorf("empty key: %q", got)
	}
	long := Topic("activity-" + strings.Repeat("x", 40))
	odd := Topic("activity:a1")
	for _, got := range []string{long, odd} {
		if len(got) != 32 || strings.ContainsAny(got, "+/=:") {
			t.Errorf("hashed topic %q", got)
		}
	}
	if long == odd || Topic("activity:a2") == odd {
		t.Error("distinct keys share a topic")
	}
}

func TestGenerateVAPIDKeysOrder(t *testing.T) {
	pub, priv, err := GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := push.DecodeBase64(pub)
	k, _ := push.DecodeBase64(priv)
	if len(p) != 65 || p[0] != 4 || len(k) != 32 {
		t.Fatalf("public %d bytes, private %d bytes", len(p), len(k))
	}
	if _, err := New(Config{VAPIDPublicKey: pub, VAPIDPrivateKey: priv, Subscriber: "ops@example.com"}); err != nil {
		t.Fatal(err)
	}
}

func TestNewValidates(t *testing.T) {
	pub, priv, _ := GenerateVAPIDKeys()
	pub2, _, _ := GenerateVAPIDKeys()
	for name, cfg := range map[string]Config{
		"swapped":        {VAPIDPublicKey: priv, VAPIDPrivateKey: pub, Subscriber: "mailto:a@b.c"},
		"foreign pair":   {VAPIDPublicKey: pub2, VAPIDPrivateKey: priv, Subscriber: "mailto:a@b.c"},
		"no subscriber":  {VAPIDPublicKey: pub, VAPIDPrivateKey: priv},
		"bad subscriber": {VAPIDPublicKey: pub, VAPIDPrivateKey: priv, Subscriber: "ops"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func newSender(t *testing.T, subscriber string) *Sender {
	t.Helper()
	pub, priv, err := GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	// The fake listens on loopback: tests run as `serve --demo` does.
	s, err := New(Config{VAPIDPublicKey: pub, VAPIDPrivateKey: priv, Subscriber: subscriber, AllowLoopback: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func device(sub push.WebPushSubscription) push.Device {
	return push.Device{ID: "browser", Platform: push.PlatformWebPush, Subscription: &sub}
}

func TestSendIsDecryptedByTheReceiver(t *testing.T) {
	fake := webpushtest.New()
	defer fake.Close()
	sub, recv := fake.NewSubscription()
	s := newSender(t, "mailto:ops@example.com")
	msgs := []push.Message{
		push.HandoffMessage("en", "p1", "a1", "Team photo"),
		push.NewActivityMessage("zh-Hans", "p1", "a2", "分享视频"),
	}
	for _, m := range msgs {
		if err := s.Send(context.Background(), device(sub), m); err != nil {
			t.Fatal(err)
		}
	}
	if errs := recv.Errors(); len(errs) != 0 {
		t.Fatalf("decryption errors: %v", errs)
	}
	got := recv.Messages()
	if len(got) != len(msgs) {
		t.Fatalf("received %d messages", len(got))
	}
	for i, m := range msgs {
		want, _ := BuildPayload(m)
		if string(got[i]) != string(want) {
			t.Errorf("message %d decrypted to %s, want %s", i, got[i], want)
		}
	}
	ds := fake.Deliveries()
	if ds[0].TTL != 3600 || ds[0].Urgency != "high" || ds[0].Topic != "handoff-a1" || ds[0].Subscriber != "mailto:ops@example.com" {
		t.Errorf("handoff delivery = %+v", ds[0])
	}
	if ds[1].TTL != 86400 || ds[1].Urgency != "normal" || ds[1].Topic != "activity-a2" {
		t.Errorf("new activity delivery = %+v", ds[1])
	}
}

func TestHTTPSSubscriberKept(t *testing.T) {
	fake := webpushtest.New()
	defer fake.Close()
	sub, _ := fake.NewSubscription()
	s := newSender(t, "https://chorus.example.com/contact")
	if err := s.Send(context.Background(), device(sub), push.Message{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.Deliveries()[0].Subscriber; got != "https://chorus.example.com/contact" {
		t.Errorf("sub = %q", got)
	}
}

func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	m := push.Message{Title: "x"}
	setup := func(t *testing.T, opts ...webpushtest.Option) (*webpushtest.Server, push.WebPushSubscription, *Sender) {
		fake := webpushtest.New(opts...)
		t.Cleanup(fake.Close)
		sub, _ := fake.NewSubscription()
		return fake, sub, newSender(t, "ops@example.com")
	}
	t.Run("gone", func(t *testing.T) {
		fake, sub, s := setup(t)
		fake.Gone(sub.Endpoint)
		err := s.Send(ctx, device(sub), m)
		if !errors.Is(err, push.ErrUnregistered) || push.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unknown subscription", func(t *testing.T) {
		fake, sub, s := setup(t)
		sub.Endpoint = fake.URL() + "/push/nobody"
		if err := s.Send(ctx, device(sub), m); !errors.Is(err, push.ErrUnregistered) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("too many honours Retry-After", func(t *testing.T) {
		fake, sub, s := setup(t)
		fake.TooMany(1, 9*time.Second)
		err := s.Send(ctx, device(sub), m)
		if d, ok := push.RetryAfter(err); !ok || d != 9*time.Second || !push.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
		if err := s.Send(ctx, device(sub), m); err != nil {
			t.Fatalf("next send: %v", err)
		}
	})
	for _, tt := range []struct {
		status    int
		retryable bool
	}{{500, true}, {502, true}, {503, true}, {413, false}, {400, false}} {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			fake, sub, s := setup(t)
			fake.FailNext(1, tt.status)
			err := s.Send(ctx, device(sub), m)
			var se *push.StatusError
			if !errors.As(err, &se) || se.StatusCode != tt.status || push.Retryable(err) != tt.retryable || errors.Is(err, push.ErrUnregistered) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("VAPID key not the subscription's", func(t *testing.T) {
		other, _, _ := GenerateVAPIDKeys()
		_, sub, s := setup(t, webpushtest.WithApplicationServerKey(other))
		err := s.Send(ctx, device(sub), m)
		var se *push.StatusError
		if !errors.As(err, &se) || se.StatusCode != http.StatusForbidden || !errors.Is(err, push.ErrRejected) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("payload too large is refused before sending", func(t *testing.T) {
		fake, sub, s := setup(t)
		err := s.Send(ctx, device(sub), push.Message{Body: strings.Repeat("z", 4000)})
		if !errors.Is(err, push.ErrRejected) || fake.Count() != 0 {
			t.Fatalf("err = %v, count = %d", err, fake.Count())
		}
	})
	t.Run("invalid subscription", func(t *testing.T) {
		_, sub, s := setup(t)
		sub.Keys.Auth = "short"
		if err := s.Send(ctx, device(sub), m); !errors.Is(err, push.ErrRejected) {
			t.Fatalf("err = %v", err)
		}
		if err := s.Send(ctx, push.Device{ID: "x", Platform: push.PlatformWebPush}, m); !errors.Is(err, push.ErrRejected) {
			t.Fatalf("no subscription: err = %v", err)
		}
	})
	t.Run("server down is retryable", func(t *testing.T) {
		fake, sub, s := setup(t)
		fake.Close()
		if err := s.Send(ctx, device(sub), m); err == nil || !push.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestEndpointsAreUntrusted: an endpoint is an address a member chose. Off
// demo mode the sender refuses loopback before sending, and refuses at
// connection time a name that turns out to lead to a non-public address
// (here: the subscription passed the registration check, as a DNS name
// would, and resolves to 127.0.0.1 when the push is sent). It follows no
// redirects, even in demo mode.
func TestEndpointsAreUntrusted(t *testing.T) {
	ctx := context.Background()
	m := push.Message{Title: "x"}
	fake := webpushtest.New()
	defer fake.Close()
	sub, _ := fake.NewSubscription()

	pub, priv, _ := GenerateVAPIDKeys()
	strict, err := New(Config{VAPIDPublicKey: pub, VAPIDPrivateKey: priv, Subscriber: "ops@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := strict.Send(ctx, device(sub), m); !errors.Is(err, push.ErrRejected) || push.Retryable(err) {
		t.Fatalf("loopback endpoint outside demo mode: %v", err)
	}
	// As if DNS had said "public" at registration and 127.0.0.1 now.
	strict.policy = push.EndpointPolicy{AllowLoopback: true}
	err = strict.Send(ctx, device(sub), m)
	if !errors.Is(err, netguard.ErrBlocked) || !errors.Is(err, push.ErrRejected) || push.Retryable(err) {
		t.Fatalf("dial to loopback: %v", err)
	}
	if n := fake.Count(); n != 0 {
		t.Fatalf("the fake got %d pushes", n)
	}

	// A redirect is an answer, not an instruction.
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/latest/meta-data/", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	s := newSender(t, "ops@example.com")
	moved := sub
	moved.Endpoint = redirect.URL + "/push/x"
	err = s.Send(ctx, device(moved), m)
	var se *push.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTemporaryRedirect || !errors.Is(err, push.ErrRejected) {
		t.Fatalf("redirect: %v", err)
	}
	if followed.Load() != 0 {
		t.Fatal("the sender followed the redirect")
	}
}
