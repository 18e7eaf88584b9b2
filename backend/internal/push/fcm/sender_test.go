package fcm

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/push/fcmtest"
)

func newPair(t testing.TB, opts ...fcmtest.Option) (*fcmtest.Server, *Sender) {
	t.Helper()
	fake := fcmtest.New(opts...)
	t.Cleanup(fake.Close)
	s, err := New(Config{CredentialsJSON: fake.ServiceAccountJSON("chorus-demo"), BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return fake, s
}

func device(token string) push.Device {
	return push.Device{ID: "d-" + token, Platform: push.PlatformFCM, Token: token, Locale: "en"}
}

func TestSendDelivers(t *testing.T) {
	var logged []fcmtest.Delivery
	var mu sync.Mutex
	fake, s := newPair(t, fcmtest.WithLog(func(d fcmtest.Delivery) {
		mu.Lock()
		logged = append(logged, d)
		mu.Unlock()
	}))
	m := push.HandoffMessage("en", "p1", "a1", "Team photo")
	if err := s.Send(context.Background(), device("tok-1"), m); err != nil {
		t.Fatal(err)
	}
	ds := fake.Deliveries()
	if len(ds) != 1 || fake.Count() != 1 {
		t.Fatalf("deliveries = %d, count = %d", len(ds), fake.Count())
	}
	d := ds[0]
	if d.ProjectID != "chorus-demo" || d.Token != "tok-1" || d.Title != m.Title || d.Body != m.Body {
		t.Errorf("delivery = %+v", d)
	}
	if d.Data["deep_link"] != "chorus://programs/p1/activities/a1" || d.Data["kind"] != "handoff" {
		t.Errorf("data = %v", d.Data)
	}
	if len(logged) != 1 || logged[0].Token != "tok-1" {
		t.Errorf("log callback got %v", logged)
	}
}

func TestAccessTokenFetchedOnceAndReused(t *testing.T) {
	fake, s := newPair(t)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Send(context.Background(), device("tok"), push.Message{Title: "x"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := fake.TokenGrants(); got != 1 {
		t.Errorf("token grants = %d, want 1", got)
	}
	if fake.Count() != 50 {
		t.Errorf("count = %d", fake.Count())
	}
}

func TestRevokedAccessTokenIsReplacedOnce(t *testing.T) {
	fake, s := newPair(t)
	ctx := context.Background()
	if err := s.Send(ctx, device("a"), push.Message{Title: "1"}); err != nil {
		t.Fatal(err)
	}
	fake.ExpireAccessTokens()
	if err := s.Send(ctx, device("a"), push.Message{Title: "2"}); err != nil {
		t.Fatalf("send after revocation: %v", err)
	}
	if err := s.Send(ctx, device("a"), push.Message{Title: "3"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.TokenGrants(); got != 2 {
		t.Errorf("token grants = %d, want 2", got)
	}
	if fake.Count() != 3 {
		t.Errorf("count = %d", fake.Count())
	}
}

func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	// One fake for all cases: each switch affects only the next sends.
	fake, s := newPair(t)
	t.Run("unregistered", func(t *testing.T) {
		fake.Unregister("dead")
		err := s.Send(ctx, device("dead"), push.Message{Title: "x"})
		if !errors.Is(err, push.ErrUnregistered) || push.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
		var se *push.StatusError
		if !errors.As(err, &se) || se.StatusCode != 404 || se.Reason != "UNREGISTERED" {
			t.Errorf("status error = %+v", se)
		}
		if err := s.Send(ctx, device("alive"), push.Message{Title: "x"}); err != nil {
			t.Errorf("other token: %v", err)
		}
	})
	t.Run("quota exceeded honours Retry-After", func(t *testing.T) {
		fake.QuotaExceeded(2, 37*time.Second)
		for i := 0; i < 2; i++ {
			err := s.Send(ctx, device("t"), push.Message{Title: "x"})
			d, ok := push.RetryAfter(err)
			if !ok || d != 37*time.Second || !push.Retryable(err) {
				t.Fatalf("send %d: err = %v (after %v, %v)", i, err, d, ok)
			}
		}
		if err := s.Send(ctx, device("t"), push.Message{Title: "x"}); err != nil {
			t.Fatalf("after quota window: %v", err)
		}
	})
	t.Run("quota exceeded without Retry-After", func(t *testing.T) {
		fake.QuotaExceeded(1, 0)
		err := s.Send(ctx, device("t"), push.Message{Title: "x"})
		if d, ok := push.RetryAfter(err); !ok || d != defaultQuotaDelay {
			t.Fatalf("err = %v", err)
		}
	})
	for _, tt := range []struct {
		status       int
		retryable    bool
		unregistered bool
	}{
		{http.StatusInternalServerError, true, false},
		{http.StatusServiceUnavailable, true, false},
		{http.StatusBadRequest, false, false},
		{http.StatusForbidden, false, false},
		{http.StatusUnauthorized, false, false}, // THIRD_PARTY_AUTH_ERROR: not our token
		{http.StatusNotFound, false, true},
	} {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			fake.FailNext(1, tt.status)
			err := s.Send(ctx, device("t"), push.Message{Title: "x"})
			var se *push.StatusError
			if !errors.As(err, &se) || se.StatusCode != tt.status {
				t.Fatalf("err = %v", err)
			}
			if push.Retryable(err) != tt.retryable || errors.Is(err, push.ErrUnregistered) != tt.unregistered {
				t.Errorf("err = %v: retryable=%v unregistered=%v", err, push.Retryable(err), errors.Is(err, push.ErrUnregistered))
			}
			if err := s.Send(ctx, device("t"), push.Message{Title: "x"}); err != nil {
				t.Errorf("next send: %v", err)
			}
		})
	}
	if fake.TokenGrants() != 1 {
		t.Errorf("token grants = %d, want 1 across all errors", fake.TokenGrants())
	}
	t.Run("server gone is retryable", func(t *testing.T) {
		fake.Close()
		err := s.Send(ctx, device("t"), push.Message{Title: "x"})
		if err == nil || !push.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestWrongKeyIsRefusedByTokenEndpoint(t *testing.T) {
	fake, _ := newPair(t)
	other := fcmtest.New()
	defer other.Close()
	// Credentials of another account, pointed at this fake's token endpoint.
	s, err := New(Config{CredentialsJSON: other.ServiceAccountJSON("p"), BaseURL: fake.URL(), TokenURL: fake.TokenURL()})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), device("t"), push.Message{Title: "x"})
	if !errors.Is(err, push.ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	if fake.TokenGrants() != 0 || fake.Count() != 0 {
		t.Errorf("grants = %d, count = %d", fake.TokenGrants(), fake.Count())
	}
}

func TestNewValidatesCredentials(t *testing.T) {
	for name, creds := range map[string]string{
		"not json":   "nope",
		"wrong type": `{"type":"authorized_user"}`,
		"no key":     `{"type":"service_account","client_email":"a@b","project_id":"p"}`,
		"bad key":    `{"type":"service_account","client_email":"a@b","project_id":"p","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}`,
		"no project": "",
	} {
		cfg := Config{CredentialsJSON: []byte(creds)}
		if name == "no project" {
			fake := fcmtest.New()
			cfg.CredentialsJSON = fake.ServiceAccountJSON("")
			fake.Close()
		}
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
