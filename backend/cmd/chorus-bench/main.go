// Command chorus-bench measures the server under load over loopback and
// prints each figure beside a ceiling measured in the same run: GET /livez,
// a route that touches nothing (no database), on the same server, same
// clients, same machine. GET /healthz (SELECT 1: on PostgreSQL a network
// round trip) is reported beside it as the cheapest database route.
// `make bench` runs it.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/links"
	"github.com/chorus-advocacy/chorus/backend/internal/seed"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

type params struct {
	members, groups, channels, activities, live, entries int
	clients                                              int
	duration                                             time.Duration
	dbs, only                                            string
	pgURL                                                string
	fanout                                               *fanoutParams
	// profileDir, when set, receives a CPU profile of each route's own
	// rounds: a whole-run profile mixes the seeding, the /livez rounds and
	// the other routes into what one route costs.
	profileDir string
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	var p params
	fs := flag.NewFlagSet("chorus-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&p.members, "members", 100000, "members in the program")
	fs.IntVar(&p.groups, "groups", 200, "member groups")
	fs.IntVar(&p.channels, "channels", 100, "channels (a fifth private)")
	fs.IntVar(&p.activities, "activities", 20000, "activities")
	fs.IntVar(&p.live, "live", 2000, "of which live now")
	fs.IntVar(&p.entries, "entries", 1000000, "ledger entries seeded before the leaderboard run")
	fs.IntVar(&p.clients, "clients", 32, "concurrent clients")
	fs.DurationVar(&p.duration, "duration", 8*time.Second, "length of each load run")
	fs.StringVar(&p.dbs, "db", "sqlite,postgres", "databases to measure")
	fs.StringVar(&p.only, "only", "feed,perform,leaderboard,redirect,probe,upload,fanout", "what to measure")
	mp := mediaFlags(fs)
	p.fanout = fanoutFlags(fs)
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.StringVar(&p.profileDir, "profiledir", "", "write a CPU profile of each route's rounds (not /livez's) to this directory: <db>-<route>-<round>.prof, read together with go tool pprof")
	fs.StringVar(&p.pgURL, "postgres", envOr("CHORUS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL server")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintf(stdout, "chorus-bench: %d members, %d groups, %d channels, %d activities (%d live), %d clients, %s per run\n",
		p.members, p.groups, p.channels, p.activities, p.live, p.clients, p.duration)
	failed := false
	// probe and upload need no seeded program: they run first, once.
	dbParts, err := mediaParts(context.Background(), p.only, mp, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "media: %v\n", err)
		failed = true
	}
	for _, db := range strings.Split(p.dbs, ",") {
		if !dbParts {
			break
		}
		if err := bench(context.Background(), strings.TrimSpace(db), p, stdout); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", db, err)
			failed = true
		}
	}
	if failed {
		return 1
	}
	return 0
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func openDB(ctx context.Context, db string, p params) (*store.Store, func(), error) {
	switch db {
	case "sqlite":
		dir, err := os.MkdirTemp("", "chorus-bench-")
		if err != nil {
			return nil, nil, err
		}
		st, err := store.Open(ctx, store.Options{DataDir: dir})
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close(); os.RemoveAll(dir) }, nil
	case "postgres":
		admin, err := sql.Open("pgx", p.pgURL)
		if err != nil {
			return nil, nil, err
		}
		schema := fmt.Sprintf("bench_%d", time.Now().UnixNano())
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			return nil, nil, fmt.Errorf("PostgreSQL at %s: %w", p.pgURL, err)
		}
		u, _ := url.Parse(p.pgURL)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		st, err := store.Open(ctx, store.Options{DatabaseURL: u.String()})
		if err != nil {
			return nil, nil, err
		}
		return st, func() {
			st.Close()
			if os.Getenv("CHORUS_BENCH_KEEP") != "" {
				fmt.Fprintln(os.Stderr, "kept schema", schema)
				admin.Close()
				return
			}
			admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		}, nil
	}
	return nil, nil, fmt.Errorf("unknown database %q (sqlite or postgres)", db)
}

