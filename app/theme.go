package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/chorus-advocacy/chorus/assets"
)

// brand is the icon's indigo; buttons and highlights use it.
var brand = color.NRGBA{R: 0x5B, G: 0x4B, B: 0xE0, A: 0xFF}

// chorusTheme is Fyne's default theme in Chorus colours, with a font that
// has Chinese where the system may have none (assets.FontRegular is nil on
// phones, which have their own CJK fonts).
type chorusTheme struct{ fyne.Theme }

// Theme returns the app theme.
func Theme() fyne.Theme { return chorusTheme{theme.DefaultTheme()} }

func (t chorusTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return brand
	case theme.ColorNameFocus:
		return withAlpha(brand, 0x66)
	}
	return t.Theme.Color(n, v)
}

func (t chorusTheme) Font(s fyne.TextStyle) fyne.Resource {
	if assets.FontRegular == nil || s.Monospace || s.Symbol {
		return t.Theme.Font(s)
	}
	if s.Bold {
		return assets.FontBold
	}
	return assets.FontRegular
}
