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
	"unicode"

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
	return t.Flow(fill(s, args))
}

// Flow readies text for Fyne's line wrapping in t's language. Fyne wraps
// at spaces, and in a run without one wherever the width ends, so Chinese
// broke anywhere, a line beginning with "，" too. In Chinese each place a
// line may break gets a hair space (U+200A: a space to Fyne's wrap, about
// a sixteenth of a character wide on screen), and the places Chinese
// typesetting forbids do not: before closing punctuation, after opening
// punctuation. The wrap then breaks where Chinese does.
func (t *Tr) Flow(s string) string {
	if t.lang != Chinese {
		return s
	}
	return flowCJK(s)
}

// hairSpace is Flow's break: Plain takes it out again.
const hairSpace = '\u200a'

// Plain is s without Flow's breaks: for what is copied, sent or compared.
func Plain(s string) string { return strings.ReplaceAll(s, string(hairSpace), "") }

const (
	// noLineStart are the marks a Chinese line must not begin with.
	noLineStart = "，、；：。！？）」』》】”’…%"
	// noLineEnd are the marks a Chinese line must not end with.
	noLineEnd = "（「『《【“‘"
)

func flowCJK(s string) string {
	// Asked before any copy: Flow runs on every Chinese text the screens
	// show, card binds while scrolling included, and most numbers and
	// names have no Chinese in them.
	if strings.IndexFunc(s, isCJK) < 0 {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 3*len(rs))
	for i, r := range rs {
		b.WriteRune(r)
		if i+1 < len(rs) && breakBetween(r, rs[i+1]) {
			b.WriteRune(hairSpace)
		}
	}
	return b.String()
}

// breakBetween: a Chinese line may break between r and next.
func breakBetween(r, next rune) bool {
	switch {
	case unicode.IsSpace(r) || unicode.IsSpace(next):
		return false // a space is a place to break already
	case strings.ContainsRune(noLineStart, next) || strings.ContainsRune(noLineEnd, r):
		return false
	}
	han, nextHan := isCJK(r), isCJK(next)
	switch {
	case han && nextHan:
		return true
	case han: // Chinese, then a Latin word, a number or an opening mark
		return unicode.IsLetter(next) || unicode.IsDigit(next) || strings.ContainsRune(noLineEnd, next)
	case nextHan: // a Latin word, a number or a closing mark, then Chinese
		return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(noLineStart, r)
	}
	return false // within Latin text, Fyne's own wrap at spaces stands
}

// isCJK: a Chinese or Japanese character or a full-width mark.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
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
