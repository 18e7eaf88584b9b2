//go:build android || ios

package assets

import "fyne.io/fyne/v2"

// Fonts returns nil, nil: phones use the system's CJK fonts through Fyne's
// fallback.
func Fonts() (regular, bold fyne.Resource) { return nil, nil }
