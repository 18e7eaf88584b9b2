package httpapi

import (
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// FuzzActivityInput drives activity-create decoding and validation with
// arbitrary bodies: every outcome is a valid activity or a *domain.Error with
// a known code — never a panic, never an untyped error (a 500).
func FuzzActivityInput(f *testing.F) {
	for _, seed := range []string{
		`{"type":"wechat_photo","message":"hi https://example.com","points":10}`,
		`{"type":"wechat_video","message":"m","media_id":"med_1","starts_at":"2026-11-21T09:00","ends_at":"2026-11-22T09:00:00+08:00"}`,
		`{"type":"tiktok_video","media_id":"m","group_ids":["g1","g1",""],"channel_ids":[],"featured":true}`,
		`{"type":"wechat_photo","points":-1,"ends_at":"yesterday"}`,
		`{"type":1}`, `[]`, `{`, ``, `{"points":1e400}`, `{"message":"\u0000"}`,
	} {
		f.Add(seed)
	}
	loc, _ := domain.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		var in client.ActivityInput
		err := decode(req, &in, bodyLimit(reflect.TypeOf(in)))
		if err == nil {
			err = checkInput(&in)
		}
		if err == nil {
			var a domain.Activity
			a, err = domain.ApplyActivityInput(domain.Activity{}, toInput(in), loc, now)
			if err == nil {
				if _, ok := domain.LookupType(a.Type); !ok || a.Points < 0 || a.Points > domain.MaxPoints || (!a.EndsAt.IsZero() && !a.EndsAt.After(a.StartsAt)) {
					t.Fatalf("accepted an invalid activity: %+v", a)
				}
				return
			}
		}
		var de *domain.Error
		if !errors.As(err, &de) {
			t.Fatalf("untyped error (would be a 500): %v", err)
		}
		if StatusOf(de.Code) >= 500 {
			t.Fatalf("error code %s maps to %d", de.Code, StatusOf(de.Code))
		}
	})
}
