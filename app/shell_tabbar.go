package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// tabsMoveAside tells whether Fyne's AppTabs would put a bottom tab bar at
// the side: it does on a "mobile" device held sideways, and in a browser
// with a phone's user agent the web driver always says sideways (it knows
// no orientation), so a portrait phone got a clipped side bar. Tests set it.
var tabsMoveAside = func() bool {
	d := fyne.CurrentDevice()
	return d.IsBrowser() && d.IsMobile() && fyne.IsHorizontal(d.Orientation())
}

// bottomBar is the phone's tab bar drawn by the app, for where AppTabs
// would move it aside: the AppTabs still holds the tabs and the selection
// (and calls OnSelected); this shows the selected tab's content above a
// row of buttons.
type bottomBar struct {
	tabs    *container.AppTabs
	buttons []*widget.Button
	body    *fyne.Container
	root    fyne.CanvasObject
}

func newBottomBar(tabs *container.AppTabs) *bottomBar {
	b := &bottomBar{tabs: tabs, body: container.NewStack()}
	row := make([]fyne.CanvasObject, len(tabs.Items))
	for i, it := range tabs.Items {
		i := i
		btn := widget.NewButtonWithIcon(it.Text, it.Icon, func() { tabs.SelectIndex(i) })
		b.buttons = append(b.buttons, btn)
		row[i] = btn
	}
	onSelected := tabs.OnSelected
	tabs.OnSelected = func(it *container.TabItem) {
		b.show()
		if onSelected != nil {
			onSelected(it)
		}
	}
	b.root = container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), container.NewGridWithColumns(len(row), row...)), nil, nil, b.body)
	b.show()
	return b
}

// show draws the selected tab and marks its button.
func (b *bottomBar) show() {
	sel := b.tabs.SelectedIndex()
	for i, btn := range b.buttons {
		if i == sel {
			btn.Importance = widget.HighImportance
		} else {
			btn.Importance = widget.LowImportance
		}
		btn.Refresh()
	}
	if sel >= 0 && sel < len(b.tabs.Items) {
		b.body.Objects = []fyne.CanvasObject{b.tabs.Items[sel].Content}
		b.body.Refresh()
	}
}
