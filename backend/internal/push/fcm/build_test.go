package fcm

import (
	"encoding/json"
	"errors"
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