func bench(ctx context.Context, db string, p params, out io.Writer) error {
	st, done, err := openDB(ctx, db, p)
	if err != nil {
		return err
	}
	defer done()
	t0 := time.Now()
	fx, err := seedProgram(ctx, st, p)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	// A running database has planner statistics (autovacuum, PRAGMA
	// optimize at start); a fresh bulk load does not until this.
	if err := st.Optimize(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n[%s] seeded in %s\n", db, time.Since(t0).Round(time.Millisecond))

	clicks := links.NewRecorder(st, slog.New(slog.DiscardHandler), time.Second)
	defer clicks.Close()
	api := httpapi.New(httpapi.Options{Store: st, Log: slog.New(slog.DiscardHandler), PublicURL: "http://bench", Clicks: clicks})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// /bench/copy answers, from memory, the bytes of a response fetched
	// earlier (copyOf): the ceiling for a route that must send that much,
	// since a feed of 40 KB costs its sender and the bench's own client
	// more than /livez's empty body whatever the server does to make it.
	var copied atomic.Pointer[[]byte]
	apiHandler := api.Handler()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bench/copy" {
			apiHandler.ServeHTTP(w, r)
			return
		}
		b := *copied.Load()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: p.clients * 2, MaxConnsPerHost: p.clients * 2},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	get := func(path string) func(r *rand.Rand) *http.Request {
		return func(*rand.Rand) *http.Request {
			req, _ := http.NewRequest("GET", base+path, nil)
			return req
		}
	}
	livez := get("/livez")
	// Each figure is measured in rounds alternating with /livez on the
	// same server, so a change in the machine's load hits both alike; its
	// ratio is to the /livez of its own rounds.
	header(out)
	measure := func(what string, mk func(r *rand.Rand) *http.Request) {
		// The first round meets empty caches (sessions, memberships,
		// boards, the feed's audiences) for the bench's 5,000 members: a
		// server just started, or members opening the app after a quiet
		// while. It is reported apart, so the figure and its ratio are the
		// steady state, as /livez (which has nothing to warm) is.
		cold := load(hc, p.clients, p.duration/rounds, mk).finish()
		res, ceiling := interleave(hc, p, mk, livez, profileName(p.profileDir, db, what))
		line(out, db, what, res, ceiling)
		fmt.Fprintf(out, "%-9s %-17s %8.0f %9s %9s   (the first %s, caches cold; not in the figure above)\n",
			"", "", cold.reqPerSec, cold.p50.Round(10*time.Microsecond), cold.p99.Round(10*time.Microsecond), p.duration/rounds)
	}
	{
		res, ceiling := interleave(hc, p, get("/healthz"), livez, "")
		line(out, db, "GET /livez", ceiling, ceiling)
		line(out, db, "GET /healthz", res, ceiling)
	}
	if strings.Contains(p.only, "feed") {
		feed := func(r *rand.Rand) *http.Request {
			req, _ := http.NewRequest("GET", base+"/api/v1/programs/"+fx.program+"/feed", nil)
			req.Header.Set("Authorization", "Bearer "+fx.tokens[r.IntN(len(fx.tokens))])
			return req
		}
		body, err := copyOf(hc, feed(rand.New(rand.NewPCG(1, 2))))
		if err != nil {
			return err
		}
		copied.Store(&body)
		measure("GET /feed", feed)
		// Not a route of the server: what any feed of this size could reach.
		measure("  same bytes, copy", get("/bench/copy"))
	}
	if strings.Contains(p.only, "perform") {
		// Distinct member×activity pairs over the untargeted live activities,
		// with one request in ten repeating an earlier pair.
		var seq atomic.Int64
		measure("POST /perform", func(r *rand.Rand) *http.Request {
			n := seq.Add(1)
			if r.IntN(10) == 0 && n > 1 {
				n = 1 + r.Int64N(n-1)
			}
			tok := fx.tokens[int(n)%len(fx.tokens)]
			act := fx.open[int(n/int64(len(fx.tokens)))%len(fx.open)]
			body := fmt.Sprintf(`{"client_action_id":"b%d","surface":"mobile"}`, n)
			req, _ := http.NewRequest("POST", base+"/api/v1/programs/"+fx.program+"/activities/"+act+"/perform", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			return req
		})
	}
	if strings.Contains(p.only, "redirect") {
		// 10,000 members' own links to one activity's URL; every follow is
		// a click for the background writer.
		var codes []string
		for i := 0; i < min(10000, len(fx.members)); i++ {
			m := fx.members[i]
			got, err := st.EnsureLinks(ctx, fx.program, fx.open[0], m, []string{"https://example.com/launch"}, links.NewCode, time.Now())
			if err != nil {
				return err
			}
			codes = append(codes, got["https://example.com/launch"])
		}
		measure("GET /l/{code}", func(r *rand.Rand) *http.Request {
			req, _ := http.NewRequest("GET", base+"/l/"+codes[r.IntN(len(codes))], nil)
			req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone) MicroMessenger/8.0")
			return req
		})
	}
	if strings.Contains(p.only, "leaderboard") {
		t1 := time.Now()
		if err := seedLedger(ctx, st, fx, p); err != nil {
			return fmt.Errorf("seed ledger: %w", err)
		}
		if err := st.Optimize(ctx); err != nil {
			return err
		}
		fmt.Fprintf(out, "    (+%d ledger entries and period totals for every member in %s)\n", p.entries, time.Since(t1).Round(time.Millisecond))
		periods := []string{"all", "month", "week"}
		measure("GET /leaderboard", func(r *rand.Rand) *http.Request {
			q := "period=" + periods[r.IntN(3)]
			if r.IntN(4) == 0 {
				q += "&group=" + fx.groups[r.IntN(len(fx.groups))]
			}
			req, _ := http.NewRequest("GET", base+"/api/v1/programs/"+fx.program+"/leaderboard?"+q, nil)
			req.Header.Set("Authorization", "Bearer "+fx.tokens[r.IntN(len(fx.tokens))])
			return req
		})
	}
	if strings.Contains(p.only, "fanout") {
		if err := benchFanout(ctx, db, st, fx, p.fanout, out); err != nil {
			return fmt.Errorf("fanout: %w", err)
		}
	}
	return nil
}

