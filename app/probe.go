package app

import (
	"encoding/json"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// ProbeState is what Probe("state") reports: the screen and what it says, as
// the member reads it. The browser test uses it because the web build draws
// on a canvas; it is also handy in the headless tests.
type ProbeState struct {
	Screen string      `json:"screen"` // login, invite, programs, feed, activity, points, rewards, settings
	Lang   string      `json:"lang"`
	Canvas [2]float32  `json:"canvas"` // the window's size in Fyne units
	Status string      `json:"status,omitempty"`
	Server string      `json:"server,omitempty"` // the sign-in screen's server field
	Focus  string      `json:"focus,omitempty"`  // the sign-in field with the keyboard focus (login.email, login.password)
	Cards  []ProbeCard `json:"cards,omitempty"`
	Notice string      `json:"notice,omitempty"` // what a sync did
	News   string      `json:"news,omitempty"`   // a live event's news line
	// Push is this device's push notifications (on, off, denied,
	// unsupported); Dialog names an open dialog (push.explain).
	Push   string `json:"push,omitempty"`
	Dialog string `json:"dialog,omitempty"`
	// Activity is the open activity (nil when none is open).
	Activity *ProbeActivity `json:"activity,omitempty"`
}

// ProbeActivity is the open activity as shown.
type ProbeActivity struct {
	Message string `json:"message"`
	Action  string `json:"action"`
	// MediaID and MediaReady: the activity's media, and whether its file
	// is fetched (Share hands it over without waiting).
	MediaID    string `json:"media_id,omitempty"`
	MediaReady bool   `json:"media_ready"`
	Picture    bool   `json:"picture"` // the photo or poster is drawn
	Result     string `json:"result,omitempty"`
	Ready      bool   `json:"ready"`     // "Ready for WeChat" was shown
	SaveCopy   bool   `json:"save_copy"` // "Save photo / Copy text" was shown
}

// ProbeBox is where a widget is, in Fyne units from the window's top left.
type ProbeBox struct {
	Found bool    `json:"found"`
	X     float32 `json:"x"`
	Y     float32 `json:"y"`
	W     float32 `json:"w"`
	H     float32 `json:"h"`
}

// Probe answers "state" or "locate NAME" (NAME: login.server, login.email,
// login.password, login.sign_in, feed.card.N, activity.action, tab.N: the
// phone browser's bottom bar) with JSON. It waits for the UI
// goroutine, so it must be called from another one.
func (ui *UI) Probe(cmd string) string {
	var out any
	fyne.DoAndWait(func() {
		name, arg, _ := strings.Cut(strings.TrimSpace(cmd), " ")
		switch name {
		case "locate":
			out = ui.locate(arg)
		default:
			out = ui.probeState()
		}
	})
	b, _ := json.Marshal(out)
	// What the screen says, without the breaks Tr.Flow puts in for Fyne.
	return Plain(string(b))
}

func (ui *UI) probeState() ProbeState {
	s := ProbeState{Lang: string(ui.tr.Lang())}
	if c := ui.win.Canvas(); c != nil {
		s.Canvas = [2]float32{c.Size().Width, c.Size().Height}
	}
	if ui.shell == nil {
		switch ui.auth {
		case authInvite:
			s.Screen = "invite"
		case authPrograms:
			s.Screen = "programs"
		default:
			s.Screen = "login"
			if ui.login != nil {
				s.Server, s.Status = ui.login.server.Text, visibleText(ui.login.status.Text, ui.login.status.Visible())
				if c := ui.win.Canvas(); c != nil {
					switch c.Focused() {
					case fyne.Focusable(ui.login.email):
						s.Focus = "login.email"
					case fyne.Focusable(ui.login.password):
						s.Focus = "login.password"
					}
				}
			}
		}
		return s
	}
	s.Push = ui.pushState()
	if ui.pushDialog != nil {
		s.Dialog = "push.explain"
	}
	switch ui.shell.current() {
	case tabPoints:
		s.Screen = "points"
	case tabRewards:
		s.Screen = "rewards"
	case tabSettings:
		s.Screen = "settings"
	default:
		s.Screen = "feed"
		if ui.activity != nil && ui.mobile {
			s.Screen = "activity"
		}
	}
	if a := ui.activity; a != nil {
		s.Activity = &ProbeActivity{Message: a.message.Text, Action: a.action.Text, MediaID: a.item.MediaID,
			MediaReady: a.media.file.Path != "", Picture: a.media.img != nil,
			Result: visibleText(a.result.Text, a.result.Visible()), Ready: a.ready != nil, SaveCopy: a.saveCopy != nil}
	}
	if ui.feedView != nil {
		s.Status = visibleText(ui.feedView.status.Text, ui.feedView.status.Visible())
		s.Notice = visibleText(ui.feedView.notice.Text, ui.feedView.notice.Visible())
		s.News = visibleText(ui.feedView.newsMsg.Text, ui.feedView.news.Visible())
		// Every activity, as its card says it when scrolled to: the list
		// builds only the cards on screen.
		f := ui.feedView
		for _, it := range f.items {
			s.Cards = append(s.Cards, cardTexts(ui.tr, it, f.pending[it.ID], f.now))
		}
	}
	return s
}

func visibleText(text string, visible bool) string {
	if !visible {
		return ""
	}
	return text
}

func (ui *UI) locate(name string) ProbeBox {
	var o fyne.CanvasObject
	if l := ui.login; l != nil && ui.shell == nil {
		switch name {
		case "login.server":
			o = l.server
		case "login.email":
			o = l.email
		case "login.password":
			o = l.password
		case "login.sign_in":
			o = l.signIn
		}
	}
	if rest, ok := strings.CutPrefix(name, "feed.card."); ok && ui.feedView != nil {
		// Scrolls the card into view first, as a member would.
		if i, err := strconv.Atoi(rest); err == nil {
			if c := ui.feedView.cardAt(i); c != nil {
				o = c.card
			}
		}
	}
	if a := ui.activity; a != nil && name == "activity.action" {
		o = a.action
	}
	switch {
	case name == "push.allow" && ui.pushAllow != nil:
		o = ui.pushAllow
	case name == "settings.push" && ui.settings != nil && ui.settings.notify != nil:
		o = ui.settings.notify.push
	case name == "tab.settings":
		name = "tab." + strconv.Itoa(int(tabSettings))
	}
	if rest, ok := strings.CutPrefix(name, "tab."); ok && ui.shell != nil {
		if m, isPhone := ui.shell.(*mobileShell); isPhone && m.bar != nil {
			for i, b := range m.bar.buttons {
				if rest == strconv.Itoa(i) {
					o = b
				}
			}
		}
	}
	if o == nil || !o.Visible() {
		return ProbeBox{}
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	size := o.Size()
	if c, ok := o.(*widget.Check); ok {
		// A check reacts to taps on its box and label only, not on the
		// rest of the row it is stretched across.
		size = fyne.NewSize(min(size.Width, c.MinSize().Width), size.Height)
	}
	return ProbeBox{Found: true, X: pos.X, Y: pos.Y, W: size.Width, H: size.Height}
}
