// Command chorus is the Chorus member app (desktop, Android, iOS, web).
package main

import (
	"flag"
	"log"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/chorus-advocacy/chorus/app"
	"github.com/chorus-advocacy/chorus/assets"
	"github.com/chorus-advocacy/chorus/platform"
)

func main() {
	server := flag.String("server", "", "Chorus server address, e.g. https://chorus.acme.com (default: the one used last)")
	// Fyne's phone simulation (-tags mobile) does not start under Xvfb, so
	// screenshots of the phone layout use this instead.
	layout := flag.String("layout", "", "phone or desktop (default: what the device is)")
	flag.Parse()

	a := fyneapp.NewWithID("com.chorusadvocacy.chorus")
	a.SetIcon(assets.Icon)
	a.Settings().SetTheme(app.Theme())
	catalog, err := app.LoadCatalog(assets.Catalogs, "i18n")
	if err != nil {
		log.Fatal(err)
	}
	w := a.NewWindow("Chorus")
	mobile := fyne.CurrentDevice().IsMobile()
	switch *layout {
	case "phone":
		mobile = true
	case "desktop":
		mobile = false
	}
	phone := platform.New(a)
	ui, err := app.New(app.Options{
		App: a, Window: w, Catalog: catalog,
		Platform:   phone,
		Cache:      app.NewCache(a.Storage().RootURI()),
		Server:     *server,
		Mobile:     mobile,
		PhoneShare: phone.SupportsWeChat(),
		Version:    a.Metadata().Version,
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
	w.ShowAndRun()
}
