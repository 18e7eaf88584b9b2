package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/chorus-advocacy/chorus/assets"
)

// brand is the icon's indigo; buttons and highlights use it.
var brand = color.NRGBA{R: 0x5B, G: 0x4B, B: 0xE0, A: 0xFF}

// Text colours for the light theme, darker than Fyne's (#43f436 green,
// #ff9800 orange, #f44336 red, 1.5–3.7:1 on white) so that a result, a
// notice or an error in words reads at WCAG AA, 4.5:1 on white
// (TestLightThemeTextContrast). Buttons of these importances use them as
// fills under white text, which the same ratio serves.
var (
	successLight = color.NRGBA{R: 0x2E, G: 0x7D, B: 0x32, A: 0xFF}
	warningLight = color.NRGBA{R: 0xB4, G: 0x53, B: 0x09, A: 0xFF}
	errorLight   = color.NRGBA{R: 0xC6, G: 0x28, B: 0x28, A: 0xFF}
)

// chorusTheme is Fyne's default theme in Chorus colours, with a font that
// has Chinese where the system may have none (assets.Fonts: none on phones,
// which have their own CJK fonts; fetched as needed by the web build).
type chorusTheme struct{ fyne.Theme }

// Theme returns the app theme. In the web build the first call waits
// briefly for the fonts the page fetched and arranges for the app to be
// redrawn when the full CJK fonts arrive later (theme_js.go).
func Theme() fyne.Theme {
	watchFonts()
	return chorusTheme{theme.DefaultTheme()}
}

func (t chorusTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return brand
	case theme.ColorNameFocus:
		return withAlpha(brand, 0x66)
	}
	if v == theme.VariantLight {
		switch n {
		case theme.ColorNameSuccess:
			return successLight
		case theme.ColorNameWarning:
			return warningLight
		case theme.ColorNameError:
			return errorLight
		}
	}
	return t.Theme.Color(n, v)
}

func (t chorusTheme) Font(s fyne.TextStyle) fyne.Resource {
	regular, bold := assets.Fonts()
	if regular == nil || s.Monospace || s.Symbol {
		return t.Theme.Font(s)
	}
	if s.Bold {
		return bold
	}
	return regular
}
