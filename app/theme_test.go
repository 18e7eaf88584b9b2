package app

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// contrast is the WCAG 2 contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, bl, _ := c.RGBA()
		ch := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.04045 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	l1, l2 := lum(a), lum(b)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

func TestContrastFormula(t *testing.T) {
	if r := contrast(color.Black, color.White); math.Abs(r-21) > 0.01 {
		t.Errorf("black on white %.2f, want 21", r)
	}
	// Fyne's own light-theme green on white, which this theme replaces.
	if r := contrast(color.NRGBA{R: 0x43, G: 0xf4, B: 0x36, A: 0xff}, color.White); r > 2 {
		t.Errorf("#43f436 on white %.2f", r)
	}
}

// TestLightThemeTextContrast: the words the app shows in the theme's colours
// (a result in green, a notice in orange, an error in red, links and the
// brand, the body text) read at WCAG AA, 4.5:1, on the light background; and
// white reads on them as button fills.
func TestLightThemeTextContrast(t *testing.T) {
	th := Theme()
	bg := th.Color(theme.ColorNameBackground, theme.VariantLight)
	for _, n := range []fyne.ThemeColorName{
		theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError,
		theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameForeground,
	} {
		c := th.Color(n, theme.VariantLight)
		if r := contrast(c, bg); r < 4.5 {
			t.Errorf("%s %v on the background %v: %.2f:1, want at least 4.5:1", n, c, bg, r)
		}
	}
	for n, on := range map[fyne.ThemeColorName]fyne.ThemeColorName{
		theme.ColorNameSuccess: theme.ColorNameForegroundOnSuccess,
		theme.ColorNameWarning: theme.ColorNameForegroundOnWarning,
		theme.ColorNameError:   theme.ColorNameForegroundOnError,
	} {
		fill, text := th.Color(n, theme.VariantLight), th.Color(on, theme.VariantLight)
		if r := contrast(text, fill); r < 4.5 {
			t.Errorf("%s on %s: %.2f:1, want at least 4.5:1", on, n, r)
		}
	}
}
