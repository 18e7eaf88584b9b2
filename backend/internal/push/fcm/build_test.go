package fcm

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/push"
)

// jsonEqual compares JSON documents structurally.
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	gb, _ := json.MarshalIndent(g, "", "  ")
	wb, _ := json.MarshalIndent(w, "", "  ")
	if string(gb) != string(wb) {
		t.Errorf("JSON mismatch\ngot:\n%s\nwant:\n%s", gb, wb)
	}
}

func TestBuildRequestNewActivity(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	d := push.Device{ID: "dev1", Platform: push.PlatformFCM, Token: "tok-123", Locale: "zh-Hans"}
	m := push.NewActivityMessage(d.Locale, "p1", "a1", "分享视频")
	got, err := buildRequest("proj", d, m, now)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, got, `{
	  "message": {
	    "token": "tok-123",
	    "notification": {"title": "新活动：分享视频", "body": "点按在 Chorus 中打开。"},
	    "data": {
	      "kind": "new_activity",
	      "deep_link": "chorus://programs/p1/activities/a1",
	      "program_id": "p1",
	      "activity_id": "a1"
	    },
	    "android": {
	      "collapse_key": "activity-a1",
	      "priority": "HIGH",
	      "ttl": "86400s",
	      "notification": {"tag": "activity-a1"}
	    },
	    "apns": {
	      "headers": {
	        "apns-push-type": "alert",
	        "apns-priority": "10",
	        "apns-expiration": "1750086400",
	        "apns-collapse-id": "activity-a1"
	      },
	      "payload": {"aps": {"sound": "default", "thread-id": "program-p1"}}
	    }
	  }
	}`)
}

func TestBuildRequestMinimalAndClamped(t *testing.T) {
	now := time.Unix(1_000, 0)
	m := push.Message{Kind: "custom", Title: "Hi", TTL: 90 * 24 * time.Hour}
	got, err := buildRequest("proj", push.Device{Token: "t"}, m, now)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, got, `{
	  "message": {
	    "token": "t",
	    "notification": {"title": "Hi"},
	    "data": {"kind": "custom"},
	    "android": {"priority": "HIGH", "ttl": "2419200s"},
	    "apns": {
	      "headers": {"apns-push-type": "alert", "apns-priority": "10", "apns-expiration": "2420200"},
	      "payload": {"aps": {"sound": "default", "thread-id": "custom"}}
	    }
	  }
	}`)
}

func TestBuildRequestRejects(t *testing.T) {
	ok := push.Device{Token: "t", Platform: push.PlatformFCM}
	tests := []struct {
		name    string
		project string
		d       push.Device
		m       push.Message
		want    string
	}{
		{"no project", "", ok, push.Message{}, "project"},
		{"no token", "p", push.Device{ID: "x"}, push.Message{}, "no token"},
		{"wrong platform", "p", push.Device{Token: "t", Platform: push.PlatformAPNs}, push.Message{}, "apns device"},
		{"reserved key", "p", ok, push.Message{Data: map[string]string{"google.foo": "x"}}, "reserved"},
		{"reserved from", "p", ok, push.Message{Data: map[string]string{"from": "x"}}, "reserved"},
		{"too big", "p", ok, push.Message{Body: strings.Repeat("x", 5000)}, "payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BuildRequest(tt.project, tt.d, tt.m)
			if !errors.Is(err, push.ErrRejected) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrRejected mentioning %q", err, tt.want)
			}
		})
	}
}

func TestLongCollapseKeyFitsAPNs(t *testing.T) {
	key := "activity-" + strings.Repeat("x", 100)
	got, err := BuildRequest("p", push.Device{Token: "t"}, push.Message{CollapseKey: key})
	if err != nil {
		t.Fatal(err)
	}
	var r request
	if err := json.Unmarshal(got, &r); err != nil {
		t.Fatal(err)
	}
	if id := r.Message.APNS.Headers["apns-collapse-id"]; len(id) > 64 || id == "" {
		t.Errorf("apns-collapse-id %q (%d bytes)", id, len(id))
	}
	if r.Message.Android.CollapseKey != key {
		t.Errorf("android collapse_key changed: %q", r.Message.Android.CollapseKey)
	}
}

// The request as Go types: encoding/json of these is the reference the
// hand-written body is compared with.
type request struct {
	Message message `json:"message"`
}

