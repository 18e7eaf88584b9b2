package app

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
)

// Start-up figures (Options.MeasureStart, scripts/measure-start.sh): when
// the feed first shows activities, print how long since the process
// started and its memory, then quit.

// painted measures start-up (Options.MeasureStart) at the first paint of
// a feed with activities.
func (ui *UI) painted(n int) {
	if ui.opt.MeasureStart && n > 0 {
		ui.opt.MeasureStart = false
		go ui.reportStart(!ui.fetched)
	}
}

// reportStart prints the start-up figures once the feed is on screen: the
// glfw driver draws a frame on each turn of its loop, so two turns after
// the cards are laid out they have been painted. cached tells whether the
// cards came from the cache. Off the UI goroutine.
func (ui *UI) reportStart(cached bool) {
	fyne.DoAndWait(func() {})
	time.Sleep(time.Second / 60)
	fyne.DoAndWait(func() {})
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("first feed paint: %d ms after process start (cached feed: %v); RSS %d MB, Go heap in use %d MB\n",
		time.Since(processStart()).Milliseconds(), cached, rssKB()/1024, ms.HeapInuse>>20)
	fyne.Do(ui.app.Quit)
}

// processStart is when the process began (Linux: /proc), else when this
// package was initialised.
func processStart() time.Time {
	stat, err1 := os.ReadFile("/proc/self/stat")
	up, err2 := os.ReadFile("/proc/uptime")
	if err1 != nil || err2 != nil {
		return packageInit
	}
	// Field 22 (starttime, clock ticks after boot), counted after the
	// command name in parentheses, which may hold spaces.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	ticks, err := strconv.ParseFloat(f[19], 64)
	var uptime float64
	if _, e := fmt.Sscan(string(up), &uptime); e != nil || err != nil {
		return packageInit
	}
	const hz = 100 // USER_HZ on Linux
	return time.Now().Add(-time.Duration((uptime - ticks/hz) * float64(time.Second)))
}

var packageInit = time.Now()

func rssKB() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}
