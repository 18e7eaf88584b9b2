// Command chorus is the Chorus member app (desktop, Android, iOS, web).
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime"
	"strconv"
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
	// Start-up figures: when the feed first shows, print how long since the
	// process started and its memory, then quit.
	measure := flag.Bool("measure-start", false, "print the time from process start to the first feed paint, and memory, then quit")
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
		Browser:    platform.InBrowser(),
		OpenHere:   platform.OpenHere(a),
		Version:    version(a),
		LiveEvents: true,
		Lang:       *lang,
		OnFeedShown: func(cached bool) {
			if *measure {
				go reportStart(a, cached)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if mobile {
		w.Resize(fyne.NewSize(390, 844))
	} else {
		w.Resize(fyne.NewSize(1120, 740))
	}
	ui.Start()
	platform.ExposeTestHook(ui.Probe)
	if *tour != "" {
		name := map[bool]string{true: "phone", false: "desktop"}[mobile]
		go func() {
			files, err := ui.Tour(app.TourOptions{Dir: *tour, Prefix: name + "-" + string(app.ParseLang(firstNonEmpty(*lang, "en"))),
				Email: *tourAs, Password: *tourPassword, Lang: app.ParseLang(firstNonEmpty(*lang, "en")), Grab: grab(*tourGrab)})
			for _, f := range files {
				fmt.Println(f)
			}
			if err != nil {
				log.Fatal(err)
			}
			fyne.Do(a.Quit)
		}()
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

// grab runs cmd (split on spaces) with the file appended; nil when cmd is "".
func grab(cmd string) func(path string) error {
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

// reportStart prints the start-up figures once the feed is on screen: the
// glfw driver draws a frame on each turn of its loop, so two turns after
// the cards are laid out they have been painted.
func reportStart(a fyne.App, cached bool) {
	fyne.DoAndWait(func() {})
	time.Sleep(time.Second / 60)
	fyne.DoAndWait(func() {})
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("first feed paint: %d ms after process start (cached feed: %v); RSS %d MB, Go heap in use %d MB\n",
		time.Since(processStart()).Milliseconds(), cached, rssKB()/1024, ms.HeapInuse>>20)
	fyne.Do(a.Quit)
}

// processStart is when the process began (Linux: /proc), else when main ran.
func processStart() time.Time {
	stat, err1 := os.ReadFile("/proc/self/stat")
	up, err2 := os.ReadFile("/proc/uptime")
	if err1 != nil || err2 != nil {
		return started
	}
	// Field 22 (starttime, clock ticks after boot), counted after the
	// command name in parentheses, which may hold spaces.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	ticks, err := strconv.ParseFloat(f[19], 64)
	var uptime float64
	if _, e := fmt.Sscan(string(up), &uptime); e != nil || err != nil {
		return started
	}
	const hz = 100 // USER_HZ on Linux
	return time.Now().Add(-time.Duration((uptime - ticks/hz) * float64(time.Second)))
}

var started = time.Now()

func rssKB() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}
