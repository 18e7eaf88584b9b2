//go:build android || ios

package assets

import "fyne.io/fyne/v2"

// Phones use the system's CJK fonts through Fyne's fallback.
var FontRegular, FontBold fyne.Resource
