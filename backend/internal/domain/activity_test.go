package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestApplyActivityInput(t *testing.T) {
	shanghai, _ := LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		in     ActivityInput
		fields []string // fields expected in the error; none = valid
		check  func(t *testing.T, a Activity)
	}{
		{name: "photo minimal", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr("Hello")}, check: func(t *testing.T, a Activity) {
			if !a.StartsAt.Equal(now) || !a.EndsAt.IsZero() {
				t.Errorf("blank start must be now and blank end none, got %v %v", a.StartsAt, a.EndsAt)
			}
		}},
		{name: "photo without message", in: ActivityInput{Type: ptr("wechat_photo")}, fields: []string{"message"}},
		{name: "video without media", in: ActivityInput{Type: ptr("wechat_video"), Message: ptr("m")}, fields: []string{"media_id"}},
		{name: "tiktok default instructions", in: ActivityInput{Type: ptr("tiktok_video"), MediaID: ptr("med_1")}, check: func(t *testing.T, a Activity) {
			if a.Instructions != DefaultTikTokInstructions {
				t.Errorf("instructions = %q", a.Instructions)
			}
		}},
		{name: "tiktok own instructions", in: ActivityInput{Type: ptr("tiktok_video"), MediaID: ptr("med_1"), Instructions: ptr("Dance!")}, check: func(t *testing.T, a Activity) {
			if a.Instructions != "Dance!" {
				t.Errorf("instructions = %q", a.Instructions)
			}
		}},
		{name: "unknown type", in: ActivityInput{Type: ptr("fax")}, fields: []string{"type"}},
		{name: "missing type", in: ActivityInput{}, fields: []string{"type"}},
		{name: "points too many", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr("m"), Points: ptr(10001)}, fields: []string{"points"}},
		{name: "points negative", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr("m"), Points: ptr(-1)}, fields: []string{"points"}},
		{name: "points at the limit", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr("m"), Points: ptr(10000)}},
		{name: "end before start", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr("m"), StartsAt: ptr("2026-12-01T10:00:00Z"), EndsAt: ptr("2026-12-01T09:00:00Z")}, fields: []string{"ends_at"}},
		{name: "end equals start", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr("m"), StartsAt: ptr("2026-12-01T10:00:00Z"), EndsAt: ptr("2026-12-01T10:00:00Z")}, fields: []string{"ends_at"}},
		{name: "bad time", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr("m"), StartsAt: ptr("tomorrow")}, fields: []string{"starts_at"}},
		{name: "local time in creator zone", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr("m"), StartsAt: ptr("2026-12-01T09:00"), EndsAt: ptr("2026-12-01 18:30")}, check: func(t *testing.T, a Activity) {
			if want := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC); !a.StartsAt.Equal(want) {
				t.Errorf("start = %v, want %v", a.StartsAt, want)
			}
			if want := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC); !a.EndsAt.Equal(want) {
				t.Errorf("end = %v, want %v", a.EndsAt, want)
			}
		}},
		{name: "dedup targets", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr("m"), GroupIDs: ptr([]string{"g1", " g1", "", "g2"})}, check: func(t *testing.T, a Activity) {
			if strings.Join(a.GroupIDs, ",") != "g1,g2" {
				t.Errorf("groups = %v", a.GroupIDs)
			}
		}},
		{name: "message too long", in: ActivityInput{Type: ptr("wechat_photo"), Message: ptr(strings.Repeat("长", 10001))}, fields: []string{"message"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := ApplyActivityInput(Activity{}, c.in, shanghai, now)
			if len(c.fields) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if c.check != nil {
					c.check(t, a)
				}
				return
			}
			var de *Error
			if !errors.As(err, &de) || de.Code != CodeValidation {
				t.Fatalf("want validation error, got %v", err)
			}
			for _, f := range c.fields {
				if de.Fields[f] == "" {
					t.Errorf("no message for field %s: %v", f, de.Fields)
				}
			}
		})
	}
}

func TestApplyActivityInputEdit(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	base := Activity{ID: "act_1", Type: TypeWeChatPhoto, Message: "old", StartsAt: now, Points: 5}
	a, err := ApplyActivityInput(base, ActivityInput{Message: ptr("new")}, time.UTC, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a.Message != "new" || a.Points != 5 || !a.StartsAt.Equal(now) {
		t.Fatalf("edit lost fields: %+v", a)
	}
	if _, err := ApplyActivityInput(base, ActivityInput{Type: ptr("tiktok_video")}, time.UTC, now); err == nil {
		t.Fatal("changing the type must be refused")
	}
	// An edit that moves the start past the stored end must be caught too.
	base.EndsAt = now.Add(time.Hour)
	if _, err := ApplyActivityInput(base, ActivityInput{StartsAt: ptr(now.Add(2 * time.Hour).Format(time.RFC3339))}, time.UTC, now); err == nil {
		t.Fatal("start after the stored end must be refused")
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, ok := range map[string]bool{" Member1@Demo.test ": true, "no-at-sign": false, "a@b": true, "Name <a@b.c>": false, "": false} {
		if _, got := NormalizeEmail(in); got != ok {
			t.Errorf("NormalizeEmail(%q) ok = %v, want %v", in, got, ok)
		}
	}
}

func TestLoadLocation(t *testing.T) {
	for in, ok := range map[string]bool{"Asia/Shanghai": true, "Europe/Berlin": true, "UTC": true, "Mars/Olympus": false, "": false, "Local": false} {
		if _, got := LoadLocation(in); got != ok {
			t.Errorf("LoadLocation(%q) = %v, want %v", in, got, ok)
		}
	}
}
