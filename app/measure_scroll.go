package app

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// Scrolling figures (scripts/measure-scroll.sh): a feed of n sample
// activities in the real window, scrolled a step each frame, with how long
// each frame held the UI loop.

// sampleFeed is n activities of the three kinds, long texts in both
// languages, some performed, two featured: a long feed for measuring.
func sampleFeed(n int, now time.Time) []client.FeedItem {
	types := []string{"wechat_photo", "wechat_video", "tiktok_video"}
	items := make([]client.FeedItem, 0, n)
	for i := range n {
		end := now.Add(time.Duration(i%200+1) * time.Hour)
		typ := types[i%3]
		it := client.FeedItem{ID: fmt.Sprintf("act_%04d", i), Type: typ, Points: 10 + i%50, Featured: i < 2,
			StartsAt: now.Add(-time.Hour), EndsAt: &end, Performed: i%4 == 0, Network: kindOf(typ, "").network}
		if typ == "tiktok_video" {
			it.Instructions = "Share this video on TikTok"
		} else {
			it.Message = fmt.Sprintf("活动 %d：我们的新产品今天发布！Activity %d: our new product launches today https://example.com/%d", i, i, i)
		}
		items = append(items, it)
	}
	return items
}

// showSample shows a signed-in member's feed of n sample activities, with
// no server. On the UI goroutine.
func (ui *UI) showSample(n int) {
	now := time.Now()
	ui.me = client.Me{ID: "usr_sample", Name: "Li Wei", Timezone: "Asia/Shanghai",
		Memberships: []client.Membership{{ProgramID: "prg_sample", ProgramName: "Demo Co"}}}
	ui.engine.Switch(session.Session{UserID: "usr_sample", ProgramID: "prg_sample"})
	ui.retranslate()
	ui.feed.Items = sampleFeed(n, now)
	ui.feedAt = now
	ui.showMain(tabFeed)
}

// scrollStep is how far the feed moves each frame: 37 units at 60 frames
// a second, a steady flick through a card every few frames.
const scrollStep = 37

// MeasureScrollAndQuit shows a feed of n sample activities, scrolls it by
// scrollStep each frame for d (to the end, then again from the top), then
// prints its frames and quits. An animation moves the list: the glfw driver
// ticks animations at the start of each frame, just before it lays out and
// paints, so the times between ticks are the frame intervals. A goroutine
// keeps an empty function queued on the driver's loop at all times, so the
// gap between the two that ran around a tick is that frame's work (the
// scroll, layout, paint and buffer swap).
func (ui *UI) MeasureScrollAndQuit(n int, d time.Duration) {
	fyne.Do(func() { ui.showSample(n) })
	go func() {
		time.Sleep(time.Second)                                   // the first paints, fonts and textures
		ticks := make([]time.Time, 0, int(d/(time.Second/60))+60) // on the UI goroutine until the animation stops
		y, l := float32(0), ui.feedView.list
		anim := &fyne.Animation{Duration: time.Second, RepeatCount: fyne.AnimationRepeatForever, Tick: func(float32) {
			ticks = append(ticks, time.Now())
			y += scrollStep
			l.ScrollToOffset(y)
			if l.GetScrollOffset() < y {
				y = 0
				l.ScrollToTop()
			}
		}}
		// Room for every completion, made before measuring: growing the
		// slice as it goes would make garbage, and collections, of its own.
		ran := make([]time.Time, 1, 1<<18)
		fyne.DoAndWait(anim.Start)
		ran[0] = time.Now()
		for end := ran[0].Add(d); ran[len(ran)-1].Before(end); {
			fyne.DoAndWait(func() {})
			ran = append(ran, time.Now())
		}
		fyne.DoAndWait(anim.Stop)
		var intervals, work []time.Duration
		k := 0
		for i, t := range ticks {
			if i > 0 {
				intervals = append(intervals, t.Sub(ticks[i-1]))
			}
			for k+1 < len(ran) && !ran[k+1].After(t) {
				k++
			}
			if k+1 < len(ran) {
				work = append(work, ran[k+1].Sub(ran[k]))
			}
		}
		fmt.Printf("scrolled a feed of %d activities by %d units a frame for %s: %d frames\n", n, scrollStep, d, len(ticks))
		fmt.Printf("  frame work (scroll, layout, paint, swap): %s\n", spread(work, 16*time.Millisecond))
		// A tick can come a little late and the next one early: an
		// interval past 20 ms missed its frame.
		fmt.Printf("  frame intervals:                          %s\n", spread(intervals, 20*time.Millisecond))
		fyne.Do(ui.app.Quit)
	}()
}

// spread describes durations: median, p99, longest, and how many took over
// limit.
func spread(ds []time.Duration, limit time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	over := 0
	for _, d := range ds {
		if d > limit {
			over++
		}
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration {
		return ds[min(len(ds)-1, int(q*float64(len(ds))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("median %s, p99 %s, longest %s; %d of %d over %s", at(0.5), at(0.99), at(1), over, len(ds), limit)
}
