package app

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
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
		return ui.shell != nil && !ui.feedAt.IsZero() && len(ui.feedView.cards) > 0 && !ui.feedView.busy.Visible()
	}); err != nil {
		return files, err
	}
	if err := shot("feed"); err != nil {
		return files, err
	}
	fyne.DoAndWait(func() { ui.openActivity(ui.feedView.cards[0].item) })
	if err := shot("activity"); err != nil {
		return files, err
	}
	fyne.DoAndWait(func() {
		if ui.opt.Mobile {
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