// copyOf fetches one response's body.
func copyOf(hc *http.Client, req *http.Request) ([]byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", req.URL.Path, resp.Status)
	}
	return b, err
}

type result struct {
	n, errors     int
	reqPerSec     float64
	p50, p99      time.Duration
	avgBytes      float64
	firstErrorMsg string
	lat           []time.Duration
	elapsed       time.Duration
	bytes         int64
}

const rounds = 4

// interleave measures a and b in alternating rounds of p.duration/rounds;
// with a profile name, a's rounds are profiled, one file per round.
func interleave(hc *http.Client, p params, a, b func(r *rand.Rand) *http.Request, profile string) (result, result) {
	var ra, rb result
	slice := p.duration / rounds
	for i := 0; i < rounds; i++ {
		stop := startProfile(profile, i)
		ra = ra.merge(load(hc, p.clients, slice, a))
		stop()
		rb = rb.merge(load(hc, p.clients, slice, b))
	}
	return ra.finish(), rb.finish()
}

// profileName is the prefix of a route's profiles in dir, or "" for none.
func profileName(dir, db, what string) string {
	if dir == "" {
		return ""
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, what)
	return filepath.Join(dir, db+"-"+strings.Trim(name, "_"))
}

// startProfile profiles the CPU into prefix-round.prof until stop is
// called; with no prefix, or while a whole-run profile (-cpuprofile) runs,
// it does nothing.
func startProfile(prefix string, round int) (stop func()) {
	if prefix == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s-%d.prof", prefix, round))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		f.Close()
		os.Remove(f.Name())
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

func (r result) merge(o result) result {
	r.lat = append(r.lat, o.lat...)
	r.errors += o.errors
	r.elapsed += o.elapsed
	r.bytes += o.bytes
	if r.firstErrorMsg == "" {
		r.firstErrorMsg = o.firstErrorMsg
	}
	return r
}

func (r result) finish() result {
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	r.n = len(r.lat)
	if r.n > 0 {
		r.reqPerSec = float64(r.n) / r.elapsed.Seconds()
		r.p50 = r.lat[r.n/2]
		r.p99 = r.lat[r.n*99/100]
		r.avgBytes = float64(r.bytes) / float64(r.n)
	}
	return r
}

// load runs clients loops for d, each sending mk's requests.
func load(hc *http.Client, clients int, d time.Duration, mk func(r *rand.Rand) *http.Request) result {
	var mu sync.Mutex
	var lat []time.Duration
	var errs int
	var bytes int64
	var firstErr string
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, seed*7919))
			var mine []time.Duration
			var myBytes int64
			myErrs := 0
			var msg string
			for time.Now().Before(deadline) {
				req := mk(r)
				t := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					myErrs++
					msg = err.Error()
					continue
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t))
				myBytes += n
				if resp.StatusCode >= 400 {
					myErrs++
					msg = resp.Status
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += myErrs
			bytes += myBytes
			if msg != "" && firstErr == "" {
				firstErr = msg
			}
			mu.Unlock()
		}(uint64(i+1) + uint64(time.Now().UnixNano()))
	}
	wg.Wait()
	return result{lat: lat, errors: errs, bytes: bytes, elapsed: time.Since(start), firstErrorMsg: firstErr}
}

