package domain

import "github.com/chorus-advocacy/chorus/backend/wire"

// RoleOwner runs a program: everything a manager does, plus roles, limits
// and the audit log. A program always has at least one owner.
const RoleOwner Role = wire.RoleOwner

// Manages reports whether the role runs the program's content (owners and
// managers; a limited manager too, within their Scope).
func (r Role) Manages() bool { return r == RoleOwner || r == RoleManager }

// Scope is what a limited manager may work with: these groups and
// channels, nothing else. Empty lists mean nothing, never everything.
type Scope struct {
	GroupIDs   []string
	ChannelIDs []string
}

// InScope reports whether an activity's audience lies inside the scope:
// every member it can reach is in one of the scope's groups or channels.
// The audience is "in a chosen group AND in a chosen channel", so confining
// either half is enough; an activity for everyone is never in a scope.
func InScope(a *Activity, sc Scope) bool {
	return (len(a.GroupIDs) > 0 && allIn(a.GroupIDs, sc.GroupIDs)) ||
		(len(a.ChannelIDs) > 0 && allIn(a.ChannelIDs, sc.ChannelIDs))
}

// Reaches reports whether a member is within the scope (in one of its
// groups or channels).
func (sc Scope) Reaches(who Audience) bool {
	for _, g := range sc.GroupIDs {
		if who.Groups[g] {
			return true
		}
	}
	for _, c := range sc.ChannelIDs {
		if who.Channels[c] {
			return true
		}
	}
	return false
}

func allIn(ids, set []string) bool {
	for _, id := range ids {
		found := false
		for _, s := range set {
			if s == id {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
