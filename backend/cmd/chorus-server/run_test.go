package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds chorus-server once per test run: these tests drive the real
// program as an operator would.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chorus-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "chorus-server")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs `chorus-server serve` and waits for its address.
func start(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = os.Environ()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "chorus-server listening on "); ok {
				lines <- u
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.url = <-lines:
	case err := <-s.done:
		t.Fatalf("server exited at start: %v\n%s", err, s.stderr)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("server did not start:\n%s", s.stderr)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

func runAdmin(t *testing.T, args ...string) map[string]string {
	t.Helper()
	out, err := exec.Command(binary(t), append([]string{"admin"}, args...)...).Output()
	if err != nil {
		t.Fatalf("admin %v: %v", args, err)
	}
	var ids map[string]string
	if err := json.Unmarshal(out, &ids); err != nil {
		t.Fatalf("admin output %q: %v", out, err)
	}
	return ids
}

func TestAdminServeAndStop(t *testing.T) {
	data := t.TempDir()
	ids := runAdmin(t, "create-program", "--data", data, "--name", "Acme", "--manager-email", "boss@acme.test", "--manager-password", "boss-secret", "--timezone", "Europe/Berlin")
	if !strings.HasPrefix(ids["program_id"], "prg_") || !strings.HasPrefix(ids["manager_id"], "usr_") {
		t.Fatalf("ids: %v", ids)
	}
	user := runAdmin(t, "create-user", "--data", data, "--email", "solo@acme.test", "--password", "solo-secret")
	if !strings.HasPrefix(user["user_id"], "usr_") {
		t.Fatalf("user: %v", user)
	}
	if out, err := exec.Command(binary(t), "admin", "create-program", "--data", data, "--name", "X", "--manager-email", "bad", "--manager-password", "x").CombinedOutput(); err == nil || !strings.Contains(string(out), "email") {
		t.Fatalf("bad admin input: %v %s", err, out)
	}
	// An installation admin makes an existing person a manager of a program
	// (the way back in when nobody can run it) and resets a password, which
	// ends the account's sessions.
	if got := runAdmin(t, "add-manager", "--data", data, "--program", ids["program_id"], "--email", "solo@acme.test"); got["manager_id"] != user["user_id"] {
		t.Fatalf("add-manager: %v", got)
	}
	if got := runAdmin(t, "add-manager", "--data", data, "--program", ids["program_id"], "--email", "solo@acme.test", "--owner"); got["role"] != "owner" {
		t.Fatalf("add-manager --owner: %v", got)
	}
	if out, err := exec.Command(binary(t), "admin", "add-manager", "--data", data, "--program", ids["program_id"], "--email", "nobody@acme.test").CombinedOutput(); err == nil || !strings.Contains(string(out), "no account") {
		t.Fatalf("add-manager of nobody: %v %s", err, out)
	}
	// Single sign-on of the program from the configuration.
	t.Setenv("CHORUS_SSO_PROGRAM", ids["program_id"])
	t.Setenv("CHORUS_SSO_ISSUER", "https://login.acme.test")
	t.Setenv("CHORUS_SSO_CLIENT_ID", "chorus")
	t.Setenv("CHORUS_SSO_CLIENT_SECRET", "sso-secret")
	t.Setenv("CHORUS_SSO_DOMAINS", "acme.test")
	srv := start(t, "--data", data)
	c := client.New(srv.url)
	if _, err := c.Login(context.Background(), "boss@acme.test", "boss-secret"); err != nil {
		t.Fatal(err)
	}
	if ps, err := c.SSOProviders(context.Background()); err != nil || len(ps) != 1 || ps[0].ProgramID != ids["program_id"] || ps[0].DisplayName != "Acme" {
		t.Fatalf("configured SSO: %+v %v", ps, err)
	}
	if conf, err := c.SSO(context.Background(), ids["program_id"]); err != nil || !conf.FromConfig || !conf.SecretSet || conf.IssuerURL != "https://login.acme.test" {
		t.Fatalf("configured SSO settings: %+v %v", conf, err)
	}
	if _, err := c.SetSSO(context.Background(), ids["program_id"], client.SSOInput{PasswordLogin: ptr(false)}); client.Status(err) != 409 {
		t.Fatalf("changing configured SSO: %v", err)
	}
	me, err := c.Me(context.Background())
	if err != nil || len(me.Memberships) != 1 || me.Memberships[0].ProgramID != ids["program_id"] || me.Timezone != "Europe/Berlin" {
		t.Fatalf("me: %+v %v", me, err)
	}
	solo := client.New(srv.url)
	if s, err := solo.Login(context.Background(), "solo@acme.test", "solo-secret"); err != nil || len(s.User.Memberships) != 1 || s.User.Memberships[0].Role != "owner" {
		t.Fatalf("solo as owner: %+v %v", s.User, err)
	}
	runAdmin(t, "reset-password", "--data", data, "--email", "solo@acme.test", "--password", "new-solo-secret")
	if _, err := solo.Me(context.Background()); client.Status(err) != 401 {
		t.Fatalf("a session survived the reset: %v", err)
	}
	if _, err := solo.Login(context.Background(), "solo@acme.test", "new-solo-secret"); err != nil {
		t.Fatalf("sign in with the reset password: %v", err)
	}
	// SIGTERM drains and exits 0.
	srv.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-srv.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, srv.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if !strings.Contains(srv.stderr.String(), "msg=stopped") {
		t.Fatalf("no clean stop in the log:\n%s", srv.stderr)
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(nil, &out, &errb); code != 2 {
		t.Fatalf("no args: %d", code)
	}
	if code := run([]string{"launch"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("unknown command: %d %s", code, errb.String())
	}
	if code := run([]string{"serve", "--database-url", "mysql://x"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "postgres://") {
		t.Fatalf("bad config: %d %s", code, errb.String())
	}
	if code := run([]string{"probe", "--kind", "fax"}, &out, &errb); code != 2 {
		t.Fatalf("probe usage: %d", code)
	}
}

// TestCrashDuringPerforms kills the server with SIGKILL in the middle of a
// burst of performs, restarts it, and checks that every acknowledged perform
// has its ledger entry and none has two. The burst is wide enough that
// performs are group-committed together, and each activity's text has a
// link: in the database left by the crash every perform is whole (its
// ledger entry, its tracked link and its totals) or absent.
func TestCrashDuringPerforms(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { crashDuringPerforms(t, "--data", t.TempDir()) })
	t.Run("postgres", func(t *testing.T) {
		crashDuringPerforms(t, "--data", t.TempDir(), "--database-url", storetest.PostgresURL(t))
	})
}

func crashDuringPerforms(t *testing.T, dbArgs ...string) {
	ctx := context.Background()
	var data, dbURL string
	for i := 0; i < len(dbArgs); i += 2 {
		switch dbArgs[i] {
		case "--data":
			data = dbArgs[i+1]
		case "--database-url":
			dbURL = dbArgs[i+1]
		}
	}
	adminArgs := []string{"create-program", "--data", data, "--name", "Crash", "--manager-email", "boss@crash.test", "--manager-password", "boss-secret"}
	if dbURL != "" {
		adminArgs = append(adminArgs, "--database-url", dbURL)
	}
	pid := runAdmin(t, adminArgs...)["program_id"]
	srv := start(t, dbArgs...)
	mgr := client.New(srv.url)
	if _, err := mgr.Login(ctx, "boss@crash.test", "boss-secret"); err != nil {
		t.Fatal(err)
	}
	const members, activities = 12, 10
	var acts []client.Activity
	for i := 0; i < activities; i++ {
		a, err := mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: ptr("wechat_photo"), Message: ptr(fmt.Sprintf("a%d https://example.com/%d", i, i)), Points: ptr(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		acts = append(acts, a)
	}
	var people []*client.Client
	for i := 0; i < members; i++ {
		email := fmt.Sprintf("m%d@crash.test", i)
		added, err := mgr.AddMember(ctx, pid, client.AddMember{Email: email})
		if err != nil {
			t.Fatal(err)
		}
		c := client.New(srv.url).SetRetryCount(0)
		if _, err := c.AcceptInvite(ctx, client.AcceptInvite{Code: added.InviteCode, Name: email, Password: "member-secret"}); err != nil {
			t.Fatal(err)
		}
		people = append(people, c)
	}
	type pair struct{ m, a int }
	var work []pair
	for m := 0; m < members; m++ {
		for a := 0; a < activities; a++ {
			work = append(work, pair{m, a}, pair{m, a}) // each twice: duplicates in the burst
		}
	}
	rand.Shuffle(len(work), func(i, j int) { work[i], work[j] = work[j], work[i] })
	var mu sync.Mutex
	acked := map[pair]bool{}
	jobs := make(chan pair)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				_, err := people[p.m].Perform(ctx, pid, acts[p.a].ID, client.Perform{ClientActionID: fmt.Sprint(p), Surface: "mobile"})
				if err == nil {
					mu.Lock()
					acked[p] = true
					mu.Unlock()
				}
			}
		}()
	}
	killed := false
	for i, p := range work {
		if i == len(work)/2 {
			srv.cmd.Process.Kill() // SIGKILL, mid-burst, requests in flight
			killed = true
		}
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	<-srv.done
	if !killed || len(acked) == 0 {
		t.Fatalf("burst did not run: %d acknowledged", len(acked))
	}
	checkWholePerforms(t, data, dbURL)

	srv2 := start(t, dbArgs...)
	checked := 0
	for m := range people {
		c2 := client.New(srv2.url)
		if _, err := c2.Login(ctx, fmt.Sprintf("m%d@crash.test", m), "member-secret"); err != nil {
			t.Fatal(err)
		}
		pts, err := c2.MyPoints(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		seen, sum := map[string]int{}, 0
		for _, e := range pts.Entries {
			seen[e.ActivityID]++
			sum += e.Points
		}
		for a, act := range acts {
			if acked[pair{m, a}] && seen[act.ID] == 0 {
				t.Errorf("member %d: acknowledged perform of activity %d has no ledger entry", m, a)
			}
			if seen[act.ID] > 1 {
				t.Errorf("member %d: activity %d has %d ledger entries", m, a, seen[act.ID])
			}
			if acked[pair{m, a}] {
				checked++
			}
		}
		if sum != pts.Total {
			t.Errorf("member %d: balance %d, ledger sums to %d", m, pts.Total, sum)
		}
	}
	t.Logf("%d acknowledged performs survived a SIGKILL", checked)
}

func ptr[T any](v T) *T { return &v }

// checkWholePerforms reads the database a crash left: each perform has one
// ledger entry and one tracked link, each activity entry a perform, and
// each member's balance and all-time total match their ledger.
func checkWholePerforms(t *testing.T, data, dbURL string) {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(data, "chorus.db")
	if dbURL != "" {
		driver, dsn = "pgx", dbURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT p.activity_id, p.user_id,
		(SELECT COUNT(*) FROM point_entries e WHERE e.kind = 'activity' AND e.activity_id = p.activity_id AND e.user_id = p.user_id),
		(SELECT COUNT(*) FROM links l WHERE l.activity_id = p.activity_id AND l.user_id = p.user_id)
		FROM performs p`)
	if err != nil {
		t.Fatal(err)
	}
	performs := 0
	for rows.Next() {
		var aid, uid string
		var entries, links int
		if err := rows.Scan(&aid, &uid, &entries, &links); err != nil {
			t.Fatal(err)
		}
		performs++
		if entries != 1 || links != 1 {
			t.Errorf("perform %s by %s is partial after the crash: %d ledger entries, %d links", aid, uid, entries, links)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var orphans, linksAlone, offBalance int
	for _, c := range []struct {
		q string
		n *int
	}{
		{`SELECT COUNT(*) FROM point_entries e WHERE e.kind = 'activity'
			AND NOT EXISTS (SELECT 1 FROM performs p WHERE p.activity_id = e.activity_id AND p.user_id = e.user_id)`, &orphans},
		{`SELECT COUNT(*) FROM links l WHERE NOT EXISTS (SELECT 1 FROM performs p WHERE p.activity_id = l.activity_id AND p.user_id = l.user_id)`, &linksAlone},
		{`SELECT COUNT(*) FROM point_balances b WHERE b.points <> (SELECT COALESCE(SUM(e.points), 0) FROM point_entries e WHERE e.program_id = b.program_id AND e.user_id = b.user_id)
			OR b.points <> (SELECT COALESCE(SUM(t.points), 0) FROM point_totals t WHERE t.program_id = b.program_id AND t.user_id = b.user_id AND t.period = 'all')`, &offBalance},
	} {
		if err := db.QueryRow(c.q).Scan(c.n); err != nil {
			t.Fatal(err)
		}
	}
	if orphans != 0 || linksAlone != 0 || offBalance != 0 {
		t.Errorf("after the crash: %d ledger entries without a perform, %d links without one, %d balances off their ledger or totals", orphans, linksAlone, offBalance)
	}
	if performs == 0 {
		t.Errorf("no perform reached the database before the crash")
	}
	t.Logf("%d performs whole in the database the crash left", performs)
}
