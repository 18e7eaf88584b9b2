// Package mail writes the emails Chorus sends (invitations, password resets,
// password-changed notices) and sends them over SMTP. The builders are pure:
// a person's language and the facts in, a subject with a plain-text and an
// HTML body out. The sender is a thin layer over go-mail; mailtest is a
// recording SMTP server for tests and `serve --demo`.
package mail

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
)

// Message is one email, ready to send.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	// Unsubscribe is the one-click unsubscribe URL (RFC 8058): sent as
	// List-Unsubscribe with List-Unsubscribe-Post. "" for messages a
	// person cannot opt out of (invitations, resets).
	Unsubscribe string `json:"unsubscribe,omitempty"`
}

// Invite is an invitation to join a program.
type Invite struct {
	To, Locale string
	Name       string // what the manager typed for the person
	Program    string
	Code       string
	Link       string // opens the app with the code filled in
	Expires    time.Time
}

// Reset is a password reset link.
type Reset struct {
	To, Locale string
	Name       string
	Token      string
	Link       string
	Valid      time.Duration
}

// PasswordChanged tells a person their password was changed.
type PasswordChanged struct {
	To, Locale string
	Name       string
	At         time.Time
	Zone       string // the person's IANA zone ("" = UTC)
}

// words are a language's texts; %s-free templates keep the order of facts
// free per language.
type words struct {
	inviteSubject, inviteHello, inviteBody, inviteButton, inviteCode, inviteExpires string
	resetSubject, resetHello, resetBody, resetButton, resetToken, resetIgnore       string
	changedSubject, changedHello, changedBody, changedNotYou                        string
	linkFallback, footer                                                            string
}

var languages = map[string]words{
	"en": {
		inviteSubject:  "You're invited to {{.Program}} on Chorus",
		inviteHello:    "Hello {{.Name}},",
		inviteBody:     "You have been invited to join {{.Program}} on Chorus. Open the link below to accept: choose your password there, or sign in with the one you have.",
		inviteButton:   "Accept the invitation",
		inviteCode:     "Your invite code:",
		inviteExpires:  "The invitation is valid until {{.Expires}}.",
		resetSubject:   "Reset your Chorus password",
		resetHello:     "Hello {{.Name}},",
		resetBody:      "Someone (we hope you) asked to reset the password of your Chorus account. Open the link below within {{.Valid}} to choose a new one. The link works once.",
		resetButton:    "Choose a new password",
		resetToken:     "Or paste this reset code in the app:",
		resetIgnore:    "If you did not ask for this, ignore this email: your password stays as it is.",
		changedSubject: "Your Chorus password was changed",
		changedHello:   "Hello {{.Name}},",
		changedBody:    "The password of your Chorus account was changed on {{.At}}. Every other device was signed out.",
		changedNotYou:  "If this was not you, reset your password now with \"Forgot password?\" on the sign-in screen, and tell your program's manager.",
		linkFallback:   "If the button does not work, copy this address into your browser:",
		footer:         "This email was sent by Chorus. You get it because of an action on your account.",
	},
	"zh-Hans": {
		inviteSubject:  "邀请您加入 Chorus 上的 {{.Program}}",
		inviteHello:    "{{.Name}}，您好：",
		inviteBody:     "您受邀加入 Chorus 上的 {{.Program}}。打开下面的链接接受邀请：在那里设置密码，或用已有的密码登录。",
		inviteButton:   "接受邀请",
		inviteCode:     "您的邀请码：",
		inviteExpires:  "邀请有效期至 {{.Expires}}。",
		resetSubject:   "重置您的 Chorus 密码",
		resetHello:     "{{.Name}}，您好：",
		resetBody:      "有人（希望是您）请求重置您 Chorus 账户的密码。请在 {{.Valid}} 内打开下面的链接设置新密码。该链接只能使用一次。",
		resetButton:    "设置新密码",
		resetToken:     "或在应用中粘贴此重置码：",
		resetIgnore:    "如果这不是您的请求，请忽略此邮件：您的密码不会改变。",
		changedSubject: "您的 Chorus 密码已更改",
		changedHello:   "{{.Name}}，您好：",
		changedBody:    "您 Chorus 账户的密码已于 {{.At}} 更改。其他所有设备均已退出登录。",
		changedNotYou:  "如果这不是您本人操作，请立即在登录页点击“忘记密码？”重置密码，并告知您项目的管理员。",
		linkFallback:   "如果按钮无法使用，请将此地址复制到浏览器中：",
		footer:         "此邮件由 Chorus 发送，因为您的账户有相关操作。",
	},
}

func lang(locale string) (words, string) {
	if strings.HasPrefix(locale, "zh") {
		return languages["zh-Hans"], "zh-Hans"
	}
	return languages["en"], "en"
}

// fill renders one sentence with facts. Text sentences are filled
// verbatim; HTML ones escape the facts (a name is what someone typed).
func fill(sentence string, facts any, html bool) string {
	var b bytes.Buffer
	if html {
		t := template.Must(template.New("").Parse(sentence))
		_ = t.Execute(&b, facts)
		return b.String()
	}
	t := texttemplate.Must(texttemplate.New("").Parse(sentence))
	_ = t.Execute(&b, facts)
	return b.String()
}

// body is what both renderings of a message hold.
type body struct {
	Lang, Subject    string
	Hello            string
	Paragraphs       []string
	Button, Link     string
	CodeLabel, Code  string
	After            []string
	Fallback, Footer string
}

