//go:build !js

package app

// watchFonts does nothing outside the web build: the fonts are embedded
// (desktop) or the system's (phones).
func watchFonts() {}
