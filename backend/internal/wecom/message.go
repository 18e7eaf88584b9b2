package wecom

import (
	"html"
	"strings"
	"time"
)

// Activity is what a member is told about a new activity.
type Activity struct {
	Locale  string // en or zh-Hans ("" = en)
	Program string
	Title   string // the activity's message or instructions
	Link    string // the member's share page
}

type cardWords struct{ title, body, button string }

var cardLanguages = map[string]cardWords{
	"en":      {title: "New in {program}", body: "A new activity is waiting for you. Open it to share it.", button: "Open"},
	"zh-Hans": {title: "{program} 有新活动", body: "有一个新活动等你参与，打开即可分享。", button: "打开"},
}

// ActivityCard is the text card for a new activity, in the member's
// language, within WeCom's field limits.
func ActivityCard(to string, a Activity) TextCard {
	w, ok := cardLanguages[a.Locale]
	if !ok {
		w = cardLanguages["en"]
	}
	title := strings.ReplaceAll(w.title, "{program}", a.Program)
	what := strings.Join(strings.Fields(a.Title), " ")
	// The description is WeCom's small HTML: the activity in normal text,
	// the call to action in grey. Escaped, so a title cannot add markup.
	// Cut before escaping (an entity must stay whole), shorter until the
	// escaped whole fits.
	var desc string
	for n := 400; ; n -= 40 {
		desc = `<div class="normal">` + html.EscapeString(Truncate(what, max(n, 0))) + `</div><div class="gray">` + html.EscapeString(w.body) + `</div>`
		if len(desc) <= 512 || n <= 0 {
			break
		}
	}
	return TextCard{ToUser: to, Title: Truncate(title, 128), Description: desc, URL: a.Link, ButtonText: w.button,
		DuplicateCheck: 4 * time.Hour}
}
