package pushtest

import (
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

func TestRecorderKeepsTheMostRecent(t *testing.T) {
	var r Recorder[int]
	var logged []int
	r.SetMax(3)
	r.SetLog(func(i int) { logged = append(logged, i) })
	for i := 1; i <= 10; i++ {
		r.Record(i)
	}
	if got := r.Deliveries(); !reflect.DeepEqual(got, []int{8, 9, 10}) {
		t.Errorf("deliveries %v, want the last three", got)
	}
	if r.Count() != 10 || len(logged) != 10 {
		t.Errorf("count %d, logged %d; want 10 and 10", r.Count(), len(logged))
	}

	var zero Recorder[int]
	for i := range DefaultMaxRecorded + 5 {
		zero.Record(i)
	}
	if got := zero.Deliveries(); len(got) != DefaultMaxRecorded || got[0] != 5 {
		t.Errorf("zero recorder kept %d from %d", len(got), got[0])
	}
	var all Recorder[int]
	all.SetMax(0)
	for i := range DefaultMaxRecorded + 5 {
		all.Record(i)
	}
	if n := len(all.Deliveries()); n != DefaultMaxRecorded+5 {
		t.Errorf("SetMax(0) kept %d", n)
	}
}

func TestFaultsInTheOrderAServiceMeetsThem(t *testing.T) {
	var f Faults
	if got := f.Next("a"); got.Kind != None {
		t.Fatalf("no faults asked for: %+v", got)
	}
	f.FailNext(1, 503)
	f.TooMany(2, 1500*time.Millisecond)
	f.Throttle("slow", 7*time.Second)
	want := []struct {
		key  string
		want Fault
	}{
		{"slow", Fault{Kind: Fail, Status: 503}},
		{"slow", Fault{Kind: Throttled, RetryAfter: 7 * time.Second}}, // does not use up TooMany
		{"a", Fault{Kind: TooMany, RetryAfter: 1500 * time.Millisecond}},
		{"b", Fault{Kind: TooMany, RetryAfter: 1500 * time.Millisecond}},
		{"a", Fault{}},
		{"slow", Fault{Kind: Throttled, RetryAfter: 7 * time.Second}},
	}
	for i, w := range want {
		if got := f.Next(w.key); got != w.want {
			t.Errorf("request %d to %s: %+v, want %+v", i, w.key, got, w.want)
		}
	}
	f.Unthrottle("slow")
	if got := f.Next("slow"); got.Kind != None {
		t.Errorf("after Unthrottle: %+v", got)
	}
}

func TestSetRetryAfterRoundsUp(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "", 1500 * time.Millisecond: "2", 3 * time.Second: "3"} {
		w := httptest.NewRecorder()
		SetRetryAfter(w, d)
		if got := w.Header().Get("Retry-After"); got != want {
			t.Errorf("%v: Retry-After %q, want %q", d, got, want)
		}
	}
}
