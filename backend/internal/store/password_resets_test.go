package store_test

import (
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

func TestPasswordResets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		u := user("reset@x.test")
		must(t, st.CreateUser(ctx, u))
		must(t, st.CreateSession(ctx, "s1", u.ID, t0, t0.Add(time.Hour)))
		mailJob := store.NewJob{Kind: "mail", Payload: `{}`, RunAt: t0}
		must(t, st.CreatePasswordReset(ctx, "r1", u.ID, t0, t0.Add(time.Hour), mailJob))
		must(t, st.CreatePasswordReset(ctx, "r2", u.ID, t0, t0.Add(time.Hour)))
		if pending, _, _, _ := st.JobCounts(ctx, "mail"); pending != 1 {
			t.Fatalf("pending mail jobs %d", pending)
		}
		r, err := st.PasswordReset(ctx, "r1")
		must(t, err)
		if r.UserID != u.ID || !r.ExpiresAt.Equal(t0.Add(time.Hour)) || !r.UsedAt.IsZero() {
			t.Fatalf("reset %+v", r)
		}
		if _, err := st.PasswordReset(ctx, "nope"); code(err) != domain.CodeNotFound {
			t.Fatalf("unknown: %v", err)
		}
		// Expired: refused.
		if err := st.UsePasswordReset(ctx, "r1", u.ID, "h2", t0.Add(time.Hour)); code(err) != domain.CodeNotFound {
			t.Fatalf("expired token used: %v", err)
		}
		// Another account's token: refused.
		if err := st.UsePasswordReset(ctx, "r1", "usr_other", "h2", t0.Add(time.Minute)); code(err) != domain.CodeNotFound {
			t.Fatalf("token of another account: %v", err)
		}
		must(t, st.UsePasswordReset(ctx, "r1", u.ID, "h2", t0.Add(time.Minute), mailJob))
		got, err := st.UserByID(ctx, u.ID)
		must(t, err)
		if got.PasswordHash != "h2" {
			t.Fatalf("hash %q", got.PasswordHash)
		}
		if _, err := st.SessionUser(ctx, "s1", t0.Add(time.Minute)); code(err) != domain.CodeNotFound {
			t.Fatalf("session survived a reset: %v", err)
		}
		// Once only, and the account's other open token went with it.
		for _, tok := range []string{"r1", "r2"} {
			if err := st.UsePasswordReset(ctx, tok, u.ID, "h3", t0.Add(2*time.Minute)); code(err) != domain.CodeNotFound {
				t.Fatalf("%s used again: %v", tok, err)
			}
		}

		// A change keeps the caller's session and ends the others.
		must(t, st.CreateSession(ctx, "keep", u.ID, t0, t0.Add(48*time.Hour)))
		must(t, st.CreateSession(ctx, "other", u.ID, t0, t0.Add(48*time.Hour)))
		must(t, st.CreatePasswordReset(ctx, "r3", u.ID, t0, t0.Add(time.Hour)))
		ended, err := st.ChangePassword(ctx, u.ID, "h4", "keep", t0.Add(3*time.Minute), mailJob)
		must(t, err)
		if len(ended) != 1 || ended[0] != "other" {
			t.Fatalf("ended %v", ended)
		}
		if _, err := st.SessionUser(ctx, "keep", t0.Add(3*time.Minute)); err != nil {
			t.Fatalf("the caller's session ended: %v", err)
		}
		if err := st.UsePasswordReset(ctx, "r3", u.ID, "h5", t0.Add(4*time.Minute)); code(err) != domain.CodeNotFound {
			t.Fatalf("a reset mailed before the change undid it: %v", err)
		}
		if pending, _, _, _ := st.JobCounts(ctx, "mail"); pending != 3 {
			t.Fatalf("pending mail jobs %d, want 3", pending)
		}
		// The admin's reset also spends open tokens.
		must(t, st.CreatePasswordReset(ctx, "r4", u.ID, t0, t0.Add(time.Hour)))
		must(t, st.SetPassword(ctx, u.ID, "h6"))
		if err := st.UsePasswordReset(ctx, "r4", u.ID, "h7", t0.Add(4*time.Minute)); code(err) != domain.CodeNotFound {
			t.Fatalf("reset after an admin's reset: %v", err)
		}
	})
}