func header(out io.Writer) {
	fmt.Fprintf(out, "%-9s %-17s %8s %9s %9s %7s %9s | %s\n", "db", "route", "req/s", "p50", "p99", "KB", "ratio", "/livez in the same rounds: req/s p50 p99")
}

// line prints one figure: the route, its rate and latencies, and its ratio
// to the /livez ceiling measured in the rounds alternating with it.
func line(out io.Writer, db, what string, r, ceiling result) {
	fmt.Fprintf(out, "%-9s %-17s %8.0f %9s %9s %7.1f %9.2f | %7.0f %8s %8s",
		db, what, r.reqPerSec, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.avgBytes/1024,
		r.reqPerSec/ceiling.reqPerSec, ceiling.reqPerSec, ceiling.p50.Round(10*time.Microsecond), ceiling.p99.Round(10*time.Microsecond))
	if r.errors > 0 {
		fmt.Fprintf(out, "  (%d non-2xx/errors, e.g. %s)", r.errors, r.firstErrorMsg)
	}
	fmt.Fprintln(out)
}

type fixture struct {
	program string
	tokens  []string // sessions of random members
	members []string // their ids
	groups  []string
	open    []string // live activities sent to everyone
}

// seedProgram builds the large program with bulk inserts.
func seedProgram(ctx context.Context, st *store.Store, p params) (fixture, error) {
	var fx fixture
	fast := auth.Params{Time: 1, Memory: 1024, Threads: 1}
	prog, mgr, err := seed.CreateProgram(ctx, st, "Bench Co", "Asia/Shanghai", seed.UserSpec{Email: "boss@bench.test", Password: "bench-secret"}, fast)
	if err != nil {
		return fx, err
	}
	fx.program = prog.ID
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	nowMS := now.UnixMilli()
	zones := []string{"Asia/Shanghai", "America/New_York", "Europe/Berlin"}
	users := make([]string, p.members)
	var urows, mrows [][]any
	for i := range users {
		users[i] = domain.NewID("usr")
		urows = append(urows, []any{users[i], fmt.Sprintf("m%d@bench.test", i), fmt.Sprintf("Member %d", i), "", zones[i%3], "en", false, nowMS})
		mrows = append(mrows, []any{prog.ID, users[i], wire.RoleMember, nowMS})
	}
	if err := st.BulkInsert(ctx, "users", []string{"id", "email", "name", "password_hash", "timezone", "locale", "tracking_opt_out", "created_at"}, urows); err != nil {
		return fx, err
	}
	if err := st.BulkInsert(ctx, "memberships", []string{"program_id", "user_id", "role", "created_at"}, mrows); err != nil {
		return fx, err
	}
	var grows, gmrows [][]any
	for i := 0; i < p.groups; i++ {
		fx.groups = append(fx.groups, domain.NewID("grp"))
		grows = append(grows, []any{fx.groups[i], prog.ID, fmt.Sprintf("Group %d", i), nowMS})
	}
	var crows, cfrows, cmrows [][]any
	var public, private []string
	for i := 0; i < p.channels; i++ {
		id := domain.NewID("chn")
		vis := wire.VisibilityPublic
		if i%5 == 4 {
			vis = wire.VisibilityPrivate
			private = append(private, id)
		} else {
			public = append(public, id)
		}
		crows = append(crows, []any{id, prog.ID, fmt.Sprintf("Channel %d", i), vis, nowMS})
	}
	for _, u := range users {
		for _, g := range pick(r, fx.groups, 1+r.IntN(3)) {
			gmrows = append(gmrows, []any{g, u, prog.ID})
		}
		for _, c := range pick(r, public, r.IntN(4)) {
			cfrows = append(cfrows, []any{c, u, prog.ID})
		}
		if r.IntN(10) == 0 && len(private) > 0 {
			cmrows = append(cmrows, []any{private[r.IntN(len(private))], u, prog.ID})
		}
	}
	for _, b := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"member_groups", []string{"id", "program_id", "name", "created_at"}, grows},
		{"group_members", []string{"group_id", "user_id", "program_id"}, gmrows},
		{"channels", []string{"id", "program_id", "name", "visibility", "created_at"}, crows},
		{"channel_follows", []string{"channel_id", "user_id", "program_id"}, cfrows},
		{"channel_members", []string{"channel_id", "user_id", "program_id"}, cmrows},
	} {
		if err := st.BulkInsert(ctx, b.table, b.cols, b.rows); err != nil {
			return fx, fmt.Errorf("%s: %w", b.table, err)
		}
	}
	allChannels := append(append([]string{}, public...), private...)
	var arows, agrows, acrows [][]any
	hour := int64(time.Hour / time.Millisecond)
	for i := 0; i < p.activities; i++ {
		id := domain.NewID("act")
		var start, end int64
		switch {
		case i < p.live:
			start, end = nowMS-int64(r.IntN(72))*hour-hour, nowMS+int64(1+r.IntN(240))*hour
		case i < p.live+p.activities/20:
			start, end = nowMS+int64(1+r.IntN(240))*hour, nowMS+int64(300)*hour
		default:
			start = nowMS - int64(100+r.IntN(5000))*hour
			end = start + int64(1+r.IntN(96))*hour
		}
		arows = append(arows, []any{id, prog.ID, wire.ActivityWeChatPhoto, fmt.Sprintf("Activity %d: share our news https://example.com/%d", i, i), "", "", start, end, 1 + r.IntN(50), nil, i%97 == 0, mgr.ID, "Asia/Shanghai", nowMS, nowMS, nil})
		switch k := r.IntN(20); {
		case k < 1: // everyone
			if i < p.live {
				fx.open = append(fx.open, id)
			}
		case k < 10:
			for _, g := range pick(r, fx.groups, 1+r.IntN(2)) {
				agrows = append(agrows, []any{id, g})
			}
		case k < 16:
			for _, c := range pick(r, allChannels, 1+r.IntN(2)) {
				acrows = append(acrows, []any{id, c})
			}
		default:
			for _, g := range pick(r, fx.groups, 1+r.IntN(2)) {
				agrows = append(agrows, []any{id, g})
			}
			for _, c := range pick(r, allChannels, 1) {
				acrows = append(acrows, []any{id, c})
			}
		}
	}
	for _, b := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"activities", []string{"id", "program_id", "type", "message", "instructions", "media_id", "starts_at", "ends_at", "points", "campaign_id", "featured", "created_by", "creator_timezone", "created_at", "updated_at", "removed_at"}, arows},
		{"activity_groups", []string{"activity_id", "group_id"}, agrows},
		{"activity_channels", []string{"activity_id", "channel_id"}, acrows},
	} {
		if err := st.BulkInsert(ctx, b.table, b.cols, b.rows); err != nil {
			return fx, fmt.Errorf("%s: %w", b.table, err)
		}
	}
	// Sessions for 5,000 random members.
	var srows [][]any
	exp := now.Add(24 * time.Hour).UnixMilli()
	for _, i := range r.Perm(len(users))[:min(5000, len(users))] {
		tok, hash := auth.NewToken(32)
		fx.tokens = append(fx.tokens, tok)
		fx.members = append(fx.members, users[i])
		srows = append(srows, []any{hash, users[i], nowMS, exp})
	}
	if err := st.BulkInsert(ctx, "sessions", []string{"token_hash", "user_id", "created_at", "expires_at"}, srows); err != nil {
		return fx, err
	}
	if len(fx.open) == 0 {
		return fx, fmt.Errorf("no untargeted live activity to perform; raise -live")
	}
	return fx, nil
}

