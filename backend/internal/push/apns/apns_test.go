package apns

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/push/apnstest"
)

const topic = "com.chorus.app"

func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON mismatch\ngot:  %s\nwant: %s", got, want)
	}
}

func TestBuildPayload(t *testing.T) {
	m := push.NewActivityMessage("en", "p1", "a1", "Launch video")
	got, err := BuildPayload(m)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, got, `{
	  "aps": {
	    "alert": {"title": "New activity: Launch video", "body": "Tap to open it in Chorus."},
	    "sound": "default",
	    "thread-id": "program-p1"
	  },
	  "kind": "new_activity",
	  "deep_link": "chorus://programs/p1/activities/a1",
	  "program_id": "p1",
	  "activity_id": "a1"
	}`)
}

func TestBuildPayloadRejects(t *testing.T) {
	if _, err := BuildPayload(push.Message{Data: map[string]string{"aps": "x"}}); !errors.Is(err, push.ErrRejected) {
		t.Errorf("aps key: err = %v", err)
	}
	if _, err := BuildPayload(push.Message{Body: strings.Repeat("y", 4100)}); !errors.Is(err, push.ErrRejected) {
		t.Errorf("oversize: err = %v", err)
	}
}

func TestBuildHeaders(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	got := BuildHeaders(push.HandoffMessage("en", "p", "a", "x"), topic, now)
	want := http.Header{
		"Content-Type":     {"application/json"},
		"Apns-Topic":       {topic},
		"Apns-Push-Type":   {"alert"},
		"Apns-Priority":    {"10"},
		"Apns-Expiration":  {"1700003600"},
		"Apns-Collapse-Id": {"handoff-a"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("headers = %v\nwant %v", got, want)
	}
	if h := BuildHeaders(push.Message{}, topic, now); h.Get("apns-collapse-id") != "" || h.Get("apns-expiration") != "1700086400" {
		t.Errorf("bare message headers = %v", h)
	}
}

func newPair(t *testing.T, opts ...apnstest.Option) (*apnstest.Server, *Sender) {
	t.Helper()
	fake := apnstest.New(opts...)
	t.Cleanup(fake.Close)
	s, err := New(Config{KeyP8: fake.KeyP8(), KeyID: fake.KeyID(), TeamID: fake.TeamID(), Topic: topic,
		BaseURL: fake.URL(), HTTPClient: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return fake, s
}

const tok1 = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"

func device(token string) push.Device {
	return push.Device{ID: "ios", Platform: push.PlatformAPNs, Token: token}
}

func TestSendOverHTTP2(t *testing.T) {
	fake, s := newPair(t)
	m := push.TikTokStatusMessage("zh-Hans", "p1", "a1", "舞蹈", true, "")
	if err := s.Send(context.Background(), device(tok1), m); err != nil {
		t.Fatal(err)
	}
	ds := fake.Deliveries()
	if len(ds) != 1 {
		t.Fatalf("deliveries = %d", len(ds))
	}
	d := ds[0]
	if d.Proto != "HTTP/2.0" || d.Token != tok1 || d.Topic != topic || d.PushType != "alert" ||
		d.Priority != "10" || d.CollapseID != "tiktok-a1" || d.Title != m.Title || d.Body != m.Body {
		t.Errorf("delivery = %+v", d)
	}
	var payload map[string]any
	json.Unmarshal(d.Payload, &payload)
	if payload["deep_link"] != "chorus://programs/p1/activities/a1" || payload["status"] != "staged" {
		t.Errorf("payload = %s", d.Payload)
	}
}

func TestDefaultClientSpeaksHTTP2(t *testing.T) {
	fake := apnstest.New()
	defer fake.Close()
	c := DefaultHTTPClient()
	// Trust the fake's certificate, keep everything else as in production.
	c.Transport.(*http.Transport).TLSClientConfig.RootCAs = fake.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	s, err := New(Config{KeyP8: fake.KeyP8(), KeyID: fake.KeyID(), TeamID: fake.TeamID(), Topic: topic, BaseURL: fake.URL(), HTTPClient: c})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), device(tok1), push.Message{Title: "hi"}); err != nil {
		t.Fatal(err)
	}
	if p := fake.Deliveries()[0].Proto; p != "HTTP/2.0" {
		t.Errorf("proto = %s", p)
	}
}

func TestProviderTokenReused(t *testing.T) {
	fake, s := newPair(t)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Send(context.Background(), device(tok1), push.Message{Title: "x"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := fake.ProviderTokens(); got != 1 {
		t.Errorf("provider tokens = %d, want 1", got)
	}
	if fake.Count() != 20 {
		t.Errorf("count = %d", fake.Count())
	}
}

func TestProviderTokenRenewedAfterLifetime(t *testing.T) {
	fake, s := newPair(t)
	clock := time.Now().Add(-55 * time.Minute) // still under Apple's hour
	s.now = func() time.Time { return clock }
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := s.Send(ctx, device(tok1), push.Message{Title: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	clock = clock.Add(TokenLifetime - time.Second)
	if err := s.Send(ctx, device(tok1), push.Message{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.ProviderTokens(); got != 1 {
		t.Fatalf("renewed before TokenLifetime: %d tokens", got)
	}
	clock = clock.Add(time.Second)
	if err := s.Send(ctx, device(tok1), push.Message{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.ProviderTokens(); got != 2 {
		t.Errorf("provider tokens = %d, want 2", got)
	}
}

func TestExpiredProviderTokenRenewedOncePerWave(t *testing.T) {
	fake, s := newPair(t)
	ctx := context.Background()
	if err := s.Send(ctx, device(tok1), push.Message{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	fake.ExpireProviderTokens()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Send(ctx, device(tok1), push.Message{Title: "y"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := fake.ProviderTokens(); got != 2 {
		t.Errorf("provider tokens = %d, want 2", got)
	}
	if fake.Count() != 21 {
		t.Errorf("count = %d", fake.Count())
	}
}

func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	t.Run("BadDeviceToken", func(t *testing.T) {
		fake, s := newPair(t)
		fake.BadDeviceToken(tok1)
		err := s.Send(ctx, device(tok1), push.Message{Title: "x"})
		if !errors.Is(err, push.ErrUnregistered) || push.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("non-hex token", func(t *testing.T) {
		_, s := newPair(t)
		err := s.Send(ctx, device("not-a-token"), push.Message{Title: "x"})
		if !errors.Is(err, push.ErrUnregistered) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Unregistered with timestamp", func(t *testing.T) {
		fake, s := newPair(t)
		before := time.Now().Add(-time.Second)
		fake.Unregistered(tok1)
		err := s.Send(ctx, device(tok1), push.Message{Title: "x"})
		if !errors.Is(err, push.ErrUnregistered) || push.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
		ts, ok := push.UnregisteredSince(err)
		if !ok || ts.Before(before) || ts.After(time.Now()) {
			t.Errorf("timestamp = %v, %v", ts, ok)
		}
	})
	t.Run("TooManyRequests honours Retry-After", func(t *testing.T) {
		fake, s := newPair(t)
		fake.TooManyRequests(1, 7*time.Second)
		err := s.Send(ctx, device(tok1), push.Message{Title: "x"})
		if d, ok := push.RetryAfter(err); !ok || d != 7*time.Second || !push.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
		if err := s.Send(ctx, device(tok1), push.Message{Title: "x"}); err != nil {
			t.Fatalf("next send: %v", err)
		}
	})
	t.Run("TooManyRequests without Retry-After", func(t *testing.T) {
		fake, s := newPair(t)
		fake.TooManyRequests(1, 0)
		err := s.Send(ctx, device(tok1), push.Message{Title: "x"})
		if d, ok := push.RetryAfter(err); !ok || d != defaultThrottle {
			t.Fatalf("err = %v", err)
		}
	})
	for _, status := range []int{500, 503} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			fake, s := newPair(t)
			fake.FailNext(1, status)
			err := s.Send(ctx, device(tok1), push.Message{Title: "x"})
			var se *push.StatusError
			if !errors.As(err, &se) || se.StatusCode != status || !push.Retryable(err) || errors.Is(err, push.ErrUnregistered) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("key of another team", func(t *testing.T) {
		fake := apnstest.New()
		defer fake.Close()
		other := apnstest.New()
		defer other.Close()
		s, err := New(Config{KeyP8: other.KeyP8(), KeyID: fake.KeyID(), TeamID: fake.TeamID(), Topic: topic, BaseURL: fake.URL(), HTTPClient: fake.Client()})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(ctx, device(tok1), push.Message{Title: "x"})
		var se *push.StatusError
		if !errors.As(err, &se) || se.Reason != "InvalidProviderToken" || !errors.Is(err, push.ErrRejected) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("topic not allowed", func(t *testing.T) {
		fake, _ := newPair(t, apnstest.WithTopic("com.other.app"))
		s, _ := New(Config{KeyP8: fake.KeyP8(), KeyID: fake.KeyID(), TeamID: fake.TeamID(), Topic: topic, BaseURL: fake.URL(), HTTPClient: fake.Client()})
		err := s.Send(ctx, device(tok1), push.Message{Title: "x"})
		if !errors.Is(err, push.ErrRejected) || push.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestHTTP1IsRefused(t *testing.T) {
	fake := apnstest.New()
	defer fake.Close()
	tr := fake.Client().Transport.(*http.Transport).Clone()
	var h1 http.Protocols
	h1.SetHTTP1(true)
	tr.Protocols = &h1
	tr.ForceAttemptHTTP2 = false
	s, err := New(Config{KeyP8: fake.KeyP8(), KeyID: fake.KeyID(), TeamID: fake.TeamID(), Topic: topic,
		BaseURL: fake.URL(), HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	// Like APNs, the fake speaks only HTTP/2, so the exchange fails.
	if err := s.Send(context.Background(), device(tok1), push.Message{Title: "x"}); err == nil {
		t.Fatal("an HTTP/1.1 client could send")
	}
	if fake.Count() != 0 {
		t.Error("the fake accepted an HTTP/1.1 push")
	}
}

func TestNewValidates(t *testing.T) {
	fake := apnstest.New()
	defer fake.Close()
	good := Config{KeyP8: fake.KeyP8(), KeyID: fake.KeyID(), TeamID: fake.TeamID(), Topic: topic}
	for name, mutate := range map[string]func(*Config){
		"bad key":  func(c *Config) { c.KeyP8 = []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") },
		"no kid":   func(c *Config) { c.KeyID = "" },
		"no team":  func(c *Config) { c.TeamID = "" },
		"no topic": func(c *Config) { c.Topic = "" },
	} {
		c := good
		mutate(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := New(good); err != nil {
		t.Errorf("good config: %v", err)
	}
}
