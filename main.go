// Command chorus is the Chorus member app (desktop, Android, iOS, web):
// the flags, the window and the platform, handed to package app.
package main

import (
	_ "embed"
	"flag"
	"log"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/chorus-advocacy/chorus/app"
	"github.com/chorus-advocacy/chorus/assets"
	"github.com/chorus-advocacy/chorus/platform"
)

// FyneApp.toml is embedded for its Version: builds not made by `fyne
// package` (go run, make web) get no metadata, and Fyne then says 0.0.1.
//
//go:embed FyneApp.toml
var fyneAppTOML string

func version(a fyne.App) string {
	for _, line := range strings.Split(fyneAppTOML, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "Version" {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return a.Metadata().Version
}

func main() {
	server := flag.String("server", "", "Chorus server address, e.g. https://chorus.acme.com (default: the one used last)")
	// Fyne's phone simulation (-tags mobile) does not start under Xvfb, so
	// screenshots of the phone layout use this instead.
	layout := flag.String("layout", "", "phone or desktop (default: what the device is)")
	lang := flag.String("lang", "", "interface language, en or zh-Hans (default: the one chosen last, else the system's)")
	// make screenshots: sign in, visit the main screens, save a PNG of each, quit.
	tour := flag.String("screenshots", "", "save pictures of the main screens into this directory, then quit")
	tourAs := flag.String("screenshots-as", "member1@demo.test", "who signs in for --screenshots")
	tourPassword := flag.String("screenshots-password", "chorus-demo", "their password")
	tourGrab := flag.String("screenshots-grab", "", "command that saves the window to the PNG file named as its last argument (default: read back Fyne's canvas)")
	measure := flag.Bool("measure-start", false, "print the time from process start to the first feed paint, and memory, then quit")
	measureScroll := flag.Int("measure-scroll", 0, "show a feed of this many sample activities (no server), scroll it for 5 s, print how long its frames took, then quit")
	flag.Parse()

	a := fyneapp.NewWithID("com.chorusadvocacy.chorus")
	a.SetIcon(assets.Icon)
	a.Settings().SetTheme(app.Theme())
	catalog, err := app.LoadCatalog(assets.Catalogs, "i18n")
	if err != nil {
		log.Fatal(err)
	}
	w := a.NewWindow("Chorus")
	// A browser on a phone, or a narrow window, gets the phone layout.
	mobile := fyne.CurrentDevice().IsMobile() || platform.Narrow()
	switch *layout {
	case "phone":
		mobile = true
	case "desktop":
		mobile = false
	}
	phone := platform.New(a)
	ui, err := app.New(app.Options{
		App: a, Window: w, Catalog: catalog,
		Platform: phone,
		Cache:    app.NewCache(a.Storage().RootURI()),
		Server:   firstNonEmpty(*server, platform.Origin()),
		// An email's link (#reset/{token}, #invite/{code}) opens its screen.
		StartLink: platform.StartLink(),
		Mobile:    mobile,
		// Pictures of the phone layout show a phone's actions (Share on
		// WeChat), which a desktop cannot perform.
		PhoneShare: phone.SupportsWeChat() || (*tour != "" && mobile),
		// In a phone's browser, WeChat activities open the share page here.
		Browser:      platform.InBrowser(),
		OpenHere:     platform.OpenHere(a),
		AppURLs:      platform.ReceivesAppURLs(),
		Version:      version(a),
		LiveEvents:   true,
		Lang:         *lang,
		MeasureStart: *measure,
	})
	if err != nil {
		log.Fatal(err)
	}
	if mobile {
		w.Resize(fyne.NewSize(390, 844))
	} else {
		w.Resize(fyne.NewSize(1120, 740))
	}
	if *measureScroll > 0 {
		ui.MeasureScrollAndQuit(*measureScroll, 5*time.Second)
		w.ShowAndRun()
		return
	}
	ui.Start()
	// A tapped notification (iOS; the web build's service worker) opens
	// its activity.
	platform.OnOpenLink(ui.OpenLink)
	// chorus://sso brings a single sign-on back (iOS; see ReceivesAppURLs).
	platform.OnAppURL(ui.OpenAppURL)
	platform.ExposeTestHook(ui.Probe)
	if *tour != "" {
		shell := map[bool]string{true: "phone", false: "desktop"}[mobile]
		l := app.ParseLang(firstNonEmpty(*lang, "en"))
		ui.TourAndQuit(app.TourOptions{Dir: *tour, Prefix: shell + "-" + string(l),
			Email: *tourAs, Password: *tourPassword, Lang: l, Grab: app.GrabCommand(*tourGrab)})
	}
	w.ShowAndRun()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
