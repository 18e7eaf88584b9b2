package httpapi

import (
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// TestFeedSetLiveness: the liveness a feed set keeps from its load agrees
// with each activity's own at every moment, across starts and ends.
func TestFeedSetLiveness(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	items := []*domain.Activity{
		{ID: "act_ends", Type: "wechat_photo", StartsAt: t0.Add(-time.Hour), EndsAt: t0.Add(time.Minute)},
		{ID: "act_starts", Type: "wechat_photo", StartsAt: t0.Add(2 * time.Minute)},
		{ID: "act_always", Type: "wechat_photo", StartsAt: t0.Add(-time.Hour)},
		{ID: "act_later", Type: "wechat_photo", StartsAt: t0.Add(time.Hour), EndsAt: t0.Add(2 * time.Hour)},
	}
	fs, err := newFeedSet(items, mediaInfos{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(time.Minute); !fs.until.Equal(want) {
		t.Errorf("kept until %s, want the first end %s", fs.until, want)
	}
	for _, d := range []time.Duration{-time.Second, 0, 59 * time.Second, time.Minute, 90 * time.Second, 2 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour} {
		now := t0.Add(d)
		for r, a := range fs.sorted {
			if got, want := fs.liveAt(int32(r), now), a.Live(now); got != want {
				t.Errorf("%s at %s: live %v, want %v", a.ID, d, got, want)
			}
		}
	}
}

// TestKeptViewHoldsOnlyTheSetsPerforms: a member's kept view holds the
// performs of the feed's activities only, and counts all of them for the
// stamp.
func TestKeptViewHoldsOnlyTheSetsPerforms(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	fs, err := newFeedSet([]*domain.Activity{{ID: "act_now", Type: "wechat_photo", StartsAt: t0}}, mediaInfos{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{feeds: newFeedCache()}
	v := store.FeedView{Version: 7, Performed: map[string]bool{"act_now": true, "act_2019": true, "act_2020": true}}
	s.keepView("prg_a", "usr_a", keptView{v: v, performs: len(v.Performed)}, fs)
	kv, _ := s.feeds.views.get(memberKey{"prg_a", "usr_a"})
	if len(kv.v.Performed) != 1 || !kv.v.Performed["act_now"] || kv.performs != 3 || kv.v.Version != 7 {
		t.Errorf("kept %+v, performs %d; want act_now of 3, version 7", kv.v.Performed, kv.performs)
	}
	if len(v.Performed) != 3 {
		t.Error("keeping a view changed the request's own")
	}
}