type message struct {
	Token        string            `json:"token"`
	Notification *notification     `json:"notification,omitempty"`
	Data         map[string]string `json:"data,omitempty"`
	Android      *androidConfig    `json:"android,omitempty"`
	APNS         *apnsConfig       `json:"apns,omitempty"`
}

type notification struct {
	Title string `json:"title,omitempty"`
	Body  string `json:"body,omitempty"`
}

type androidConfig struct {
	CollapseKey  string               `json:"collapse_key,omitempty"`
	Priority     string               `json:"priority"`
	TTL          string               `json:"ttl"`
	Notification *androidNotification `json:"notification,omitempty"`
}

type androidNotification struct {
	// Tag makes a newer notification replace the shown one with the same
	// tag, so a retried push does not appear twice in the tray.
	Tag string `json:"tag,omitempty"`
}

type apnsConfig struct {
	Headers map[string]string `json:"headers"`
	Payload apnsPayload       `json:"payload"`
}

type apnsPayload struct {
	APS aps `json:"aps"`
}

type aps struct {
	Sound    string `json:"sound,omitempty"`
	ThreadID string `json:"thread-id,omitempty"`
}

// referenceRequest is buildRequest as it was written with the types above.
func referenceRequest(d push.Device, m push.Message, now time.Time) ([]byte, error) {
	ttl := min(m.EffectiveTTL(), maxTTL)
	msg := message{
		Token: d.Token,
		Data:  m.FlatData(),
		Android: &androidConfig{
			CollapseKey: m.CollapseKey,
			Priority:    "HIGH",
			TTL:         strconv.FormatInt(int64(ttl/time.Second), 10) + "s",
		},
		APNS: &apnsConfig{
			Headers: map[string]string{
				"apns-push-type":  "alert",
				"apns-priority":   "10",
				"apns-expiration": strconv.FormatInt(now.Add(ttl).Unix(), 10),
			},
			Payload: apnsPayload{APS: aps{Sound: "default", ThreadID: threadID(m)}},
		},
	}
	if m.Title != "" || m.Body != "" {
		msg.Notification = &notification{Title: m.Title, Body: m.Body}
	}
	if m.CollapseKey != "" {
		msg.Android.Notification = &androidNotification{Tag: m.CollapseKey}
		msg.APNS.Headers["apns-collapse-id"] = push.APNsCollapseID(m.CollapseKey)
	}
	return json.Marshal(request{Message: msg})
}

// The hand-written body must be the document encoding/json makes of the
// same message, whatever the texts hold.
func TestBuildRequestMatchesEncodingJSON(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	odd := []string{"", "plain", "quote \" back\\slash", "ctl \x00\x01\x1f\t\r\n", "<b>&amp;</b>", "line\u2028para\u2029",
		"bad utf8 \xff\xfe end", "分享视频 😀", strings.Repeat("x", 300)}
	var msgs []push.Message
	for _, s := range odd {
		msgs = append(msgs,
			push.Message{Kind: "k", Title: s},
			push.Message{Body: s, CollapseKey: s, DeepLink: s},
			push.Message{Title: s, Body: s, Data: map[string]string{"x" + s: s, "kind": "shadowed", "deep_link": "kept"}, TTL: time.Minute},
		)
	}
	msgs = append(msgs,
		push.NewActivityMessage("zh-Hans", "p1", "a1", "分享视频"),
		push.HandoffMessage("en", "p1", "a1", "Share"),
		push.TikTokStatusMessage("en", "p1", "a1", "Share", false, "bad <video> & \"codec\""),
		push.Message{Kind: "custom", Title: "Hi", TTL: 90 * 24 * time.Hour},
		push.Message{Data: map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7", "h": "8", "i": "9", "j": "10"}},
		push.Message{Kind: "k", DeepLink: "chorus://x", Data: map[string]string{"program_id": "p\"1"}},
	)
	for i, m := range msgs {
		for _, tok := range []string{"tok-1", "t\"ok<>"} {
			d := push.Device{Token: tok}
			got, err := buildRequest("proj", d, m, now)
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			want, err := referenceRequest(d, m, now)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(got) {
				t.Fatalf("message %d: not JSON: %s", i, got)
			}
			jsonEqual(t, got, string(want))
		}
	}
}

func TestAppendJSONStringIsEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "a", "\"\\/", "\x00\x07\x1f\x7f", "<>&", "\u2028\u2029", "\xff", "a\xc3", "é分😀", "\ufffd"} {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}
