package app

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/assets"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Every key has a text in every language, with the same placeholders.
func TestCatalogsComplete(t *testing.T) {
	c := catalog(t)
	en := c.msgs[English]
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, l := range Langs {
		for key, text := range c.msgs[l] {
			base := pluralBase(key)
			if l != English && en[key] == "" && en[base+".other"] == "" {
				t.Errorf("%s has %q, English does not", l, key)
			}
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s %q is empty", l, key)
			}
			want := en[key]
			if want == "" {
				want = en[base+".other"]
			}
			if got, exp := sortedMatches(ph, text), sortedMatches(ph, want); !slices.Equal(got, exp) {
				t.Errorf("%s %q has placeholders %v, English %v", l, key, got, exp)
			}
		}
		for key := range en {
			if _, ok := c.msgs[l][key]; ok {
				continue
			}
			// Chinese has no singular: key.other serves key.one.
			if strings.HasSuffix(key, ".one") && c.msgs[l][pluralBase(key)+".other"] != "" {
				continue
			}
			t.Errorf("%s lacks %q", l, key)
		}
	}
}

func pluralBase(key string) string {
	for _, s := range []string{".one", ".other"} {
		if b, ok := strings.CutSuffix(key, s); ok {
			return b
		}
	}
	return key
}

func sortedMatches(re *regexp.Regexp, s string) []string {
	m := re.FindAllString(s, -1)
	slices.Sort(m)
	return slices.Compact(m)
}

// Every key the code asks for exists: a typo would show the raw key.
func TestCatalogHasEveryKeyTheCodeUses(t *testing.T) {
	c := catalog(t)
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	used := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "T" && sel.Sel.Name != "N") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true // built keys ("error." + code) fall back by design
			}
			key, _ := strconv.Unquote(lit.Value)
			used++
			for _, l := range Langs {
				m := c.msgs[l]
				if sel.Sel.Name == "N" {
					if m[key+".other"] == "" {
						t.Errorf("%s: %s lacks %q.other", fset.Position(lit.Pos()), l, key)
					}
				} else if m[key] == "" {
					t.Errorf("%s: %s lacks %q", fset.Position(lit.Pos()), l, key)
				}
			}
			return true
		})
	}
	if used < 50 {
		t.Fatalf("found only %d keys in use; is the scan broken?", used)
	}
}

// everyOneWorded fails for each of the server's words (a list in
// backend/wire) that has no text under prefix in some language.
func everyOneWorded(t *testing.T, c *Catalog, prefix string, words []string) {
	t.Helper()
	for _, w := range words {
		for _, l := range Langs {
			if c.msgs[l][prefix+w] == "" {
				t.Errorf("%s: no text for %s%s", l, prefix, w)
			}
		}
	}
}

// Codes the server sends (backend/wire) all have a translation, so members
// never see the generic text for a known case.
func TestEveryServerErrorCodeTranslated(t *testing.T) {
	everyOneWorded(t, catalog(t), "error.", wire.Codes())
}

