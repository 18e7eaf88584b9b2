package push

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetryable(t *testing.T) {
	netErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"unregistered", ErrUnregistered, false},
		{"wrapped unregistered", fmt.Errorf("fcm: %w", ErrUnregistered), false},
		{"rejected", ErrRejected, false},
		{"status 404 unregistered", &StatusError{StatusCode: 404, Err: ErrUnregistered}, false},
		{"status 400 rejected", &StatusError{StatusCode: 400, Err: ErrRejected}, false},
		{"status 500", &StatusError{StatusCode: 500}, true},
		{"status 503", &StatusError{StatusCode: 503}, true},
		{"status 429", &StatusError{StatusCode: 429}, true},
		{"status 400 unclassified", &StatusError{StatusCode: 400}, false},
		{"retry after", &RetryAfterError{After: time.Second, Err: &StatusError{StatusCode: 429}}, true},
		{"wrapped retry after", fmt.Errorf("send: %w", &RetryAfterError{After: time.Second}), true},
		{"network", netErr, true},
		{"deadline", context.DeadlineExceeded, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Retryable(tt.err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestRetryAfterAndUnregisteredSince(t *testing.T) {
	err := fmt.Errorf("x: %w", &RetryAfterError{After: 42 * time.Second, Err: errors.New("slow down")})
	if d, ok := RetryAfter(err); !ok || d != 42*time.Second {
		t.Errorf("RetryAfter = %v, %v", d, ok)
	}
	if _, ok := RetryAfter(ErrUnregistered); ok {
		t.Error("RetryAfter(ErrUnregistered) reported a delay")
	}
	ts := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	gone := &StatusError{Platform: PlatformAPNs, StatusCode: 410, Reason: "Unregistered", Timestamp: ts, Err: ErrUnregistered}
	if got, ok := UnregisteredSince(gone); !ok || !got.Equal(ts) {
		t.Errorf("UnregisteredSince = %v, %v", got, ok)
	}
	if _, ok := UnregisteredSince(&StatusError{StatusCode: 500, Timestamp: ts}); ok {
		t.Error("UnregisteredSince reported a time for a retryable error")
	}
	if !strings.Contains(gone.Error(), "410 Unregistered") {
		t.Errorf("Error() = %q", gone.Error())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 120 * time.Second, true},
		{" 0 ", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"soon", 0, false},
		{"-5", 0, false},
		// Whoever answers may ask for anything; at most MaxRetryAfter is honoured.
		{"3600", time.Hour, true},
		{"3601", MaxRetryAfter, true},
		{"999999999999", MaxRetryAfter, true},               // would overflow a Duration
		{"99999999999999999999999999", MaxRetryAfter, true}, // not even a uint64
		{now.AddDate(1, 0, 0).Format(http.TimeFormat), MaxRetryAfter, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
	for in, want := range map[time.Duration]time.Duration{time.Minute: time.Minute, 1000 * time.Hour: MaxRetryAfter, -time.Second: 0} {
		if got, ok := RetryAfter(fmt.Errorf("wrapped: %w", &RetryAfterError{After: in})); !ok || got != want {
			t.Errorf("RetryAfter(%v) = %v, %v; want %v", in, got, ok, want)
		}
	}
}

type recordingSender struct{ got []Device }

func (r *recordingSender) Send(_ context.Context, d Device, _ Message) error {
	r.got = append(r.got, d)
	return nil
}

func TestMux(t *testing.T) {
	fcm := &recordingSender{}
	mx := Mux{PlatformFCM: fcm}
	if err := mx.Send(context.Background(), Device{ID: "a", Platform: PlatformFCM}, Message{}); err != nil {
		t.Fatal(err)
	}
	if len(fcm.got) != 1 || fcm.got[0].ID != "a" {
		t.Fatalf("fcm sender got %v", fcm.got)
	}
	err := mx.Send(context.Background(), Device{ID: "b", Platform: PlatformAPNs}, Message{})
	if !errors.Is(err, ErrRejected) || Retryable(err) {
		t.Fatalf("missing platform: err = %v", err)
	}
}

func TestFlatDataDoesNotModifyCaller(t *testing.T) {
	m := Message{Kind: KindHandoff, DeepLink: "chorus://x", Data: map[string]string{"a": "1"}}
	got := m.FlatData()
	want := map[string]string{"a": "1", DataKind: KindHandoff, DataDeepLink: "chorus://x"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("FlatData = %v, want %v", got, want)
	}
	if len(m.Data) != 1 {
		t.Errorf("caller's map modified: %v", m.Data)
	}
	if (Message{}).EffectiveTTL() != DefaultTTL || (Message{TTL: time.Minute}).EffectiveTTL() != time.Minute {
		t.Error("EffectiveTTL")
	}
}

func TestWebPushSubscriptionValidate(t *testing.T) {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	b64 := base64.RawURLEncoding.EncodeToString
	good := WebPushSubscription{
		Endpoint: "https://fcm.googleapis.com/fcm/send/abc",
		Keys:     WebPushKeys{P256dh: b64(k.PublicKey().Bytes()), Auth: b64(auth)},
	}
	tests := []struct {
		name   string
		mutate func(*WebPushSubscription)
		ok     bool
	}{
		{"valid", func(*WebPushSubscription) {}, true},
		{"padded std base64 keys", func(s *WebPushSubscription) {
			s.Keys.Auth = base64.StdEncoding.EncodeToString(auth)
		}, true},
		{"http loopback outside demo", func(s *WebPushSubscription) { s.Endpoint = "http://127.0.0.1:8080/push/1" }, false},
		{"http remote", func(s *WebPushSubscription) { s.Endpoint = "http://push.example.com/1" }, false},
		{"relative", func(s *WebPushSubscription) { s.Endpoint = "/push/1" }, false},
		{"short auth", func(s *WebPushSubscription) { s.Keys.Auth = b64(auth[:8]) }, false},
		{"not a point", func(s *WebPushSubscription) { s.Keys.P256dh = b64(make([]byte, 65)) }, false},
		{"missing key", func(s *WebPushSubscription) { s.Keys.P256dh = "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			tt.mutate(&s)
			if err := s.Validate(EndpointPolicy{}); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestCheckEndpoint: outside demo mode an endpoint is an https URL on a
// public host; demo mode adds loopback (http too) and nothing else.
func TestCheckEndpoint(t *testing.T) {
	for _, tt := range []struct {
		endpoint   string
		prod, demo bool
	}{
		{"https://fcm.googleapis.com/fcm/send/abc", true, true},
		{"https://updates.push.services.mozilla.com/wpush/v2/gAAA", true, true},
		{"https://web.push.apple.com/QGuQ", true, true},
		{"https://push.example.com:8443/x", true, true},
		{"https://93.184.216.34/x", true, true},
		{"https://[2606:4700::1111]/x", true, true},
		{"http://push.example.com/x", false, false},
		{"ftp://push.example.com/x", false, false},
		{"gopher://127.0.0.1:25/x", false, false},
		{"file:///etc/passwd", false, false},
		{"javascript:alert(1)", false, false},
		{"/push/1", false, false},
		{"https://user:pw@push.example.com/x", false, false},
		// loopback
		{"http://127.0.0.1:8080/push/1", false, true},
		{"https://127.0.0.1/push/1", false, true},
		{"http://localhost:8080/push/1", false, true},
		{"https://localhost/push/1", false, true},
		{"https://LOCALHOST./push/1", false, true},
		{"https://api.localhost/push/1", false, true},
		{"https://[::1]/x", false, true},
		{"https://[::ffff:127.0.0.1]/x", false, true},
		// private, link-local, unique-local, CGNAT and friends: never
		{"https://10.0.0.8/x", false, false},
		{"https://172.16.3.4/x", false, false},
		{"https://192.168.1.1/x", false, false},
		{"https://169.254.169.254/latest/meta-data/", false, false},
		{"http://169.254.169.254/latest/meta-data/", false, false},
		{"https://100.64.0.1/x", false, false},
		{"https://0.0.0.0/x", false, false},
		{"https://[fd00::1]/x", false, false},
		{"https://[fc00::1]/x", false, false},
		{"https://[fe80::1%25eth0]/x", false, false},
		{"https://[::]/x", false, false},
		{"https://[::ffff:10.0.0.1]/x", false, false},
		{"https://[64:ff9b::a9fe:a9fe]/x", false, false},
		{"https://224.0.0.1/x", false, false},
		// numbers in disguise that some resolvers read as addresses
		{"https://2130706433/x", false, false},
		{"https://0x7f.1/x", false, false},
		{"https://127.1/x", false, false},
		{"https://10.0.0.1./x", false, false},
	} {
		for _, c := range []struct {
			p    EndpointPolicy
			want bool
		}{{EndpointPolicy{}, tt.prod}, {EndpointPolicy{AllowLoopback: true}, tt.demo}} {
			err := c.p.CheckEndpoint(tt.endpoint)
			if (err == nil) != c.want {
				t.Errorf("%+v.CheckEndpoint(%q) = %v, want ok=%v", c.p, tt.endpoint, err, c.want)
			}
		}
	}
	if err := (EndpointPolicy{}).CheckEndpoint("https://10.0.0.8/x"); err == nil || !strings.Contains(err.Error(), "https on a public host") {
		t.Errorf("message: %v", err)
	}
}
