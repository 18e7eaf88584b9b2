package app

import (
	"fmt"
	"image"
	"image/png"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// TourOptions drive Tour.
type TourOptions struct {
	Dir      string // where the pictures go
	Prefix   string // file names are PREFIX-SCREEN.png, e.g. phone-en-feed.png
	Email    string
	Password string
	Lang     Lang
	// Settle is how long a screen is given to draw before its picture.
	Settle time.Duration
	// Grab saves the window as it is on screen into a PNG file; nil reads
	// Fyne's canvas back (Canvas.Capture), which comes out black on some
	// GL drivers, Xvfb's among them.
	Grab func(path string) error
}

// Tour signs in and visits the main screens, saving a picture of each, as a
// new member sees them: sign-in, feed, activity, leaderboard, rewards,
// settings. make screenshots runs it in the real desktop window under Xvfb.
// Call it on a goroutine of its own once the window shows; it returns the
// files written.
func (ui *UI) Tour(o TourOptions) ([]string, error) {
	if o.Settle == 0 {
		o.Settle = 800 * time.Millisecond
	}
	var files []string
	shot := func(name string) error {
		time.Sleep(o.Settle) // a few frames: images load, wrapped labels take their height
		p := filepath.Join(o.Dir, o.Prefix+"-"+name+".png")
		var err error
		if o.Grab != nil {
			err = o.Grab(p)
		} else {
			err = writePNG(p, ui.win.Canvas().Capture())
		}
		if err != nil {
			return err
		}
		files = append(files, p)
		return nil
	}
	wait := func(what string, cond func() bool) error {
		end := time.Now().Add(30 * time.Second)
		for time.Now().Before(end) {
			ok := false
			fyne.DoAndWait(func() { ok = cond() })
			if ok {
				return nil
			}
			time.Sleep(100 * time.Millisecond)
		}
		return fmt.Errorf("tour: timed out waiting for %s", what)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	if err := wait("the sign-in screen", func() bool { return ui.login != nil && ui.shell == nil }); err != nil {
		return nil, err
	}
	fyne.DoAndWait(func() {
		ui.setLang(o.Lang)
		ui.login.email.SetText(o.Email)
	})
	if err := shot("signin"); err != nil {
		return files, err
	}
	fyne.DoAndWait(func() {
		ui.login.password.SetText(o.Password)
		ui.login.onSignIn()
	})
	if err := wait("the feed", func() bool {
		return ui.shell != nil && !ui.feedAt.IsZero() && len(ui.feedView.items) > 0 && !ui.feedView.busy.Visible()
	}); err != nil {
		return files, err
	}
	mgr := false
	fyne.DoAndWait(func() { mgr = ui.mgr != nil })
	if mgr {
		// make screenshots runs the manager first: the member's run then
		// takes the sign-in picture again, with the member's address.
		err := ui.managerTour(shot, wait)
		return files, err
	}
	// The pictures show the cards' thumbnails and the activity's photo.
	if err := wait("the cards' pictures", ui.thumbsSettled); err != nil {
		return files, err
	}
	if err := shot("feed"); err != nil {
		return files, err
	}
	fyne.DoAndWait(func() { ui.openActivity(ui.feedView.items[0]) })
	if err := wait("the activity's picture", func() bool {
		a := ui.activity
		return a == nil || a.media.ref.ID == "" || a.media.full || a.media.status.Visible()
	}); err != nil {
		return files, err
	}
	if err := shot("activity"); err != nil {
		return files, err
	}
	if err := ui.handoffTour(shot, wait); err != nil {
		return files, err
	}
	fyne.DoAndWait(func() {
		if ui.mobile {
			ui.closeActivity()
		}
		ui.shell.selectTab(tabPoints)
	})
	if err := wait("the leaderboard", func() bool { return ui.points.loaded && !ui.points.status.Visible() }); err != nil {
		return files, err
	}
	if err := shot("leaderboard"); err != nil {
		return files, err
	}
	fyne.DoAndWait(func() { ui.shell.selectTab(tabRewards) })
	if err := wait("the rewards", func() bool { return !ui.rewards.status.Visible() }); err != nil {
		return files, err
	}
	if err := shot("rewards"); err != nil {
		return files, err
	}
	fyne.DoAndWait(func() { ui.shell.selectTab(tabSettings) })
	if err := wait("the settings", func() bool { return ui.tiktokKnown }); err != nil {
		return files, err
	}
	return files, shot("settings")
}

// handoffTour, on a desktop with a WeChat activity open, presses Share on
// WeChat and takes the share panel (PREFIX-handoff-qr.png), then closes it.
func (ui *UI) handoffTour(shot func(string) error, wait func(string, func() bool) error) error {
	wechat := false
	fyne.DoAndWait(func() {
		a := ui.activity
		wechat = !ui.mobile && !ui.phoneShare && a != nil && kindOf(a.item.Type, a.item.Network).network == "wechat"
		if wechat {
			a.onAction()
		}
	})
	if !wechat {
		return nil
	}
	if err := wait("the share panel", func() bool { return ui.activity.panel != nil }); err != nil {
		return err
	}
	if err := shot("handoff-qr"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { ui.activity.panel.onClose() })
	return nil
}

// managerTour takes the manager's screens: the activities, the editor with
// a photo, the member view preview, a report and the program admin.
func (ui *UI) managerTour(shot func(string) error, wait func(string, func() bool) error) error {
	m := ui.mgr
	steps := []struct {
		name  string
		do    func()
		ready func() bool
	}{
		{"manager-activities", func() {}, func() bool { return len(m.list.rows) > 0 }},
		{"manager-editor", func() {
			m.newActivity()
			e := m.editor
			e.typ.SetSelected(typeLabel(ui.tr, wire.ActivityWeChatPhoto))
			e.message.SetText(ui.tr.T("mgr.tour.message"))
			if len(m.groups) > 0 {
				e.groups.SetSelected([]string{m.groups[len(m.groups)-1].Name})
			}
			e.points.SetText("20")
			if p, err := filepath.Abs(filepath.Join("backend", "mediacheck", "testdata", "image.jpg")); err == nil {
				if _, err := os.Stat(p); err == nil {
					e.setFile(p)
				}
			}
		}, func() bool { return m.editor.file == "" || m.editor.mediaID != "" || m.editor.problems.Visible() }},
		{"manager-preview", func() {
			m.tabs.SelectIndex(2)
			for _, mem := range m.members {
				if mem.Role == wire.RoleMember {
					m.preview.show(mem)
					return
				}
			}
		}, func() bool { return m.preview.app != nil }},
		{"manager-report", func() {
			m.tabs.SelectIndex(3)
			// The featured live activity: the one members performed most.
			for i, a := range m.reports.items {
				if a.Status == wire.StatusLive && (a.Featured || i == len(m.reports.items)-1) {
					m.reports.activity.SetSelectedIndex(i)
					return
				}
			}
			if len(m.reports.ids) > 0 {
				m.reports.activity.SetSelectedIndex(0)
			}
		}, func() bool { return m.reports.report != nil }},
		{"manager-admin", func() { m.tabs.SelectIndex(4) }, func() bool { return len(m.admin.members.rows) > 0 }},
		{"manager-import", func() {
			m.tabs.SelectIndex(5)
			m.importer.text.SetText(ui.tr.T("mgr.tour.import"))
			m.importer.run(true)
		}, func() bool { return len(m.importer.rows) > 0 }},
		{"manager-audit", func() {
			if m.audit != nil {
				m.tabs.SelectIndex(6)
			}
		}, func() bool { return m.audit == nil || len(m.audit.items) > 0 }},
	}
	for _, st := range steps {
		fyne.DoAndWait(st.do)
		if err := wait(st.name, st.ready); err != nil {
			return err
		}
		if err := shot(st.name); err != nil {
			return err
		}
	}
	return nil
}

// TourAndQuit runs Tour on a goroutine of its own, prints the files it
// wrote, and quits the app (a failed tour ends the process with its error).
func (ui *UI) TourAndQuit(o TourOptions) {
	go func() {
		files, err := ui.Tour(o)
		for _, f := range files {
			fmt.Println(f)
		}
		if err != nil {
			log.Fatal(err)
		}
		fyne.Do(ui.app.Quit)
	}()
}

// GrabCommand is a TourOptions.Grab that runs cmd (split on spaces) with the
// file appended; nil when cmd is "".
func GrabCommand(cmd string) func(path string) error {
	args := strings.Fields(cmd)
	if len(args) == 0 {
		return nil
	}
	return func(path string) error {
		out, err := exec.Command(args[0], append(args[1:], path)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", cmd, err, out)
		}
		return nil
	}
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// thumbsSettled: every card on screen with media has its thumbnail answer (a picture
// or the server's "none").
func (ui *UI) thumbsSettled() bool {
	for _, c := range ui.feedView.bound { // the cards on screen
		if c.item.MediaID == "" {
			continue
		}
		if _, ok := ui.media.cachedThumb(c.item.MediaID); !ok {
			return false
		}
	}
	return true
}