func TestFormatting(t *testing.T) {
	cat := catalog(t)
	en := NewTr(cat, English, "America/New_York")
	zh := NewTr(cat, Chinese, "Asia/Shanghai")
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{en.Num(1234567), "1,234,567"},
		{en.Num(-1000), "-1,000"},
		{en.Num(999), "999"},
		{en.Points(1), "1 point"},
		{en.Points(1500), "1,500 points"},
		{zh.Points(1), "1 积分"},
		{en.When(at, now), "Sat 28 Nov, 05:00"},
		{zh.When(at, now), "11月28日 周六 18:00"},
		{en.When(at, now.AddDate(-1, 0, 0)), "Sat 28 Nov 2026, 05:00"},
		{zh.Day(at), "2026年11月28日"},
		{en.TimeLeft(now, &at), "7 days left"},
		{zh.TimeLeft(now, &at), "还剩 7 天"},
		{en.TimeLeft(at.Add(-47*time.Hour), &at), "47 hours left"},
		{en.TimeLeft(at.Add(-90*time.Second), &at), "1 minute left"},
		{en.TimeLeft(at.Add(time.Second), &at), "Ended"},
		{en.TimeLeft(now, nil), "No end date"},
		{en.T("activity.awarded", "points", 5, "total", "7 points"), "+5 points! You now have 7 points."},
		{en.T("no.such.key"), "no.such.key"},
	} {
		if Plain(c.got) != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if NewTr(cat, English, "Not/AZone").Location() != time.UTC {
		t.Error("an unknown zone should read as UTC")
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"zh-Hans": Chinese, "zh-CN": Chinese, "zh": Chinese, "en-US": English, "": English, "de": English} {
		if got := ParseLang(in); got != want {
			t.Errorf("ParseLang(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestNormalizeServer(t *testing.T) {
	for in, want := range map[string]string{
		"chorus.acme.com":         "https://chorus.acme.com",
		" http://127.0.0.1:8080/": "http://127.0.0.1:8080",
		"https://x.y/base/":       "https://x.y/base",
		"":                        "",
		"ftp://x":                 "",
	} {
		got, err := normalizeServer(in)
		if want == "" {
			if err == nil {
				t.Errorf("normalizeServer(%q) = %q, want an error", in, got)
			}
			continue
		}
		if got != want || err != nil {
			t.Errorf("normalizeServer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// Every reason the server can give for refusing an import row has words
// in both languages, so a manager reading Chinese never gets the server's
// English; a row's problems are worded field by field.
func TestImportProblemsTranslated(t *testing.T) {
	c := catalog(t)
	everyOneWorded(t, c, "mgr.import.problem.", wire.ImportProblems())
	row := client.ImportedRow{Outcome: client.ImportError, Reason: "email: the same address is on line 3; groups: no group named \"Ops\" (create it first)",
		Problems: []client.ImportProblem{{Field: "email", Code: wire.ImportDuplicate, Value: "3"}, {Field: "groups", Code: wire.ImportUnknownGroup, Value: "Ops"}}}
	if got, want := Plain(importProblems(NewTr(c, Chinese, "UTC"), row)), "邮箱：同一地址已在第 3 行出现；分组：没有名为“Ops”的分组（请先创建）"; got != want {
		t.Errorf("zh: %q, want %q", got, want)
	}
	if got, want := importProblems(NewTr(c, English, "UTC"), row), "Email: the same address is on line 3; Groups: no group named “Ops” (create it first)"; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	// A code this app does not know yet: the server's own words.
	row.Problems[1].Code = "something_new"
	if got := importProblems(NewTr(c, Chinese, "UTC"), row); got != row.Reason {
		t.Errorf("unknown code: %q", got)
	}
}

// The audit log says what changed in the owner's language from the
// entry's facts; an entry without them shows the server's English.
func TestAuditDetailWorded(t *testing.T) {
	c := catalog(t)
	zh, en := NewTr(c, Chinese, "UTC"), NewTr(c, English, "UTC")
	for _, tc := range []struct {
		e      client.AuditEntry
		zh, en string
	}{
		{client.AuditEntry{Action: "member.invite", Detail: "a@x.test as manager", Args: map[string]string{"email": "a@x.test", "role": "manager"}},
			"a@x.test，角色：管理员", "a@x.test as Manager"},
		{client.AuditEntry{Action: "member.update", Args: map[string]string{"email": "a@x.test", "role_from": "member", "role_to": "owner", "groups": "2", "limited": "false"}},
			"a@x.test：角色 成员 → 所有者；现属于 2 个分组；取消管理范围限制", "a@x.test: role Member → Owner; now in 2 groups; limits lifted"},
		{client.AuditEntry{Action: "member.import", Args: map[string]string{"added": "997", "invited": "1", "existing": "1", "errors": "3"}},
			"新增 997 人，邀请 1 人，已是成员 1 人，未添加 3 人", "997 added, 1 invited, 1 already members, 3 not added"},
		{client.AuditEntry{Action: "points.adjust", Args: map[string]string{"points": "+50", "reason": "Webinar host"}},
			"+50 积分：Webinar host", "+50 points: Webinar host"},
		{client.AuditEntry{Action: "group.create", Detail: "Sales"}, "Sales", "Sales"},
	} {
		if got := Plain(auditDetail(zh, tc.e)); got != tc.zh {
			t.Errorf("zh %s: %q, want %q", tc.e.Action, got, tc.zh)
		}
		if got := auditDetail(en, tc.e); got != tc.en {
			t.Errorf("en %s: %q, want %q", tc.e.Action, got, tc.en)
		}
	}
	sso := client.AuditEntry{Action: "settings.sso", Args: map[string]string{"enabled": "true", "issuer": "https://id.x.test", "client": "chorus", "domains": "x.test", "passwords": "false"}}
	if got := Plain(auditDetail(zh, sso)); !strings.Contains(got, "单点登录开启") || !strings.Contains(got, "不再可用密码登录") {
		t.Errorf("zh sso: %q", got)
	}
}

// A key written twice in a catalog file would silently keep the last one.
func TestCatalogKeysOnce(t *testing.T) {
	for _, l := range Langs {
		data, err := fs.ReadFile(assets.Catalogs, "i18n/"+string(l)+".json")
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		seen, n := map[string]bool{}, 0
		if _, err := dec.Token(); err != nil { // {
			t.Fatal(err)
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var v string
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s: %v: %v", l, k, err)
			}
			if seen[k.(string)] {
				t.Errorf("%s: %q twice", l, k)
			}
			seen[k.(string)] = true
			n++
		}
		if n < 100 {
			t.Fatalf("%s: read only %d keys", l, n)
		}
	}
}

// Chinese wraps where Chinese typesetting allows: between characters, but
// never with a line that begins with "，" or ends with "（". Tr.Flow gives
// Fyne's wrap (which breaks at spaces) those places as hair spaces.
func TestChineseWrapsWhereChineseDoes(t *testing.T) {
	for in, want := range map[string]string{
		"你好，世界。":       "你|好，|世|界。",
		"没有名为“Ops”的分组": "没|有|名|为|“Ops”|的|分|组",
		"（请先创建）再试":     "（请|先|创|建）|再|试",
		"发布！Our new":   "发|布！|Our new",
		"iPhone手机":     "iPhone|手|机",
		"Hello, world": "Hello, world",
		"好， 世界":        "好， 世|界",
	} {
		if got := strings.ReplaceAll(flowCJK(in), "\u200a", "|"); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	test.NewTempApp(t)
	c := catalog(t)
	tr := NewTr(c, Chinese, "UTC")
	lines := 0
	for _, key := range []string{"notify_settings.local_help", "mgr.import.help", "settings.tracking_help", "password.change_help"} {
		chinese := !strings.ContainsFunc(c.msgs[Chinese][key], func(r rune) bool { return r < 0x80 && unicode.IsLetter(r) })
		text := tr.T(key)
		if Plain(text) != c.msgs[Chinese][key] {
			t.Fatalf("%s: Plain(Flow) is not the text: %q", key, Plain(text))
		}
		for w := float32(160); w <= 400; w += 7 {
			l := widget.NewLabel(text)
			l.Wrapping = fyne.TextWrapWord
			l.Resize(fyne.NewSize(w, 2000))
			shown := wrappedLines(l)
			lines += len(shown)
			for i, line := range shown {
				line = strings.Trim(line, " \u200a")
				first, _ := utf8.DecodeRuneInString(line)
				last, _ := utf8.DecodeLastRuneInString(line)
				if i > 0 && strings.ContainsRune(noLineStart, first) || i < len(shown)-1 && strings.ContainsRune(noLineEnd, last) {
					t.Errorf("%s at width %v: line %d is %q", key, w, i, line)
				}
			}
			// Chinese lines are full: none but the last is much shorter
			// than the label, as when Chinese breaks only at punctuation.
			// (Latin words among Chinese wrap whole, as in English.)
			for i, line := range shown[:max(len(shown)-1, 0)] {
				if !chinese {
					break
				}
				if got := fyne.MeasureText(line, theme.TextSize(), fyne.TextStyle{}).Width; got < w-3*theme.TextSize()-2*theme.InnerPadding() {
					t.Errorf("%s at width %v: line %d is short (%.0f): %q", key, w, i, got, line)
				}
			}
		}
	}
	if lines < 200 {
		t.Fatalf("only %d lines: is the text wrapped at all?", lines)
	}
}

// wrappedLines is the text of each line a label shows, as Fyne laid it out.
func wrappedLines(l *widget.Label) []string {
	var lines []string
	for _, o := range test.LaidOutObjects(l) {
		if txt, ok := o.(*canvas.Text); ok && txt.Visible() && txt.Text != "" {
			lines = append(lines, txt.Text)
		}
	}
	return lines
}

// Every audit action the server records has a name in both languages, so
// an owner never reads an action's code.
func TestAuditActionsTranslated(t *testing.T) {
	everyOneWorded(t, catalog(t), "mgr.audit.action.", wire.AuditActions())
}