var htmlPage = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2328">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
<p>{{.Hello}}</p>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Link}}<p style="margin:24px 0"><a href="{{.Link}}" style="background:#2b59c3;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">{{.Button}}</a></p>
{{end}}{{if .Code}}<p>{{.CodeLabel}}<br><code style="font-size:18px;letter-spacing:1px">{{.Code}}</code></p>
{{end}}{{range .After}}<p>{{.}}</p>
{{end}}{{if .Link}}<p style="font-size:13px;color:#57606a">{{.Fallback}}<br><a href="{{.Link}}">{{.Link}}</a></p>
{{end}}<p style="font-size:12px;color:#8c959f">{{.Footer}}</p>
</div></body></html>
`))

var textPage = texttemplate.Must(texttemplate.New("mail").Parse(`{{.Hello}}

{{range .Paragraphs}}{{.}}

{{end}}{{if .Link}}{{.Button}}: {{.Link}}

{{end}}{{if .Code}}{{.CodeLabel}} {{.Code}}

{{end}}{{range .After}}{{.}}

{{end}}-- 
{{.Footer}}
`))

// render fills both pages. Sentences come in as templates over facts, so
// each page escapes the facts its own way.
func render(to, locale string, facts any, hello string, paras []string, button, link, codeLabel, code string, after []string, subject string) Message {
	w, tag := lang(locale)
	make1 := func(html bool) body {
		b := body{Lang: tag, Subject: fill(subject, facts, false), Hello: fill(hello, facts, html), Button: button, Link: link,
			CodeLabel: codeLabel, Code: code, Fallback: w.linkFallback, Footer: w.footer}
		for _, p := range paras {
			b.Paragraphs = append(b.Paragraphs, fill(p, facts, html))
		}
		for _, p := range after {
			b.After = append(b.After, fill(p, facts, html))
		}
		return b
	}
	var h, t bytes.Buffer
	hb := make1(true)
	// The HTML sentences are already escaped: mark them so the page does
	// not escape them twice.
	type safeBody struct {
		body
		Hello      template.HTML
		Paragraphs []template.HTML
		After      []template.HTML
	}
	sb := safeBody{body: hb, Hello: template.HTML(hb.Hello)}
	for _, p := range hb.Paragraphs {
		sb.Paragraphs = append(sb.Paragraphs, template.HTML(p))
	}
	for _, p := range hb.After {
		sb.After = append(sb.After, template.HTML(p))
	}
	_ = htmlPage.Execute(&h, sb)
	_ = textPage.Execute(&t, make1(false))
	return Message{To: to, Subject: oneLine(fill(subject, facts, false)), Text: t.String(), HTML: h.String()}
}

// oneLine keeps a subject on one header line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// when formats an instant in a zone for a language.
func when(t time.Time, zone, locale string) string {
	loc, err := time.LoadLocation(zone)
	if zone == "" || err != nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if _, tag := lang(locale); tag == "zh-Hans" {
		return t.Format("2006年1月2日 15:04 MST")
	}
	return t.Format("2 January 2006 15:04 MST")
}

func duration(d time.Duration, locale string) string {
	_, tag := lang(locale)
	h := int(d.Round(time.Minute) / time.Hour)
	m := int(d.Round(time.Minute)%time.Hour) / int(time.Minute)
	switch {
	case tag == "zh-Hans" && m == 0:
		return strconv.Itoa(h) + " 小时"
	case tag == "zh-Hans":
		return strconv.Itoa(int(d.Round(time.Minute)/time.Minute)) + " 分钟"
	case m == 0 && h == 1:
		return "1 hour"
	case m == 0:
		return strconv.Itoa(h) + " hours"
	}
	return strconv.Itoa(int(d.Round(time.Minute)/time.Minute)) + " minutes"
}

// InviteMessage is the invitation email.
func InviteMessage(in Invite) Message {
	w, _ := lang(in.Locale)
	facts := map[string]string{"Name": nameOr(in.Name, in.To), "Program": in.Program, "Expires": when(in.Expires, "", in.Locale)}
	var after []string
	if !in.Expires.IsZero() {
		after = append(after, w.inviteExpires)
	}
	return render(in.To, in.Locale, facts, w.inviteHello, []string{w.inviteBody}, w.inviteButton, in.Link, w.inviteCode, in.Code, after, w.inviteSubject)
}

// ResetMessage is the password reset email.
func ResetMessage(r Reset) Message {
	w, _ := lang(r.Locale)
	facts := map[string]string{"Name": nameOr(r.Name, r.To), "Valid": duration(r.Valid, r.Locale)}
	return render(r.To, r.Locale, facts, w.resetHello, []string{w.resetBody}, w.resetButton, r.Link, w.resetToken, r.Token, []string{w.resetIgnore}, w.resetSubject)
}

// PasswordChangedMessage is the notice sent when a password changes.
func PasswordChangedMessage(p PasswordChanged) Message {
	w, _ := lang(p.Locale)
	facts := map[string]string{"Name": nameOr(p.Name, p.To), "At": when(p.At, p.Zone, p.Locale)}
	return render(p.To, p.Locale, facts, w.changedHello, []string{w.changedBody}, "", "", "", "", []string{w.changedNotYou}, w.changedSubject)
}

func nameOr(name, email string) string {
	if name = strings.TrimSpace(name); name != "" {
		return name
	}
	return strings.SplitN(email, "@", 2)[0]
}
