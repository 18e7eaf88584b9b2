package store_test

import (
	"testing"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// An audited change and its entry are saved together or not at all: a
// refused change leaves no entry, and an entry is recorded once.
func TestAuditInTheChangesTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		entry := func(action, object string) *store.AuditEntry {
			return &store.AuditEntry{ProgramID: f.prog.ID, At: t0, ActorID: f.mgr.ID, ActorName: "Mgr", Action: action, ObjectKind: "group", ObjectID: object}
		}
		g := domain.Group{ID: domain.NewID("grp"), ProgramID: f.prog.ID, Name: "Sales"}
		e := entry("group.create", g.ID)
		actx := store.WithAudit(ctx, e)
		must(t, st.CreateGroup(actx, g, t0))
		if store.AuditPending(actx) != nil {
			t.Fatal("the entry is still pending after the change committed")
		}
		// The same context again (a second write in one request): no
		// second entry.
		must(t, st.RenameGroup(actx, f.prog.ID, g.ID, "Sales EMEA"))
		// Refused changes: a taken name, an unknown group.
		dup := domain.Group{ID: domain.NewID("grp"), ProgramID: f.prog.ID, Name: "Sales EMEA"}
		if err := st.CreateGroup(store.WithAudit(ctx, entry("group.create", dup.ID)), dup, t0); code(err) != domain.CodeConflict {
			t.Fatalf("a taken name: %v", err)
		}
		if err := st.RenameGroup(store.WithAudit(ctx, entry("group.rename", "grp_nope")), f.prog.ID, "grp_nope", "X"); code(err) != domain.CodeNotFound {
			t.Fatalf("an unknown group: %v", err)
		}
		// A multi-statement change: removing a member.
		must(t, st.RemoveMember(store.WithAudit(ctx, entry("member.remove", f.b.ID)), f.prog.ID, f.b.ID))
		if err := st.RemoveMember(store.WithAudit(ctx, entry("member.remove", f.mgr.ID)), f.prog.ID, f.mgr.ID); code(err) != domain.CodeConflict {
			t.Fatalf("removing the last owner: %v", err)
		}
		log, err := st.AuditLog(ctx, f.prog.ID, 0, 10)
		must(t, err)
		if len(log) != 2 || log[0].Action != "member.remove" || log[0].ObjectID != f.b.ID || log[1].Action != "group.create" || log[1].ObjectID != g.ID {
			t.Fatalf("audit log: %+v", log)
		}
		if other, _ := st.AuditLog(ctx, f.other.ID, 0, 10); len(other) != 0 {
			t.Fatalf("another program's log: %+v", other)
		}
	})
}
