package domain

import "testing"

func TestInScope(t *testing.T) {
	sc := Scope{GroupIDs: []string{"g1", "g2"}, ChannelIDs: []string{"c1"}}
	for _, tc := range []struct {
		name   string
		groups []string
		chans  []string
		want   bool
	}{
		{"everyone", nil, nil, false},
		{"own group", []string{"g1"}, nil, true},
		{"own groups", []string{"g1", "g2"}, nil, true},
		{"one group outside", []string{"g1", "g3"}, nil, false},
		{"own channel", nil, []string{"c1"}, true},
		{"other channel", nil, []string{"c2"}, false},
		{"other group, own channel", []string{"g3"}, []string{"c1"}, true},
		{"own group, any channel", []string{"g2"}, []string{"c9"}, true},
		{"other group and channel", []string{"g3"}, []string{"c2"}, false},
	} {
		a := &Activity{GroupIDs: tc.groups, ChannelIDs: tc.chans}
		if got := InScope(a, sc); got != tc.want {
			t.Errorf("%s: InScope = %v, want %v", tc.name, got, tc.want)
		}
	}
	if InScope(&Activity{GroupIDs: []string{"g1"}}, Scope{}) {
		t.Error("an empty scope reaches nothing")
	}
	if !sc.Reaches(Audience{Channels: map[string]bool{"c1": true}}) || sc.Reaches(Audience{Groups: map[string]bool{"g3": true}}) {
		t.Error("Reaches: members of the scope's channels only")
	}
	if !RoleOwner.Manages() || !RoleManager.Manages() || RoleMember.Manages() || !RoleOwner.Valid() {
		t.Error("roles")
	}
}
