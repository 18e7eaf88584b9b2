package platform

import (
	"reflect"
	"testing"
)

func TestActivityLinks(t *testing.T) {
	for _, c := range []struct {
		link, id string
		ok       bool
	}{
		{"activity/act_1", "act_1", true},
		{"#activity/act_1", "act_1", true},
		{"activity/", "", false},
		{"activity/a/b", "", false},
		{"activity/a%2Fb", "", false},
		{"reset/tok", "", false},
		{"", "", false},
	} {
		if id, ok := ActivityFromLink(c.link); id != c.id || ok != c.ok {
			t.Errorf("ActivityFromLink(%q) = %q, %v; want %q, %v", c.link, id, ok, c.id, c.ok)
		}
	}
	if id, ok := ActivityFromLink(ActivityLink("act_9")); !ok || id != "act_9" {
		t.Errorf("round trip: %q %v", id, ok)
	}
	for _, c := range []struct {
		deep, id string
		ok       bool
	}{
		{"chorus://programs/prg_1/activities/act_2", "act_2", true},
		{"chorus://programs/prg_1/activities/", "", false},
		{"https://evil.test/programs/prg_1/activities/act_2", "", false},
		{"chorus://programs/prg_1", "", false},
	} {
		if id, ok := ActivityFromDeepLink(c.deep); id != c.id || ok != c.ok {
			t.Errorf("ActivityFromDeepLink(%q) = %q, %v; want %q, %v", c.deep, id, ok, c.id, c.ok)
		}
	}
}

// TestOpenLinkBeforeTheApp: the tap that launches the app arrives before
// the app listens; it is kept (a few at most) and handed over once it does.
func TestOpenLinkBeforeTheApp(t *testing.T) {
	defer OnOpenLink(nil)
	OnOpenLink(nil)
	for i := 0; i < 6; i++ {
		openLink("#activity/act_" + string(rune('a'+i)))
	}
	openLink("  ")
	var got []string
	OnOpenLink(func(l string) { got = append(got, l) })
	want := []string{"activity/act_a", "activity/act_b", "activity/act_c", "activity/act_d"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pending links: %q, want %q", got, want)
	}
	openLink("activity/act_z")
	if got[len(got)-1] != "activity/act_z" || len(got) != 5 {
		t.Fatalf("after listening: %q", got)
	}
}

func TestPushTokenChanged(t *testing.T) {
	defer OnPushToken(nil)
	pushTokenChanged(PushToken{Platform: PushAPNs, Token: "ab"}) // nobody listens: dropped
	var got []PushToken
	OnPushToken(func(p PushToken) { got = append(got, p) })
	pushTokenChanged(PushToken{Platform: PushAPNs, Token: "cd"})
	if len(got) != 1 || got[0].Token != "cd" {
		t.Fatalf("tokens: %+v", got)
	}
	if PushPlatform() != "" || PushPermission() != PushUnsupported {
		t.Fatalf("desktop push: %q %q", PushPlatform(), PushPermission())
	}
}