// seedLedger adds p.entries ledger entries spread over the members and the
// matching period totals, as performs over months would leave them.
func seedLedger(ctx context.Context, st *store.Store, fx fixture, p params) error {
	var users []string
	rows, err := memberIDs(ctx, st, fx.program)
	if err != nil {
		return err
	}
	users = rows
	r := rand.New(rand.NewPCG(3, 4))
	prog, err := st.Program(ctx, fx.program)
	if err != nil {
		return err
	}
	loc, _ := domain.LoadLocation(prog.Timezone)
	now := time.Now()
	month, week := domain.PeriodStart("month", now, loc).UnixMilli(), domain.PeriodStart("week", now, loc).UnixMilli()
	total := map[string][3]int{}
	const batch = 200000
	for done := 0; done < p.entries; done += batch {
		var erows [][]any
		for i := done; i < min(done+batch, p.entries); i++ {
			u := users[r.IntN(len(users))]
			pts := 1 + r.IntN(50)
			age := time.Duration(r.IntN(180*24)) * time.Hour
			at := now.Add(-age).UnixMilli()
			erows = append(erows, []any{domain.NewID("pte"), fx.program, u, "adjustment", pts, "seed", at})
			t := total[u]
			t[0] += pts
			if at >= month {
				t[1] += pts
			}
			if at >= week {
				t[2] += pts
			}
			total[u] = t
		}
		if err := st.BulkInsert(ctx, "point_entries", []string{"id", "program_id", "user_id", "kind", "points", "reason", "created_at"}, erows); err != nil {
			return err
		}
	}
	var trows, brows [][]any
	for u, t := range total {
		trows = append(trows, []any{fx.program, "all", 0, u, t[0]})
		if t[1] > 0 {
			trows = append(trows, []any{fx.program, "month", month, u, t[1]})
		}
		if t[2] > 0 {
			trows = append(trows, []any{fx.program, "week", week, u, t[2]})
		}
		brows = append(brows, []any{fx.program, u, t[0]})
	}
	// Performs during the run already wrote some totals: replace them.
	if err := st.BulkDelete(ctx, "point_totals", "program_id", fx.program); err != nil {
		return err
	}
	if err := st.BulkDelete(ctx, "point_balances", "program_id", fx.program); err != nil {
		return err
	}
	if err := st.BulkInsert(ctx, "point_totals", []string{"program_id", "period", "period_start", "user_id", "points"}, trows); err != nil {
		return err
	}
	return st.BulkInsert(ctx, "point_balances", []string{"program_id", "user_id", "points"}, brows)
}

func memberIDs(ctx context.Context, st *store.Store, pid string) ([]string, error) {
	auds, err := st.Audiences(ctx, pid)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(auds))
	for id := range auds {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

func pick(r *rand.Rand, from []string, n int) []string {
	if n > len(from) {
		n = len(from)
	}
	out := make([]string, 0, n)
	for _, i := range r.Perm(len(from))[:n] {
		out = append(out, from[i])
	}
	return out
}
