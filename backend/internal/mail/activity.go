package mail

import (
	"bytes"
	"html/template"
	"strings"
	texttemplate "text/template"
)

// Activity is the email telling a member about a new activity.
type Activity struct {
	To, Locale string
	Name       string // the member's name
	Program    string
	Title      string // the activity's message or instructions
	ImageURL   string // the activity's picture (absolute URL), or ""
	Link       string // the member's share page
	// Unsubscribe is the member's one-click unsubscribe URL.
	Unsubscribe string
}

type activityWords struct {
	subject, hello, body, button, unsubscribe, why string
}

var activityLanguages = map[string]activityWords{
	"en": {
		subject:     "New in {{.Program}}: {{.Title}}",
		hello:       "Hello {{.Name}},",
		body:        "There is a new activity for you in {{.Program}}:",
		button:      "Open and share",
		unsubscribe: "Stop these emails",
		why:         "You get this email because you are a member of {{.Program}} on Chorus. Choose how you hear about new activities in the app's Settings.",
	},
	"zh-Hans": {
		subject:     "{{.Program}} 有新活动：{{.Title}}",
		hello:       "{{.Name}}，您好：",
		body:        "{{.Program}} 有一个新活动等您参与：",
		button:      "打开并分享",
		unsubscribe: "不再接收此类邮件",
		why:         "您收到此邮件是因为您是 Chorus 上 {{.Program}} 的成员。您可以在应用的“设置”中选择如何接收新活动通知。",
	},
}

var activityHTML = template.Must(template.New("activity").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2328">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
<p>{{.Hello}}</p>
<p>{{.Body}}</p>
<blockquote style="margin:16px 0;padding:12px 16px;border-left:4px solid #2b59c3;background:#f6f8fa;white-space:pre-wrap">{{.Title}}</blockquote>
{{if .ImageURL}}<p><a href="{{.Link}}"><img src="{{.ImageURL}}" alt="" width="512" style="max-width:100%;height:auto;border-radius:6px;display:block"></a></p>
{{end}}<p style="margin:24px 0"><a href="{{.Link}}" style="background:#2b59c3;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">{{.Button}}</a></p>
<p style="font-size:13px;color:#57606a">{{.Fallback}}<br><a href="{{.Link}}">{{.Link}}</a></p>
<p style="font-size:12px;color:#8c959f">{{.Why}}{{if .Unsubscribe}} <a href="{{.Unsubscribe}}" style="color:#57606a">{{.UnsubscribeText}}</a>{{end}}</p>
</div></body></html>
`))

var activityText = texttemplate.Must(texttemplate.New("activity").Parse(`{{.Hello}}

{{.Body}}

{{.Title}}

{{.Button}}: {{.Link}}

-- 
{{.Why}}
{{if .Unsubscribe}}{{.UnsubscribeText}}: {{.Unsubscribe}}
{{end}}`))

// ActivityMessage is the new-activity email: the activity's text and
// picture, a button to the member's share page, and the way out
// (List-Unsubscribe and a link), in the member's language.
func ActivityMessage(a Activity) Message {
	_, tag := lang(a.Locale)
	w := activityLanguages[tag]
	title := strings.TrimSpace(a.Title)
	short := []rune(strings.Join(strings.Fields(title), " "))
	if len(short) > 80 {
		short = append(short[:79], '…')
	}
	facts := map[string]string{"Name": nameOr(a.Name, a.To), "Program": a.Program, "Title": string(short)}
	fallback, _ := lang(a.Locale)
	page := func(html bool) map[string]any {
		return map[string]any{"Lang": tag, "Subject": oneLine(fill(w.subject, facts, false)),
			"Hello": fill(w.hello, facts, false), "Body": fill(w.body, facts, false), "Title": title,
			"ImageURL": a.ImageURL, "Link": a.Link, "Button": w.button, "Fallback": fallback.linkFallback,
			"Why": fill(w.why, facts, false), "Unsubscribe": a.Unsubscribe, "UnsubscribeText": w.unsubscribe}
	}
	var h, t bytes.Buffer
	// The HTML template escapes every fact itself (names and titles are
	// what people typed).
	_ = activityHTML.Execute(&h, page(true))
	_ = activityText.Execute(&t, page(false))
	return Message{To: a.To, Subject: oneLine(fill(w.subject, facts, false)), Text: t.String(), HTML: h.String(), Unsubscribe: a.Unsubscribe}
}
