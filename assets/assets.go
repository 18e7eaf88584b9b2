// Package assets holds what the client embeds: the app icon and the
// translation catalogs (one JSON file per language, same keys in each).
package assets

import (
	"embed"
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:generate go run ./internal/genicon -o icon.png

//go:embed icon.png
var iconPNG []byte

// Icon is the app icon (512×512 PNG); FyneApp.toml points packaging at the
// same file.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// Tab icons (Material Design, Apache 2.0), black: the app themes them.
var (
	//go:embed icons/campaign.svg
	campaignSVG []byte
	//go:embed icons/trophy.svg
	trophySVG []byte
	//go:embed icons/gift.svg
	giftSVG []byte

	IconActivities = fyne.NewStaticResource("campaign.svg", campaignSVG)
	IconPoints     = fyne.NewStaticResource("trophy.svg", trophySVG)
	IconRewards    = fyne.NewStaticResource("gift.svg", giftSVG)
)

// Catalogs holds i18n/<language>.json: a flat key → text map per language.
//
//go:embed i18n/*.json
var Catalogs embed.FS
