package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/backend/client"
)

var demoPickID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// demoBrowser is the person's browser at the demo's OpenID provider: it
// opens the page, picks who to be, and follows the redirects back to the
// app's loopback address.
func demoBrowser(t *testing.T, who string) func(u *url.URL) error {
	return demoBrowserTo(t, who, nil)
}

// demoBrowserTo is demoBrowser that also hands over the address the
// browser was last sent to (the web build's own, with #sso/{code}).
func demoBrowserTo(t *testing.T, who string, landed func(*url.URL)) func(u *url.URL) error {
	return func(u *url.URL) error {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.Get(u.String())
		if err != nil {
			return err
		}
		var page strings.Builder
		_, _ = fmt.Fprint(&page, readAll(resp))
		m := demoPickID.FindStringSubmatch(page.String())
		if m == nil {
			return fmt.Errorf("no sign-in page at %s", resp.Request.URL)
		}
		issuer := resp.Request.URL.Scheme + "://" + resp.Request.URL.Host
		var last *url.URL
		c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			last = req.URL
			if req.URL.Fragment != "" || req.URL.Scheme == client.SSOAppScheme {
				return http.ErrUseLastResponse // the web build's page, or the phone app's URL
			}
			return nil
		}
		resp, err = c.PostForm(issuer+"/login/username", url.Values{"id": {m[1]}, "username": {who}})
		if err != nil {
			return err
		}
		if landed != nil {
			resp.Body.Close()
			landed(last)
			return nil
		}
		body := readAll(resp)
		if resp.StatusCode != 200 || !strings.Contains(body, "Chorus") {
			return fmt.Errorf("back at the app: %d %s", resp.StatusCode, body)
		}
		return nil
	}
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// The sign-in screen offers the demo program's "Sign in with Demo
// Company"; the browser goes through the demo's OpenID provider and back
// to the app's loopback listener, and a person new to the server is in,
// as a member of the demo program.
func TestSignInWithSSO(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	l := h.ui.login
	h.ui.Wait()
	if len(l.sso.box.Objects) != 1 {
		t.Fatalf("SSO buttons: %d", len(l.sso.box.Objects))
	}
	b := l.sso.box.Objects[0].(*widget.Button)
	if b.Text != "Sign in with Demo Company" {
		t.Fatalf("button: %q", b.Text)
	}
	h.ui.openURL = demoBrowser(t, "nora.newcomer@demo.test")
	h.tap(b)
	if h.ui.shell == nil {
		t.Fatalf("not signed in: %q", l.status.Text)
	}
	if h.ui.me.Email != "nora.newcomer@demo.test" || len(h.ui.me.Memberships) != 1 || h.ui.me.Memberships[0].Role != "member" {
		t.Fatalf("signed in as %+v", h.ui.me)
	}
	// The web build: this tab goes to the provider and comes back to the
	// app's own address with #sso/{code}, which signs the person in.
	w := newWebHarness(t, srv.URL, true)
	var back *url.URL
	w.ui.openHere = demoBrowserTo(t, testserver.Member(3), func(u *url.URL) { back = u })
	w.tap(w.ui.login.sso.box.Objects[0].(*widget.Button))
	if back == nil || !strings.HasPrefix(back.String(), srv.URL+"/app/#sso/") {
		t.Fatalf("the web build came back to %v", back)
	}
	if !w.ui.openLink("#" + back.Fragment) {
		t.Fatalf("#%s not taken", back.Fragment)
	}
	w.ui.Wait()
	if w.ui.shell == nil || w.ui.me.Email != testserver.Member(3) {
		t.Fatalf("the web build is not signed in: %q", w.ui.login.status.Text)
	}
	// The web build comes back at #sso-error/{code} when the server
	// refused: the sign-in screen says why, in the person's words.
	h3 := newHarness(t, srv.URL, false)
	if !h3.ui.openLink("#sso-error/domain_not_allowed") || h3.ui.login == nil || !strings.Contains(h3.ui.login.status.Text, "not one this program lets in") {
		t.Fatalf("sso-error link: %q", h3.ui.login.status.Text)
	}
	// A browser that does not open leaves nobody signed in, and says so.
	h2 := newHarness(t, srv.URL, false)
	h2.ui.openURL = func(u *url.URL) error { return fmt.Errorf("no browser") }
	h2.tap(h2.ui.login.sso.box.Objects[0].(*widget.Button))
	if h2.ui.shell != nil || !h2.ui.login.status.Visible() {
		t.Fatal("a browser that did not open signed someone in")
	}
}

