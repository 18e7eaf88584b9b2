package app

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"time"
	// A member's zone must resolve on phones whose system zone database Go
	// cannot read.
	_ "time/tzdata"
)

// Lang is an interface language. The server stores the same codes.
type Lang string

const (
	English Lang = "en"
	Chinese Lang = "zh-Hans"
)

// Langs lists the interface languages, in the order the settings show them.
var Langs = []Lang{English, Chinese}

// Catalog holds every visible string of the app, per language: flat
// key → text, with {name} placeholders. Fyne's lang package follows the
// system locale; members switch language inside the app, so we keep our own.
type Catalog struct {
	msgs map[Lang]map[string]string
}

// LoadCatalog reads <lang>.json files from dir of fsys.
func LoadCatalog(fsys fs.FS, dir string) (*Catalog, error) {
	c := &Catalog{msgs: map[Lang]map[string]string{}}
	for _, l := range Langs {
		data, err := fs.ReadFile(fsys, path.Join(dir, string(l)+".json"))
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", l, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", l, err)
		}
		c.msgs[l] = m
	}
	return c, nil
}

// ParseLang maps a stored or system locale to an interface language; any
// Chinese (zh, zh-CN, zh-Hans-CN) reads Simplified Chinese.
func ParseLang(s string) Lang {
	if strings.HasPrefix(strings.ToLower(s), "zh") {
		return Chinese
	}
	return English
}

// Tr formats text for one language and time zone. It is a value: changing
// language or zone makes a new one and the screens are built again.
type Tr struct {
	cat  *Catalog
	lang Lang
	loc  *time.Location
}

// NewTr returns a translator; an unknown zone falls back to UTC rather than
// the device's, since the member chose their zone in their profile.
func NewTr(cat *Catalog, lang Lang, zone string) *Tr {
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" || zone == "Local" {
		loc = time.UTC
	}
	return &Tr{cat: cat, lang: lang, loc: loc}
}

// Lang is the language of t.
func (t *Tr) Lang() Lang { return t.lang }

// Location is the member's zone.
func (t *Tr) Location() *time.Location { return t.loc }

// Has reports whether key exists in t's language.
func (t *Tr) Has(key string) bool {
	_, ok := t.cat.msgs[t.lang][key]
	return ok
}

// T returns the text of key with {name} placeholders filled from pairs of
// name, value. A missing key shows as the key itself, so it is seen in
// review rather than hidden behind English.
func (t *Tr) T(key string, args ...any) string {
	s, ok := t.cat.msgs[t.lang][key]
	if !ok {
		slog.Warn("missing translation", "lang", t.lang, "key", key)
		return key
	}
	return fill(s, args)
}

// N is T for a count: key.one when n is 1 and the language has that form,
// else key.other; {n} is the formatted count.
func (t *Tr) N(key string, n int, args ...any) string {
	k := key + ".other"
	if n == 1 && t.Has(key+".one") {
		k = key + ".one"
	}
	return t.T(k, append([]any{"n", t.Num(n)}, args...)...)
}

func fill(s string, args []any) string {
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Num groups digits by thousands, as both English and Chinese write them.
func (t *Tr) Num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Points is "50 points" / "50 积分".
func (t *Tr) Points(n int) string { return t.N("points", n) }

var (
	enDays   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	zhDays   = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	enMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// When shows an instant in the member's zone: "Sat 28 Nov, 18:00" or
// "11月28日 周六 18:00"; the year appears only when it is not this year.
func (t *Tr) When(at, now time.Time) string {
	at = at.In(t.loc)
	sameYear := at.Year() == now.In(t.loc).Year()
	hm := fmt.Sprintf("%02d:%02d", at.Hour(), at.Minute())
	if t.lang == Chinese {
		d := fmt.Sprintf("%d月%d日 %s %s", int(at.Month()), at.Day(), zhDays[at.Weekday()], hm)
		if !sameYear {
			d = fmt.Sprintf("%d年", at.Year()) + d
		}
		return d
	}
	d := fmt.Sprintf("%s %d %s", enDays[at.Weekday()], at.Day(), enMonths[at.Month()-1])
	if !sameYear {
		d += fmt.Sprintf(" %d", at.Year())
	}
	return d + ", " + hm
}

// Day shows a date without the time, for lists: "28 Nov 2026" / "2026年11月28日".
func (t *Tr) Day(at time.Time) string {
	at = at.In(t.loc)
	if t.lang == Chinese {
		return fmt.Sprintf("%d年%d月%d日", at.Year(), int(at.Month()), at.Day())
	}
	return fmt.Sprintf("%d %s %d", at.Day(), enMonths[at.Month()-1], at.Year())
}

// TimeLeft says how long an activity stays: "3 days left", "5 h left",
// "12 min left", "Ended", or "No end date" for end == nil.
func (t *Tr) TimeLeft(now time.Time, end *time.Time) string {
	if end == nil {
		return t.T("time.no_end")
	}
	d := end.Sub(now)
	switch {
	case d <= 0:
		return t.T("time.ended")
	case d >= 48*time.Hour:
		return t.N("time.days_left", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return t.N("time.hours_left", int(d/time.Hour))
	}
	return t.N("time.minutes_left", max(1, int(d/time.Minute)))
}

// typeLabel names an activity type ("WeChat Moments photo").
func typeLabel(tr *Tr, typ string) string {
	if tr.Has("type." + typ) {
		return tr.T("type." + typ)
	}
	return tr.T("type.other")
}
