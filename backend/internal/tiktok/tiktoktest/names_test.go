package tiktoktest

import "testing"

// Each consenting account has a name and open_id of its own, also across
// two runs of the fake (serve --demo starts it afresh while the accounts
// linked before stay in the database).
func TestConsentingAccountsAreDistinctAcrossRuns(t *testing.T) {
	seen := map[string]bool{}
	for range 2 {
		s := New()
		for range 2 {
			s.mu.Lock()
			u := s.consentUser()
			s.mu.Unlock()
			if seen[u.displayName] || seen[u.openID] {
				t.Errorf("%q / %q given twice", u.displayName, u.openID)
			}
			seen[u.displayName], seen[u.openID] = true, true
		}
		s.Close()
	}
}