// The manager's import screen: a pasted CSV is checked first (nothing
// saved), the rows show what will happen to each, Import adds them, and
// the owner's audit log shows the import; both export.
func TestManagerImportAndAuditLog(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	ctx := context.Background()
	mgr := apiAs(t, srv.URL, testserver.Manager)
	pid := programOf(t, mgr)
	v := m.importer
	v.text.SetText("email,name,groups,timezone,language,role\n" +
		"ivy@demo.test,Ivy Import,Sales,Asia/Shanghai,zh-Hans,member\n" +
		"not-an-address,X,,,,\n" +
		"member1@demo.test,,,,,\n")
	if !v.commit.Disabled() {
		t.Fatal("Import before a check")
	}
	h.tap(v.check)
	if len(v.rows) != 3 || v.rows[0].Outcome != client.ImportAdded || v.rows[1].Outcome != client.ImportError || v.rows[2].Outcome != client.ImportExisting {
		t.Fatalf("preview rows: %+v (%q)", v.rows, v.status.Text)
	}
	if got := v.cell(v.rows[1], len(importCols)-1); !strings.HasPrefix(got, "Email: not an email address") {
		t.Fatalf("the bad row's reason, in the manager's words: %q", got)
	}
	if got, want := v.cell(v.rows[0], 6)+" / "+v.cell(v.rows[0], 7), "Member / New: invited by email"; got != want {
		t.Fatalf("the first row reads %q, want %q", got, want)
	}
	has := func(email string) bool {
		ms, err := mgr.Members(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		for _, mem := range ms {
			if mem.Email == email {
				return true
			}
		}
		return false
	}
	if has("ivy@demo.test") {
		t.Fatal("the check saved someone")
	}
	h.tap(v.commit)
	if !has("ivy@demo.test") || !strings.Contains(v.summary.Text, "1 new") {
		t.Fatalf("after Import: %q / %q", v.summary.Text, v.status.Text)
	}
	if !v.commit.Disabled() {
		t.Fatal("Import stays on after importing")
	}

	a := m.audit
	if a == nil {
		t.Fatal("the owner has no audit log")
	}
	a.reload()
	h.ui.Wait()
	if len(a.items) == 0 || a.items[0].Action != "member.import" || a.cell(a.items[0], 2) != "Imported members" {
		t.Fatalf("audit log: %+v", a.items)
	}
	dir := t.TempDir()
	a.saveDialog = func(name string, done func(fyne.URIWriteCloser, error)) {
		w, err := storage.Writer(storage.NewFileURI(filepath.Join(dir, name)))
		done(w, err)
	}
	a.askExport()
	h.ui.Wait()
	b, err := os.ReadFile(filepath.Join(dir, "audit.csv"))
	if err != nil || !strings.Contains(string(b), "member.import") {
		t.Fatalf("audit CSV: %v %.200s", err, b)
	}
}

// Managers who are not owners get no audit log tab.
func TestAuditLogOnlyForOwners(t *testing.T) {
	managerRole := "manager"
	srv := testserver.Start(t)
	ctx := context.Background()
	mgr := apiAs(t, srv.URL, testserver.Manager)
	pid := programOf(t, mgr)
	ms, err := mgr.Members(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, mem := range ms {
		if mem.Email == testserver.Member(2) {
			if _, err := mgr.UpdateMember(ctx, pid, mem.ID, client.UpdateMember{Role: &managerRole}); err != nil {
				t.Fatal(err)
			}
		}
	}
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Member(2))
	if h.ui.mgr == nil || h.ui.mgr.audit != nil {
		t.Fatalf("a manager's desktop: %v, audit %v", h.ui.mgr != nil, h.ui.mgr != nil && h.ui.mgr.audit != nil)
	}
}
