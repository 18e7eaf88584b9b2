//go:build !android && !ios

package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// The CJK fonts (assets/internal/genfont): a desktop may have no Chinese
// font and the web build sees none, so these builds carry their own. Phones
// have system CJK fonts, which Fyne falls back to, so they are left out
// there (about 7 MB).
var (
	//go:embed fonts/ChorusSC-Regular.otf
	cjkRegular []byte
	//go:embed fonts/ChorusSC-Bold.otf
	cjkBold []byte

	// FontRegular and FontBold cover Latin and Simplified Chinese.
	FontRegular fyne.Resource = fyne.NewStaticResource("ChorusSC-Regular.otf", cjkRegular)
	FontBold    fyne.Resource = fyne.NewStaticResource("ChorusSC-Bold.otf", cjkBold)
)
