package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// importFile is a 1,000-row file with bad rows mixed in: every row it
// expects to fail says which field in want.
func importFile(n int) (file []byte, want map[int]string) {
	want = map[int]string{}
	var b bytes.Buffer
	b.WriteString("Email,Name,Groups,Time zone,Language,Role\n")
	for i := 0; i < n; i++ {
		line := i + 2
		email, name, groups, zone, lang, role := fmt.Sprintf("person%04d@acme.test", i), fmt.Sprintf("Person %d", i), "Sales", "Europe/Berlin", "en", ""
		switch {
		case i%50 == 1:
			email, want[line] = "not an address", "email"
		case i%50 == 2:
			groups, want[line] = "Sales;Nowhere", "groups"
		case i%50 == 3:
			zone, want[line] = "Mars/Olympus", "timezone"
		case i%50 == 4:
			lang, want[line] = "fr", "language"
		case i%50 == 5:
			role, want[line] = "admin", "role"
		case i%50 == 6:
			email, want[line] = "person0000@acme.test", "email" // the same address as line 2
		case i%50 == 7:
			groups, lang, role = "sales; Support", "zh-Hans", "manager"
		case i%50 == 8:
			name = `=HYPERLINK("http://evil.test")` // a formula: kept as text
		}
		w := csv.NewWriter(&b)
		_ = w.Write([]string{email, name, groups, zone, lang, role})
		w.Flush()
	}
	return b.Bytes(), want
}

func TestMembersImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newMailEnv(t, st)
		e.start()
		pid, owner := e.ProgramID, e.Manager
		sales := must[client.Group](t)(owner.CreateGroup(ctx, pid, "Sales"))
		support := must[client.Group](t)(owner.CreateGroup(ctx, pid, "Support"))
		e.AddMember("person0010@acme.test", "UTC") // already a member
		e.OtherProgram()                           // boss@other.test has an account, not here
		file, want := importFile(1000)
		file = append(file, []byte("boss@other.test,Boss,,,,\n\n")...)
		before := len(must[[]client.Member](t)(owner.Members(ctx, pid)))

		// A dry run answers every row and saves nothing.
		dry := must[client.ImportResult](t)(owner.ImportMembers(ctx, pid, file, true))
		if !dry.DryRun || len(dry.Rows) != 1001 || dry.Errors != len(want) || dry.Existing != 1 || dry.Invited != 1 {
			t.Fatalf("dry run: %d rows, %d errors (want %d), %d existing, %d invited", len(dry.Rows), dry.Errors, len(want), dry.Existing, dry.Invited)
		}
		if n := len(must[[]client.Member](t)(owner.Members(ctx, pid))); n != before {
			t.Fatalf("a dry run added people: %d → %d", before, n)
		}

		res := must[client.ImportResult](t)(owner.ImportMembers(ctx, pid, file, false))
		if res.DryRun || len(res.Rows) != 1001 || res.Errors != len(want) || res.Existing != 1 || res.Invited != 1 || res.Added != 1001-len(want)-2 {
			t.Fatalf("import: %d rows, %d added, %d invited, %d existing, %d errors", len(res.Rows), res.Added, res.Invited, res.Existing, res.Errors)
		}
		for _, row := range res.Rows {
			field, bad := want[row.Line]
			switch {
			case bad && (row.Outcome != client.ImportError || !strings.HasPrefix(row.Reason, field+":")):
				t.Errorf("line %d: %s %q, want an error about %s", row.Line, row.Outcome, row.Reason, field)
			case bad && (len(row.Problems) == 0 || row.Problems[0].Field != field || !slices.Contains(wire.ImportProblems(), row.Problems[0].Code)):
				t.Errorf("line %d: problems %+v, want one about %s with a known code", row.Line, row.Problems, field)
			case !bad && row.Outcome == client.ImportError:
				t.Errorf("line %d: refused: %s", row.Line, row.Reason)
			case row.Line == 12 && row.Outcome != client.ImportExisting:
				t.Errorf("line 12 (a member already): %s", row.Outcome)
			}
		}
		if r := res.Rows[6]; r.Line != 8 || !strings.Contains(r.Reason, "line 2") || len(r.Problems) != 1 ||
			r.Problems[0] != (client.ImportProblem{Field: "email", Code: wire.ImportDuplicate, Value: "2"}) {
			t.Errorf("the duplicate's reason: %+v", r)
		}
		members := must[[]client.Member](t)(owner.Members(ctx, pid))
		if len(members) != before+res.Added+res.Invited {
			t.Fatalf("members after the import: %d, want %d", len(members), before+res.Added+res.Invited)
		}
		byEmail := map[string]client.Member{}
		for _, m := range members {
			byEmail[m.Email] = m
		}
		m7 := byEmail["person0007@acme.test"]
		if m7.Role != "manager" || len(m7.GroupIDs) != 2 || m7.Status != "invited" || m7.Timezone != "Europe/Berlin" {
			t.Fatalf("row 7: %+v (groups %s %s)", m7, sales.ID, support.ID)
		}
		// Everyone new gets an invitation in their language; its link joins.
		msg := e.waitMail(t, "person0007@acme.test", "")
		if !strings.Contains(msg.Subject+msg.Text, "邀请") {
			t.Errorf("a zh-Hans row's invitation is not in Chinese: %s", msg.Subject)
		}
		msg = e.waitMail(t, "person0000@acme.test", "")
		code := inviteLink.FindStringSubmatch(msg.Text)
		if code == nil {
			t.Fatalf("no invite link in %q", msg.Text)
		}
		s := must[client.Session](t)(e.Client().AcceptInvite(ctx, client.AcceptInvite{Code: code[1], Name: "Person Zero", Password: apitest.Password}))
		if len(s.User.Memberships) != 1 || s.User.Memberships[0].ProgramID != pid {
			t.Fatalf("joined: %+v", s.User.Memberships)
		}
		e.waitMail(t, "boss@other.test", "")

		// The same file again: nobody twice.
		again := must[client.ImportResult](t)(owner.ImportMembers(ctx, pid, file, false))
		if again.Added+again.Invited != 0 || again.Existing != res.Added+res.Invited+1 {
			t.Fatalf("second import: %d added, %d invited, %d existing", again.Added, again.Invited, again.Existing)
		}

		// The export has the import's columns and imports again as is.
		exp := must[[]byte](t)(owner.CSV(ctx, pid, "members"))
		rows := must[[][]string](t)(csv.NewReader(bytes.NewReader(exp)).ReadAll())
		if len(rows) != len(members)+1 || strings.Join(rows[0], ",") != "email,name,groups,timezone,language,role,status" {
			t.Fatalf("export: %d rows, header %v", len(rows), rows[0])
		}
		if !strings.Contains(string(exp), "person0007@acme.test,Person 7,Sales;Support,Europe/Berlin,zh-Hans,manager,invited") ||
			!strings.Contains(string(exp), `'=HYPERLINK`) {
			t.Fatalf("export rows:\n%.600s", exp)
		}
		back := must[client.ImportResult](t)(owner.ImportMembers(ctx, pid, bytes.Replace(exp, []byte(",status\n"), []byte("\n"), 1), true))
		if back.Errors != 0 || back.Existing != len(members) {
			for _, r := range back.Rows {
				if r.Outcome == client.ImportError {
					t.Errorf("export line %d: %s", r.Line, r.Reason)
					break
				}
			}
			t.Fatalf("the export imported again: %d existing of %d, %d errors", back.Existing, len(members), back.Errors)
		}

		// Whole-file refusals: bounded, and said plainly.
		post := func(body []byte, ctype string) int {
			req, _ := http.NewRequest("POST", e.URL+"/api/v1/programs/"+pid+"/members/import", bytes.NewReader(body))
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Authorization", "Bearer "+loginToken(t, e.Env, "mgr@acme.test"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		big, _ := importFile(httpapi.MaxImportRows + 1)
		for _, tc := range []struct {
			what  string
			body  []byte
			ctype string
			want  int
		}{
			{"too many rows", big, "text/csv", 413},
			{"too large", bytes.Repeat([]byte("x"), httpapi.MaxImportBytes+10), "text/csv", 413},
			{"an unknown column", []byte("email,shoe size\na@acme.test,42\n"), "text/csv", 422},
			{"no email column", []byte("name\nAnn\n"), "text/csv", 422},
			{"empty", nil, "text/csv", 422},
			{"JSON", []byte(`{"email":"a@acme.test"}`), "application/json", 415},
		} {
			if got := post(tc.body, tc.ctype); got != tc.want {
				t.Errorf("%s: %d, want %d", tc.what, got, tc.want)
			}
		}

		// The audit log has the imports (not the dry runs).
		n := 0
		for _, a := range must[client.AuditPage](t)(owner.AuditLog(ctx, pid, 0, 200)).Items {
			if a.Action == "member.import" {
				n++
				if n == 2 && !strings.Contains(a.Detail, fmt.Sprintf("%d added", res.Added)) {
					t.Errorf("import entry: %q", a.Detail)
				}
				// The same facts by name, for the app to word in Chinese.
				if n == 2 && (a.Args["added"] != fmt.Sprint(res.Added) || a.Args["errors"] != fmt.Sprint(res.Errors) || a.Args["invited"] != "1") {
					t.Errorf("import entry's args: %v", a.Args)
				}
			}
		}
		if n != 2 {
			t.Fatalf("member.import entries: %d, want 2", n)
		}
	})
}

// BenchmarkImport10k imports 10,000 new people through the API (SQLite;
// invitations queued as sealed mail jobs in the same transaction).
func BenchmarkImport10k(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			st := storetest.SQLite(b)
			if db == "postgres" {
				st = storetest.Postgres(b)
			}
			e := newMailEnv(b, st)
			must[client.Group](b)(e.Manager.CreateGroup(ctx, e.ProgramID, "Sales"))
			files := make([][]byte, b.N)
			for i := range files {
				var buf bytes.Buffer
				buf.WriteString("email,name,groups,timezone,language,role\n")
				for j := 0; j < 10000; j++ {
					fmt.Fprintf(&buf, "p%d-%05d@acme.test,Person %d,Sales,Asia/Shanghai,en,member\n", i, j, j)
				}
				files[i] = buf.Bytes()
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := e.Manager.ImportMembers(ctx, e.ProgramID, files[i], false)
				if err != nil || res.Added != 10000 {
					b.Fatalf("import: %v (%d added)", err, res.Added)
				}
			}
		})
	}
}
