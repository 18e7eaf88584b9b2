//go:build !android && !ios && !js

package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// The CJK fonts (assets/internal/genfont): a desktop may have no Chinese
// font, so this build carries its own. Phones have system CJK fonts, which
// Fyne falls back to, so they are left out there (about 3.4 MB); the web
// build fetches them from the server when it needs them (fonts_js.go).
var (
	//go:embed fonts/ChorusSC-Regular.otf
	cjkRegular []byte
	//go:embed fonts/ChorusSC-Bold.otf
	cjkBold []byte

	fontRegular fyne.Resource = fyne.NewStaticResource("ChorusSC-Regular.otf", cjkRegular)
	fontBold    fyne.Resource = fyne.NewStaticResource("ChorusSC-Bold.otf", cjkBold)
)

// Fonts returns the regular and bold text fonts, which cover Latin and
// Simplified Chinese; nil where the system's fonts serve (phones).
func Fonts() (regular, bold fyne.Resource) { return fontRegular, fontBold }
